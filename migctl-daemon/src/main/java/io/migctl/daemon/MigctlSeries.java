package io.migctl.daemon;

import io.migctl.core.job.JobState;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.mig.ProfileName;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code migctl_*} series of {@code /metrics} read at each scrape: jobs by state and tenant,
 * per tenant its running and queued jobs and the compute slices it holds, the queue, each MIG
 * device with the job on it and that job's tenant, and the layout changes seen.
 */
final class MigctlSeries implements MultiCollector {

  private final TelemetryService telemetry;
  private final JobService jobs;

  MigctlSeries(TelemetryService telemetry, JobService jobs) {
    this.telemetry = telemetry;
    this.jobs = jobs;
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSeries s = new GaugeSeries();
    Map<JobState, Map<String, Long>> counts = jobs.countByStateAndTenant();
    for (JobState state : JobState.values()) {
      Map<String, Long> byTenant = counts.getOrDefault(state, Map.of());
      for (Map.Entry<String, Long> e : byTenant.entrySet()) {
        s.add(
            "migctl_jobs",
            "Jobs by state and tenant.",
            Labels.of("state", state.wireName(), "tenant", e.getKey()),
            e.getValue());
      }
    }
    TelemetryService.Reading r = telemetry.latest();
    tenantSeries(s, counts, r == null ? List.of() : r.slices());
    if (r == null) {
      return s.snapshots();
    }
    s.add("migctl_queue_depth", "Jobs waiting for a device.", Labels.EMPTY, r.queueDepth());
    s.add(
        "migctl_queue_oldest_wait_seconds",
        "How long the longest-waiting queued job has waited.",
        Labels.EMPTY,
        r.oldestWait().toMillis() / 1000.0);
    s.add(
        "migctl_telemetry_sample_duration_seconds",
        "How long the last telemetry sample took.",
        Labels.EMPTY,
        r.took().toNanos() / 1e9);
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (String st : List.of("free", "allocated", "busy", "idle")) {
      byState.put(st, 0);
    }
    for (TelemetryService.Slice sl : r.slices()) {
      byState.merge(sl.state(), 1, Integer::sum);
      if (sl.allocated()) {
        byState.merge("allocated", 1, Integer::sum);
      }
      MigTelemetry d = sl.device();
      Labels slice =
          Labels.of(
              "gpu", Integer.toString(sl.gpu().index()),
              "UUID", d.uuid(),
              "GPU_I_ID", Integer.toString(d.gpuInstanceId()),
              "GPU_I_PROFILE", d.profile(),
              "tenant", sl.job().map(j -> j.spec().tenant()).orElse(""));
      s.add(
          "migctl_slice_info",
          "Each MIG device and the job on it (job labels empty when free); always 1.",
          slice.merge(
              Labels.of(
                  "job_id", sl.job().map(j -> Long.toString(j.id())).orElse(""),
                  "job_name", sl.job().map(j -> j.spec().name()).orElse(""))),
          1);
      s.add(
          "migctl_slice_allocated",
          "Whether a job holds the MIG device.",
          slice,
          sl.allocated() ? 1 : 0);
      s.add(
          "migctl_slice_idle_seconds",
          "How long an allocated MIG device has shown no activity (0 when busy or free).",
          slice,
          sl.idleFor().toMillis() / 1000.0);
      s.add(
          "migctl_slice_memory_used_ratio",
          "Framebuffer used over the MIG device's size.",
          slice,
          d.fbTotalMiB() > 0 ? (double) d.fbUsedMiB() / d.fbTotalMiB() : 0);
    }
    byState.forEach(
        (st, n) ->
            s.add(
                "migctl_slices",
                "MIG devices by state: free, allocated (to a job), and the allocated ones busy or idle.",
                Labels.of("state", st),
                n));
    List<CounterSnapshot.CounterDataPointSnapshot> changes = new ArrayList<>();
    telemetry
        .layoutChanges()
        .forEach(
            (gpu, n) ->
                changes.add(
                    CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("gpu", Integer.toString(gpu)))
                        .value(n)
                        .build()));
    CounterSnapshot.Builder layout =
        CounterSnapshot.builder()
            .name("migctl_layout_changes")
            .help("Changes of a GPU's MIG layout seen since the daemon started.");
    changes.forEach(layout::dataPoint);
    s.add(layout.build());
    return s.snapshots();
  }

  /** The compute slices of a MIG device: {@code 1c.3g.20gb} has 1, {@code 3g.20gb} 3. */
  private static int computeSlices(String profile) {
    ProfileName p = ProfileName.parse(profile);
    return p.isComputeInstance() ? p.computeSlices() : p.gpuSlices();
  }

  /**
   * Per tenant with any job: its jobs queued, its jobs starting, running or stopping (as its quota
   * counts them), and the compute slices of the MIG devices its jobs hold.
   */
  private static void tenantSeries(
      GaugeSeries s, Map<JobState, Map<String, Long>> counts, List<TelemetryService.Slice> slices) {
    Map<String, long[]> byTenant = new TreeMap<>();
    counts.forEach(
        (state, tenants) ->
            tenants.forEach(
                (tenant, n) -> {
                  long[] v = byTenant.computeIfAbsent(tenant, t -> new long[3]);
                  if (state == JobState.QUEUED) {
                    v[1] += n;
                  } else if (!state.isTerminal()) {
                    v[0] += n;
                  }
                }));
    for (TelemetryService.Slice sl : slices) {
      sl.job()
          .ifPresent(
              j ->
                  byTenant.computeIfAbsent(j.spec().tenant(), t -> new long[3])[2] +=
                      computeSlices(sl.device().profile()));
    }
    byTenant.forEach(
        (tenant, v) -> {
          Labels l = Labels.of("tenant", tenant);
          s.add(
              "migctl_tenant_running_jobs",
              "A tenant's jobs starting, running or stopping.",
              l,
              v[0]);
          s.add("migctl_tenant_queued_jobs", "A tenant's jobs waiting in the queue.", l, v[1]);
          s.add(
              "migctl_tenant_compute_slices",
              "Compute slices of the MIG devices a tenant's jobs hold.",
              l,
              v[2]);
        });
  }
}
