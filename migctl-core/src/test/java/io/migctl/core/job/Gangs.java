package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds GPUs, gang jobs and running jobs for the whole-GPU scheduler tests. */
final class Gangs {
  private Gangs() {}

  /** An A100-40GB with MIG off. */
  static WholeGpu migOff(int index) {
    return new WholeGpu(index, "GPU-" + index, "a100-40gb", Jobs.A100_MIB, 7, false, 0, false);
  }

  /** An A100-40GB with MIG on and {@code instances} GPU instances. */
  static WholeGpu migOn(int index, int instances) {
    return new WholeGpu(
        index, "GPU-" + index, "a100-40gb", Jobs.A100_MIB, 7, true, instances, false);
  }

  /** The seven 1g.5gb devices of an A100 with MIG on. */
  static List<MigSlot> sevenSlices(int gpu) {
    return java.util.stream.IntStream.range(0, 7)
        .mapToObj(i -> Jobs.slot("MIG-" + gpu + "-" + i, gpu, "1g.5gb", 4864, 1, i, false))
        .toList();
  }

  /** A spec of the given need for a tenant, with an optional timeout. */
  static JobSpec spec(String name, GpuNeed need, String tenant, Optional<Duration> timeout) {
    return new JobSpec(
        name,
        List.of("python", "train.py"),
        Optional.empty(),
        Optional.empty(),
        need,
        0,
        tenant,
        timeout,
        0,
        Map.of());
  }

  /** A queued job of the given need. */
  static Job queued(long id, GpuNeed need, Optional<Duration> timeout, Instant at) {
    return Jobs.queued(id, spec("job-" + id, need, "team-a", timeout), at);
  }

  /** The job running since {@code at}, on {@code slot} when it has one. */
  static Job running(Job queued, Optional<MigSlot> slot, Instant at) {
    return new Job(
        queued.id(),
        queued.spec(),
        queued.requirement(),
        Optional.empty(),
        JobState.RUNNING,
        1,
        queued.submittedAt(),
        Optional.of(at),
        Optional.empty(),
        slot.map(Job.Device::of).stream().toList(),
        Optional.of(new Job.Supervisor(1000 + queued.id(), Optional.empty())),
        Optional.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }
}
