package io.migctl.daemon;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gauge families built up point by point, in first-seen order; other families after them. */
final class GaugeSeries {
  private final Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
  private final List<MetricSnapshot> extra = new ArrayList<>();

  void add(String name, String help, Labels labels, double value) {
    families
        .computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
        .dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
  }

  /** Adds a family that is not a gauge, written after the gauges. */
  void add(MetricSnapshot family) {
    extra.add(family);
  }

  MetricSnapshots snapshots() {
    List<MetricSnapshot> all = new ArrayList<>();
    families.values().forEach(b -> all.add(b.build()));
    all.addAll(extra);
    return new MetricSnapshots(all);
  }
}
