package io.migctl.daemon;

import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.Scheduler;
import java.util.Set;

/**
 * What keeps jobs from exhausting or leaking the node, besides the CPU-job limit of the {@link
 * Scheduler.Policy}.
 *
 * @param keepFinished which finished jobs (rows, events, folders) are removed, at start and every
 *     {@link JobService#RETENTION_EVERY}
 * @param passEnvironment variables of the daemon's environment that jobs get beyond {@link
 *     JobEnvironment#ALLOWED}
 * @param exec the node's {@code execve} limits: a job whose command and environment exceed them is
 *     refused at submit
 */
public record JobGuards(JobRetention keepFinished, Set<String> passEnvironment, ExecLimits exec) {

  /** Finished jobs kept 30 days, nothing passed on, the conservative exec limits. */
  public static final JobGuards DEFAULT =
      new JobGuards(JobRetention.DEFAULT, Set.of(), ExecLimits.DEFAULT);

  public JobGuards {
    passEnvironment = Set.copyOf(passEnvironment);
    passEnvironment.forEach(JobEnvironment::checkPassable);
  }
}
