package io.migctl.daemon;

import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the job runtime behaves.
 *
 * @param jobsDir where each job gets {@code <id>/attempt-<n>/} with its logs and exit record
 * @param machine the job state machine (its kill grace)
 * @param policy the scheduler's policy, with the CPU-job limit
 * @param baseEnvironment the daemon's environment, which jobs inherit only in part
 * @param repartition whether and how idle instances are reshaped for waiting jobs
 * @param guards retention, inherited variables and exec limits
 * @param tick how often the queue is looked at even when nothing happened
 */
public record RuntimeSettings(
    Path jobsDir,
    JobStateMachine machine,
    Scheduler.Policy policy,
    Map<String, String> baseEnvironment,
    Repartition repartition,
    JobGuards guards,
    Duration tick) {
  public RuntimeSettings {
    Objects.requireNonNull(jobsDir, "jobsDir");
    baseEnvironment = Map.copyOf(baseEnvironment);
    if (!tick.isPositive()) {
      throw new IllegalArgumentException("tick must be positive, was " + tick);
    }
  }
}
