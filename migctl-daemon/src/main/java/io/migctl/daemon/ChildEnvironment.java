package io.migctl.daemon;

import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.Requirement;
import io.migctl.daemon.container.ContainerJob;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.container.MigDeviceNodes;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.daemon.run.ProcessLauncher;
import io.migctl.env.Activation;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a job's command gets: its environment (inherited in part from the daemon, its environment
 * build's activation, its own variables, {@code MIGCTL_JOB_*}, its device) and its program as
 * resolved on that environment's {@code PATH}; and, at submit, whether that could ever start.
 *
 * <p>A job with an image runs in a container instead ({@link ContainerRuntime}): the supervisor
 * runs the engine's client, the container gets only the job's own variables, {@code MIGCTL_JOB_*},
 * its device (the variables and the device nodes) and, with an environment build, that build
 * mounted read-only at its own path and activated on top of the usual {@code PATH}; nothing of the
 * daemon's environment. Its working directory is a path in the container.
 */
final class ChildEnvironment {

  /**
   * Stands for a job's MIG device in {@code CUDA_VISIBLE_DEVICES} when a submission's exec size is
   * checked: at least as long as any device UUID ({@code MIG-} and 36 characters, or the older
   * {@code MIG-GPU-<uuid>/<gi>/<ci>}).
   */
  private static final String WIDEST_DEVICE = "MIG-" + "0".repeat(60);

  /** The {@code PATH} that Docker gives a container whose image sets none. */
  static final String CONTAINER_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * What the supervisor runs for an attempt.
   *
   * @param command the program and its arguments
   * @param environment its complete environment
   * @param workdir the folder it starts in
   */
  record Start(List<String> command, Map<String, String> environment, Path workdir) {}

  private final EnvironmentStore environments;
  private final Map<String, String> baseEnvironment;
  private final ProcessLauncher launcher;
  private final JobFolders folders;
  private final ExecLimits exec;
  private final ContainerRuntime containers;
  private final MigDeviceNodes deviceNodes;

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
      ExecLimits exec,
      ContainerRuntime containers,
      MigDeviceNodes deviceNodes) {
    this.environments = environments;
    this.baseEnvironment = Map.copyOf(JobEnvironment.inherited(baseEnvironment, passEnvironment));
    this.launcher = launcher;
    this.folders = folders;
    this.exec = exec;
    this.containers = containers;
    this.deviceNodes = deviceNodes;
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

  /**
   * What the supervisor runs for a job's current attempt: the command itself in its working
   * directory (the attempt's job folder by default), or the container engine's client.
   *
   * @throws IllegalStateException when the job's environment build is gone, or its device's nodes
   *     cannot be found
   */
  Start start(Job job, Path attemptDir, Optional<LaunchConfinement.FileOwner> user) {
    Optional<String> device = visibleDevices(job.devices().stream().map(Job.Device::uuid).toList());
    if (job.spec().image().isPresent()) {
      ContainerRuntime.Invocation run =
          containers.run(
              containerJob(
                  job.spec(),
                  job.environmentBuild(),
                  job.id(),
                  job.attempt(),
                  job.devices().stream()
                      .map(d -> new ContainerJob.Device(d.uuid(), d.whole(), deviceNodes.of(d)))
                      .toList(),
                  user.map(o -> o.uid() + ":" + o.gid())));
      return new Start(run.argv(), run.environment(), attemptDir.getParent());
    }
    Map<String, String> env =
        environmentFor(
            baseEnvironment, job.spec(), job.environmentBuild(), job.id(), job.attempt(), device);
    return new Start(
        command(job.spec(), env),
        env,
        job.spec().workdir().map(Path::of).orElse(attemptDir.getParent()));
  }

  /** The folder of the job's environment build ({@code envs/<id>}), if it names one. */
  Optional<Path> buildFolder(Job job) {
    return job.environmentBuild().map(this::build).map(b -> b.prefix().getParent());
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
    int lastAttempt = spec.maxRetries() + 1;
    Optional<String> device =
        requirement.flatMap(r -> visibleDevices(Collections.nCopies(r.devices(), WIDEST_DEVICE)));
    Map<String, String> env;
    List<String> cmd;
    if (spec.image().isPresent()) {
      Optional<String> why = containers.unavailable();
      if (why.isPresent()) {
        throw DaemonException.invalid(
            "image: this daemon cannot run containers: "
                + why.get()
                + "; or leave the image out to run the job on the host");
      }
      boolean whole = spec.gpu() instanceof GpuNeed.WholeGpus;
      List<ContainerJob.Device> devices =
          Collections.nCopies(
              requirement.map(Requirement::devices).orElse(0),
              new ContainerJob.Device(WIDEST_DEVICE, whole, List.of()));
      ContainerRuntime.Invocation run;
      try {
        run =
            containers.run(
                containerJob(
                    spec,
                    build,
                    Long.MAX_VALUE,
                    lastAttempt,
                    devices,
                    Optional.of(Integer.MAX_VALUE + ":" + Integer.MAX_VALUE)));
      } catch (IllegalArgumentException e) {
        throw DaemonException.invalid("image: " + e.getMessage());
      }
      env = run.environment();
      cmd = run.argv();
    } else {
      spec.workdir().ifPresent(StartChecks::checkWorkdir);
      env = environmentFor(baseEnvironment, spec, build, Long.MAX_VALUE, lastAttempt, device);
      // Sized without looking for the program: the longest it could resolve to.
      cmd = Activation.widestProgram(spec.command(), env);
    }
    StartChecks.checkExec(
        spec,
        env,
        launcher.supervisorExec(folders.attemptDir(Long.MAX_VALUE, lastAttempt), cmd, env),
        exec);
  }

  /**
   * What {@code CUDA_VISIBLE_DEVICES} lists: the devices' UUIDs, comma-separated (CUDA gives each
   * process one MIG device, the first it can open; each process of a job with several picks its own
   * from the list). Empty for none.
   */
  static Optional<String> visibleDevices(List<String> uuids) {
    return uuids.isEmpty() ? Optional.empty() : Optional.of(String.join(",", uuids));
  }

  private ContainerJob containerJob(
      JobSpec spec,
      Optional<String> build,
      long id,
      int attempt,
      List<ContainerJob.Device> devices,
      Optional<String> user) {
    Optional<EnvironmentBuild> found = build.map(this::build);
    Map<String, String> base =
        found.isPresent() ? Map.of("PATH", CONTAINER_PATH) : Map.<String, String>of();
    return new ContainerJob(
        ContainerJob.nameOf(id, attempt),
        spec.image().orElseThrow(),
        spec.command(),
        environmentFor(
            base,
            spec,
            build,
            id,
            attempt,
            visibleDevices(devices.stream().map(ContainerJob.Device::uuid).toList())),
        spec.workdir(),
        spec.limits(),
        devices,
        found.map(EnvironmentBuild::prefix).stream().toList(),
        user);
  }

  private EnvironmentBuild build(String id) {
    return environments
        .find(id)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "environment build "
                        + id
                        + " no longer exists; build it again with migctl env create"));
  }

  private Map<String, String> environmentFor(
      Map<String, String> base,
      JobSpec spec,
      Optional<String> build,
      long id,
      int attempt,
      Optional<String> device) {
    Map<String, String> env = new LinkedHashMap<>(base);
    if (build.isPresent()) {
      env = new LinkedHashMap<>(build(build.get()).activation().applyTo(env));
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
