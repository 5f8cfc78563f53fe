package io.migctl.cli;

import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobRetention;
import io.migctl.daemon.NodeDaemon;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * What the daemon allows its jobs: {@code --cpu-jobs}, {@code --keep-finished} and {@code
 * --pass-env}, shared by {@code serve} and {@code up}.
 */
final class JobPolicyOptions {

  @Option(
      names = "--cpu-jobs",
      paramLabel = "N",
      description = {
        "How many jobs without a GPU may run at once (default: the node's cores); the rest wait",
        "in the queue, saying so. Jobs with a GPU are bounded by their MIG devices instead."
      })
  Integer cpuJobs;

  @Option(
      names = "--keep-finished",
      paramLabel = "AGE|COUNT",
      description = {
        "Remove finished jobs (rows, events and folders) older than AGE (7d, 12h) or beyond the",
        "newest COUNT (10000); give it twice for both, or 'all' to keep every one (default 30d).",
        "Checked at start and every 10 minutes; unfinished jobs are never removed."
      })
  List<String> keepFinished = new ArrayList<>();

  @Option(
      names = "--pass-env",
      paramLabel = "NAME",
      description = {
        "Pass this variable of the daemon's environment on to every job (repeatable). Jobs get",
        "only PATH, HOME, LANG, LANGUAGE, LC_*, TZ, USER, LOGNAME and TMPDIR otherwise."
      })
  List<String> passEnv = new ArrayList<>();

  @Option(
      names = "--allow-mig-mode-switch",
      description = {
        "Let a job that asks for whole GPUs (submit --gpus) get an idle GPU with MIG on: its idle",
        "instances are destroyed and MIG turned off first, journaled like a reshape (Ampere needs",
        "a GPU reset; refused while anything holds the GPU). Off by default."
      })
  boolean allowMigModeSwitch;

  /**
   * Refuses what cannot be used; call it before changing anything.
   *
   * @throws InvalidInputException naming the option, the value and the fix
   */
  void check() {
    applyTo(NodeDaemon.JobOptions.defaults());
  }

  /** {@code options} with these job options (checked). */
  NodeDaemon.Options applyTo(NodeDaemon.Options options) {
    return options.withJobs(applyTo(options.jobs())).withMigModeSwitch(allowMigModeSwitch);
  }

  private NodeDaemon.JobOptions applyTo(NodeDaemon.JobOptions jobs) {
    if (cpuJobs != null && cpuJobs < 1) {
      throw new InvalidInputException(
          "--cpu-jobs " + cpuJobs + ": at least 1 job without a GPU must be able to run");
    }
    JobRetention retention;
    try {
      retention = JobRetention.parse(keepFinished);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--keep-finished: " + e.getMessage(), e);
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : passEnv) {
      try {
        names.add(JobEnvironment.checkPassable(name));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--pass-env: " + e.getMessage(), e);
      }
    }
    return (cpuJobs == null ? jobs : jobs.withCpuJobs(cpuJobs))
        .withKeepFinished(retention)
        .withPassEnvironment(names);
  }
}
