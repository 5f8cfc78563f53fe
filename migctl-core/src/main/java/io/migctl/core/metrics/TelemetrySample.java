package io.migctl.core.metrics;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One reading of every GPU.
 *
 * @param at when it was taken
 * @param simulated whether it comes from the simulated node (synthetic values) rather than a driver
 * @param gpus every GPU, in index order; indices are unique
 */
public record TelemetrySample(Instant at, boolean simulated, List<GpuTelemetry> gpus) {

  public TelemetrySample {
    Objects.requireNonNull(at, "at");
    gpus = List.copyOf(gpus);
    Set<Integer> indices = new HashSet<>();
    Set<String> migUuids = new HashSet<>();
    for (GpuTelemetry g : gpus) {
      if (!indices.add(g.index())) {
        throw new IllegalArgumentException("GPU " + g.index() + " appears twice in the sample");
      }
      for (MigTelemetry m : g.instances()) {
        if (!migUuids.add(m.uuid())) {
          throw new IllegalArgumentException("MIG device " + m.uuid() + " appears twice");
        }
      }
    }
  }

  /** The GPU with this index. */
  public Optional<GpuTelemetry> gpu(int index) {
    return gpus.stream().filter(g -> g.index() == index).findFirst();
  }

  /** The MIG device with this {@code MIG-…} UUID (case does not matter), on whichever GPU. */
  public Optional<MigTelemetry> instance(String migUuid) {
    String wanted = migUuid.strip();
    return gpus.stream()
        .flatMap(g -> g.instances().stream())
        .filter(m -> m.uuid().equalsIgnoreCase(wanted))
        .findFirst();
  }

  /** Every MIG device of every GPU, in GPU order. */
  public List<MigTelemetry> instances() {
    return gpus.stream().flatMap(g -> g.instances().stream()).toList();
  }
}
