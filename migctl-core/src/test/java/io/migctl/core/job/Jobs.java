package io.migctl.core.job;

import io.migctl.core.mig.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds specs, jobs and MIG slots for the job tests, without a driver or a store. */
final class Jobs {

  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** An A100-40GB's framebuffer. */
  static final long A100_MIB = 40960;

  private Jobs() {}

  /** A spec with every field given. */
  static JobSpec spec(GpuNeed gpu, int priority, Optional<Duration> timeout, int maxRetries) {
    return new JobSpec(
        "train",
        List.of("python", "train.py"),
        Optional.empty(),
        Optional.empty(),
        gpu,
        priority,
        "team-a",
        timeout,
        maxRetries,
        Map.of());
  }

  /** A memory need of {@code memoryMiB} with {@code compute} compute slices. */
  static GpuNeed memory(long memoryMiB, int compute) {
    return new GpuNeed.Memory(memoryMiB, compute);
  }

  /** The requirement a spec's need stands for, without consulting any model. */
  static Optional<Requirement> requirementOf(GpuNeed need) {
    return switch (need) {
      case GpuNeed.None n -> Optional.empty();
      case GpuNeed.Memory m -> Optional.of(new Requirement(m.memoryMiB(), m.computeSlices()));
      case GpuNeed.Profile p -> throw new IllegalArgumentException("resolve " + p + " first");
      case GpuNeed.MigDevices d ->
          requirementOf(d.device())
              .map(r -> new Requirement(r.memoryMiB(), r.computeSlices(), d.count()));
      case GpuNeed.WholeGpus w -> Optional.of(new Requirement(A100_MIB, 7, w.count()));
    };
  }

  /** A newly queued job. */
  static Job queued(long id, JobSpec spec, Instant submittedAt) {
    return Job.accepted(id, spec, requirementOf(spec.gpu()), Optional.empty(), submittedAt);
  }

  /** A queued job needing {@code memoryMiB}/{@code compute}, or no GPU when memory is 0. */
  static Job queued(long id, long memoryMiB, int compute, int priority, Instant submittedAt) {
    GpuNeed need = memoryMiB == 0 ? GpuNeed.NONE : memory(memoryMiB, compute);
    return queued(id, spec(need, priority, Optional.empty(), 0), submittedAt);
  }

  /** A free MIG slot on GPU 0. */
  static MigSlot slot(String uuid, String profile, long memoryMiB, int compute, int start) {
    return slot(uuid, 0, profile, memoryMiB, compute, start, false);
  }

  /** A MIG slot; its GPU-instance id is derived from GPU and placement. */
  static MigSlot slot(
      String uuid,
      int gpu,
      String profile,
      long memoryMiB,
      int compute,
      int start,
      boolean foreignBusy) {
    return new MigSlot(
        uuid,
        gpu,
        gpu * 100 + start,
        0,
        profile,
        memoryMiB,
        compute,
        new Placement(start, 1),
        foreignBusy);
  }
}
