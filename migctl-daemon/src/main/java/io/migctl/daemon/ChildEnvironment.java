package io.migctl.daemon;

import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.Requirement;
import io.migctl.daemon.run.ProcessLauncher;
import io.migctl.env.Activation;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a job's command gets: its environment (inherited in part from the daemon, its environment
 * build's activation, its own variables, {@code MIGCTL_JOB_*}, its device) and its program as
 * resolved on that environment's {@code PATH}; and, at submit, whether that could ever start.
 */
final class ChildEnvironment {

  /**
   * Stands for a job's MIG device in {@code CUDA_VISIBLE_DEVICES} when a submission's exec size is
   * checked: at least as long as any device UUID ({@code MIG-} and 36 characters, or the older
   * {@code MIG-GPU-<uuid>/<gi>/<ci>}).
   */
  private static final String WIDEST_DEVICE = "MIG-" + "0".repeat(60);

  private final EnvironmentStore environments;
  private final Map<String, String> baseEnvironment;
  private final ProcessLauncher launcher;
  private final JobFolders folders;
  private final ExecLimits exec;

  /**
   * @param baseEnvironment the daemon's environment, which jobs inherit only in part
   * @param passEnvironment variables of it that jobs get beyond {@link JobEnvironment#ALLOWED}
   */
  ChildEnvironment(
      EnvironmentStore environments,
      Map<String, String> baseEnvironment,
      Set<String> passEnvironment,
      ProcessLauncher launcher,
      JobFolders folders,
      ExecLimits exec) {
    this.environments = environments;
    this.baseEnvironment = Map.copyOf(JobEnvironment.inherited(baseEnvironment, passEnvironment));
    this.launcher = launcher;
    this.folders = folders;
    this.exec = exec;
  }

  /**
   * The environment build a reference names (its id or its name).
   *
   * @throws DaemonException {@code invalid} when there is none
   */
  String resolveBuild(String ref) {
    return environments.find(ref).map(EnvironmentBuild::id).orElseThrow(() -> noBuild(ref));
  }

  /**
   * The refusal of an environment reference that names no build; a tenant naming a build it does
   * not own gets exactly this too.
   */
  static DaemonException noBuild(String ref) {
    return DaemonException.invalid(
        "environment: no environment build or name '"
            + ref
            + "' on this node; build it first with migctl env create -f"
            + " environment.yml --name "
            + ref
            + " (migctl env list shows what exists)");
  }

  /** The environment of a job's current attempt. */
  Map<String, String> of(Job job) {
    return environmentFor(
        job.spec(),
        job.environmentBuild(),
        job.id(),
        job.attempt(),
        job.device().map(Job.Device::uuid));
  }

  /** The program and arguments of a job as its environment resolves them. */
  static List<String> command(JobSpec spec, Map<String, String> env) {
    return Activation.resolveProgram(spec.command(), env);
  }

  /**
   * Refuses at submit what could never start (see {@link StartChecks}), for the widest case: the
   * largest id, the last attempt, a device when the job needs one.
   *
   * @throws DaemonException {@code invalid} naming the field, the value or size, and the limit
   */
  void checkStartable(JobSpec spec, Optional<Requirement> requirement, Optional<String> build) {
    spec.workdir().ifPresent(StartChecks::checkWorkdir);
    int lastAttempt = spec.maxRetries() + 1;
    Map<String, String> env =
        environmentFor(
            spec, build, Long.MAX_VALUE, lastAttempt, requirement.map(r -> WIDEST_DEVICE));
    List<String> cmd = command(spec, env);
    StartChecks.checkExec(
        spec,
        env,
        launcher.supervisorExec(folders.attemptDir(Long.MAX_VALUE, lastAttempt), cmd, env),
        exec);
  }

  private Map<String, String> environmentFor(
      JobSpec spec, Optional<String> build, long id, int attempt, Optional<String> device) {
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
    if (build.isPresent()) {
      EnvironmentBuild found =
          environments
              .find(build.get())
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "environment build "
                              + build.get()
                              + " no longer exists; build it again with migctl env create"));
      env = new LinkedHashMap<>(found.activation().applyTo(env));
    }
    env.putAll(spec.variables());
    env.put("MIGCTL_JOB_ID", Long.toString(id));
    env.put("MIGCTL_JOB_NAME", spec.name());
    env.put("MIGCTL_JOB_ATTEMPT", Integer.toString(attempt));
    env.put("CUDA_VISIBLE_DEVICES", device.orElse(""));
    env.put("NVIDIA_VISIBLE_DEVICES", device.orElse("none"));
    return env;
  }
}
