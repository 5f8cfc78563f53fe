package io.migctl.daemon.up;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.NodeGpu;
import io.migctl.core.plan.WholeGpuPlan;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.core.workload.Workload;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.workload.WorkloadFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * {@code migctl up}: one workload on this node, start to end. Reads the workload (the bundled
 * example without one), plans MIG slices for its jobs, checks everything before changing anything,
 * applies the layout (never touching a busy slice), builds each environment, starts the daemon,
 * submits the jobs and watches them until every one has finished.
 *
 * <p>What happens is reported to a {@link Progress} listener as {@link Step} values, which the
 * command turns into words; the outcome is a value too. Not thread-safe: one run per instance.
 */
public final class Up {

  /** How often the jobs are looked at while they run. */
  public static final Duration FRAME = Duration.ofMillis(500);

  /**
   * Environment building as the CLI chooses backends for it; the one thing {@code up} needs from
   * outside this module.
   */
  public interface Environments {

    /** Why the spec file cannot be built here, if it cannot; checked before anything changes. */
    Optional<String> problem(String specFile);

    /** Builds (or finds) the spec file's environment and names it {@code name}. */
    EnvironmentStore.Created build(String name, String specFile);
  }

  /** Hears each step as it happens. */
  @FunctionalInterface
  public interface Progress {
    void step(Step step);
  }

  /** What {@code up} reports as it goes, in order. */
  public sealed interface Step {

    /** The workload was read and planned, on {@code node} (its description). */
    record Planned(Workload workload, String node, DemandPlan plan) implements Step {}

    /** A line of the layout applier's account. */
    record Applying(String line) implements Step {}

    /** The layout is in place after {@code operations} driver operations. */
    record Applied(int operations) implements Step {}

    /** An environment is ready: found in the store, or built in {@code took}. */
    record EnvironmentReady(String name, EnvironmentBuild build, boolean found, Duration took)
        implements Step {}

    /** The daemon listens. */
    record DaemonStarted(NodeDaemon daemon) implements Step {}

    /** Every job was submitted. */
    record Submitted(List<Long> ids) implements Step {}

    /**
     * The jobs as they are now, with what each queued one waits for; one every {@link #FRAME} while
     * they run.
     */
    record Watching(List<Job> jobs, Function<Long, Optional<WaitingReason>> waiting, Instant at)
        implements Step {}
  }

  /** How a run ended. */
  public sealed interface Outcome {

    /** The layout could not be applied; nothing was started. */
    record NotApplied(ApplyResult result) implements Outcome {}

    /**
     * Every job has finished; the daemon still serves, and is the caller's to close.
     *
     * @param jobs the workload's jobs as they ended, in submission order
     */
    record Finished(NodeDaemon daemon, List<Job> jobs) implements Outcome {

      public Finished {
        jobs = List.copyOf(jobs);
      }

      /** Whether every job succeeded. */
      public boolean allSucceeded() {
        return jobs.stream().allMatch(j -> j.state() == JobState.SUCCEEDED);
      }
    }
  }

  /**
   * What a run is given.
   *
   * @param workloadFile the workload; empty for the bundled example
   * @param home where the layout journal, the environments and the daemon's files go
   * @param environment the process's variables: the jobs' start, and {@code PATH} for the checks
   * @param options the daemon's options from the defaults (listen address, job policy)
   * @param nodeFor the node to run on, once the workload is read (its {@code node.simulate} may
   *     choose the simulated node)
   */
  public record Request(
      Optional<Path> workloadFile,
      MigctlHome home,
      Map<String, String> environment,
      UnaryOperator<NodeDaemon.Options> options,
      Function<Workload, GpuNode> nodeFor) {

    public Request {
      environment = Map.copyOf(environment);
    }
  }

  private final Environments environments;
  private final Progress progress;
  private final Clock clock;

  /**
   * @param environments checks and builds the workload's environments
   * @param progress hears every step
   * @param clock times the builds and stamps the frames
   */
  public Up(Environments environments, Progress progress, Clock clock) {
    this.environments = environments;
    this.progress = progress;
    this.clock = clock;
  }

  /**
   * Runs the workload until every job has finished.
   *
   * @throws IllegalArgumentException when the workload file is missing, does not parse, or cannot
   *     run here (every reason is listed); nothing was changed then
   * @throws InterruptedException when interrupted while watching; the daemon is closed then
   */
  public Outcome run(Request request) throws InterruptedException {
    MigctlHome home = request.home();
    Path file = workloadFile(request);
    Workload workload = WorkloadFiles.read(file.toAbsolutePath());
    Path workdir = file.toAbsolutePath().getParent();
    GpuNode node = request.nodeFor().apply(workload);
    List<NodeGpu> gpus =
        GpuSnapshot.readAll(node.driver()).stream().map(NodeGpu::keepingBusy).toList();
    WholeGpuPlan.Split split = WholeGpuPlan.split(workload.demands());
    WholeGpuPlan both =
        WholeGpuPlan.plan(
            new DemandPlanner(),
            split.slices(),
            split.whole(),
            gpus,
            TenantDirectory.of(workload.tenants()));
    DemandPlan plan = both.slices();
    // Everything is checked before anything is changed: no layout, environment or daemon file.
    List<String> problems =
        new WorkloadChecks(environments::problem, request.environment().getOrDefault("PATH", ""))
            .problems(workload, workdir, both, gpus);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + ": the workload cannot run here; nothing was changed:\n  "
              + String.join("\n  ", problems));
    }
    progress.step(new Step.Planned(workload, node.description(), plan));

    ApplyResult applied =
        new LayoutApplier(
                node.driver(),
                new ApplyJournal(home.journal(), clock),
                ApplyHooks.NONE,
                () -> UUID.randomUUID().toString(),
                line -> progress.step(new Step.Applying(line)))
            .apply(both.desiredGpus());
    if (!applied.succeeded()) {
      return new Outcome.NotApplied(applied);
    }
    progress.step(new Step.Applied(applied.operations()));

    Map<String, EnvironmentBuild> builds = new LinkedHashMap<>();
    List<Step.EnvironmentReady> ready = new ArrayList<>();
    for (Map.Entry<String, String> e : workload.environments().entrySet()) {
      Instant t0 = clock.instant();
      EnvironmentStore.Created created = environments.build(e.getKey(), e.getValue());
      Step.EnvironmentReady done =
          new Step.EnvironmentReady(
              e.getKey(),
              created.build(),
              created.cacheHit(),
              Duration.between(t0, clock.instant()));
      builds.put(e.getKey(), created.build());
      ready.add(done);
      progress.step(done);
    }

    NodeDaemon daemon =
        DaemonAssembly.start(
            request.options().apply(NodeDaemon.Options.defaults(home, request.environment())),
            node);
    try {
      ready.forEach(
          r ->
              daemon
                  .metrics()
                  .recordBuild(r.build().backend(), r.found() ? "found" : "built", r.took()));
      progress.step(new Step.DaemonStarted(daemon));
      // The workload's tenants hold its jobs to the quotas the plan was made within.
      daemon.declareTenants(workload.tenants());
      List<Long> ids = new ArrayList<>();
      for (JobSpec s : workload.jobSpecs(Optional.of(workdir.toString()))) {
        JobSpec withBuild =
            new JobSpec(
                s.name(),
                s.command(),
                s.workdir(),
                s.environment().map(name -> builds.get(name).id()),
                asPlanned(s, plan, gpus),
                s.priority(),
                s.tenant(),
                s.timeout(),
                s.maxRetries(),
                s.variables(),
                s.limits(),
                s.image());
        ids.add(daemon.jobs().submit(withBuild, Principal.OPERATOR).id());
      }
      progress.step(new Step.Submitted(ids));
      return new Outcome.Finished(daemon, watch(daemon, ids));
    } catch (InterruptedException | RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  /** The workload file: the one given, which must exist, else the bundled example, copied out. */
  private static Path workloadFile(Request request) {
    if (request.workloadFile().isEmpty()) {
      return WorkloadFiles.copyExample(
          WorkloadFiles.SHARED_SERVER,
          request.home().examples().resolve(WorkloadFiles.SHARED_SERVER));
    }
    Path file = request.workloadFile().get();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("workload " + file + ": no such file");
    }
    return file;
  }

  /** Reports the jobs every {@link #FRAME} until all have finished; returns them then. */
  private List<Job> watch(NodeDaemon daemon, List<Long> ids) throws InterruptedException {
    Consumer<List<Job>> frame =
        jobs ->
            progress.step(new Step.Watching(jobs, daemon.jobs()::waitingReason, clock.instant()));
    while (true) {
      List<Job> jobs = ids.stream().map(id -> daemon.jobs().require(id)).toList();
      frame.accept(jobs);
      if (jobs.stream().allMatch(j -> j.state().isTerminal())) {
        return jobs;
      }
      Thread.sleep(FRAME.toMillis());
    }
  }

  /**
   * The need a job is submitted with: its own, unless it names a GPU-instance profile no GPU of the
   * node has (say {@code 2g.10gb} on an H100 node), in which case the planner chose the equivalent
   * profile of the node's model and the job asks for that, so that admission takes it.
   */
  public static GpuNeed asPlanned(JobSpec spec, DemandPlan plan, List<NodeGpu> gpus) {
    if (!(spec.gpu() instanceof GpuNeed.Profile p) || p.name().isComputeInstance()) {
      return spec.gpu();
    }
    boolean offered = gpus.stream().anyMatch(g -> g.model().profile(p.name()).isPresent());
    if (offered) {
      return spec.gpu();
    }
    return plan.assignmentOf(spec.name())
        .<GpuNeed>map(a -> new GpuNeed.Profile(a.instance().profile().name()))
        .orElse(spec.gpu());
  }
}
