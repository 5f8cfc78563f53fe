package io.migctl.daemon.store;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Transition;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Specs, slots and a helper that drives real transitions through a store. */
final class Fixtures {
  private Fixtures() {}

  static final JobStateMachine MACHINE = new JobStateMachine(Duration.ofSeconds(5));

  /** A time with nanoseconds, so that a lossy time column would show. */
  static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456789Z");

  static Instant t(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** Every field set, a compute-instance profile, and a sub-second timeout. */
  static JobSpec fullSpec() {
    return new JobSpec(
        "train-resnet.v2",
        List.of("python", "train.py", "--lr", "0.1", "a b \"c\" ü"),
        Optional.of("/data/work"),
        Optional.of("torch-2.4"),
        new GpuNeed.Profile(ProfileName.parse("1c.3g.20gb")),
        -17,
        "ml-team",
        Optional.of(Duration.ofMillis(1500)),
        1,
        Map.of("SEED", "42", "EMPTY", "", "MULTI", "line1\nline2"));
  }

  static JobSpec spec(String name, String tenant, GpuNeed gpu) {
    JobSpec s = JobSpec.of(name, List.of("/bin/true"), gpu);
    return new JobSpec(
        s.name(),
        s.command(),
        s.workdir(),
        s.environment(),
        s.gpu(),
        s.priority(),
        tenant,
        s.timeout(),
        s.maxRetries(),
        s.variables());
  }

  static JobSpec cpuSpec(String name) {
    return spec(name, JobSpec.DEFAULT_TENANT, GpuNeed.NONE);
  }

  static Job insertCpu(JobStore store, String name, String tenant, Instant at) {
    return store.insert(spec(name, tenant, GpuNeed.NONE), Optional.empty(), Optional.empty(), at);
  }

  static MigSlot slot(String uuid, String profile, long memoryMiB, int computeSlices) {
    return new MigSlot(
        uuid, 1, 2, 0, profile, memoryMiB, computeSlices, new Placement(4, 4), false);
  }

  static Requirement requirement(long memoryMiB, int computeSlices) {
    return new Requirement(memoryMiB, computeSlices);
  }

  /** Applies the trigger to the job and returns the transition (which must exist). */
  static Transition apply(Job job, JobTrigger trigger, Instant now) {
    return MACHINE
        .apply(job, trigger, now)
        .orElseThrow(() -> new AssertionError(trigger + " changed nothing for " + job));
  }
}
