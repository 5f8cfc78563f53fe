package io.migctl.cli;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.plan.DesiredGpu;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.NodeGpu;
import io.migctl.core.workload.Workload;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.node.daemon.NodeDaemon;
import io.migctl.node.mig.ApplyHooks;
import io.migctl.node.mig.ApplyJournal;
import io.migctl.node.mig.ApplyResult;
import io.migctl.node.mig.LayoutApplier;
import io.migctl.node.workload.WorkloadFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl up}: the whole thing for one workload — plan, apply, build, run, watch. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run a workload on this node, from MIG layout to finished jobs.",
      "",
      "Plans MIG slices for its jobs, applies them (never touching a busy slice), builds each",
      "job's environment (conda when installed, else venv), starts the daemon, submits the",
      "jobs and shows them live, then prints a summary.",
      "",
      "Without WORKLOAD it runs the bundled example: two A100-40GB GPUs (simulated when there",
      "is no NVIDIA driver), a training job on a 2g.10gb slice, three inference replicas on",
      "1g.5gb slices and a preprocessing job, each in its own environment.",
      "",
      "Afterwards the daemon keeps serving the API until Ctrl-C (jobs: migctl jobs), unless",
      "--exit-when-done is given."
    })
final class UpCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "WORKLOAD",
      arity = "0..1",
      description = "A workload file (default: the bundled shared-server example).")
  Path workloadFile;

  @Option(
      names = "--exit-when-done",
      description = "Stop when every job has finished; exit 0 when all succeeded, else 1.")
  boolean exitWhenDone;

  @Mixin ListenOptions listen;

  @Mixin JobPolicyOptions jobPolicy;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      description =
          "How to build environments: auto, venv, conda, mamba, micromamba (default ${DEFAULT-VALUE}).")
  String backend = "auto";

  /** An environment build of this run, for the daemon's metrics. */
  private record BuildDone(String backend, String outcome, Duration took) {}

  /** How often the live view is redrawn. */
  private static final Duration FRAME = Duration.ofMillis(500);

  @Override
  public Integer call() throws InterruptedException {
    listen.check();
    jobPolicy.check();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path home = root.context().home();

    // 1. the workload
    Path file = workloadFile;
    if (file == null) {
      file =
          WorkloadFiles.copyExample(
              WorkloadFiles.SHARED_SERVER,
              home.resolve("examples").resolve(WorkloadFiles.SHARED_SERVER));
    } else if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("workload " + file + ": no such file");
    }
    Workload workload = WorkloadFiles.read(file.toAbsolutePath());
    Path workdir = file.toAbsolutePath().getParent();
    workload
        .simulate()
        .ifPresent(s -> root.simulateByDefault(s, workload.name() + ": node.simulate"));
    MigDriver driver = root.driver();
    List<GpuSnapshot> live = GpuSnapshot.readAll(driver);
    List<NodeGpu> gpus = live.stream().map(NodeGpu::keepingBusy).toList();
    DemandPlan plan = new DemandPlanner().plan(workload.demands(), gpus);
    // Everything is checked before anything is changed: no layout, environment or daemon file.
    List<String> problems = WorkloadChecks.problems(root, workload, workdir, backend, plan, gpus);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          file
              + ": the workload cannot run here; nothing was changed:\n  "
              + String.join("\n  ", problems));
    }
    out.printf(
        Locale.ROOT,
        "workload %s: %d job(s), %d environment(s)%n",
        workload.name(),
        workload.jobSpecs().size(),
        workload.environments().size());
    out.flush();

    // 2. the layout
    out.println("plan (" + ServeCommand.describe(driver) + "):");
    plan.explain().lines().forEach(l -> out.println("  " + l));
    Map<Integer, DesiredGpu> desired = plan.desiredGpus();
    LayoutApplier applier =
        new LayoutApplier(
            driver,
            new ApplyJournal(home.resolve("mig/journal.jsonl"), Clock.systemUTC()),
            ApplyHooks.NONE,
            () -> UUID.randomUUID().toString(),
            line -> {
              out.println("  " + line);
              out.flush();
            });
    ApplyResult applied = applier.apply(desired);
    if (!applied.succeeded()) {
      applied.refusals().forEach(r -> err.println("migctl: " + r));
      applied.failure().ifPresent(f -> err.println("migctl: " + f));
      err.println("migctl: the layout could not be applied; nothing was started");
      err.flush();
      return ExitCode.FAILURE;
    }
    out.printf(Locale.ROOT, "layout: %d operation(s)%n", applied.operations());
    out.flush();

    // 3. the environments
    Map<String, String> builds = new LinkedHashMap<>();
    List<BuildDone> done = new ArrayList<>();
    for (Map.Entry<String, String> e : workload.environments().entrySet()) {
      Instant t0 = Instant.now();
      EnvironmentStore.Created created =
          EnvCommand.Create.build(
              root, e.getValue(), backend, null, Optional.of(e.getKey()), false, null, p -> {});
      EnvironmentBuild b = created.build();
      builds.put(e.getKey(), b.id());
      Duration took = Duration.between(t0, Instant.now());
      String outcome = created.cacheHit() ? "found" : "built";
      done.add(new BuildDone(b.backend(), outcome, took));
      out.printf(
          Locale.ROOT,
          "environment %-12s %s %s (%s)%s%n",
          e.getKey(),
          created.cacheHit() ? "found" : "built",
          b.shortId(),
          b.backend(),
          created.cacheHit()
              ? ""
              : String.format(
                  Locale.ROOT,
                  " in %.1fs",
                  Duration.between(t0, Instant.now()).toMillis() / 1000.0));
      out.flush();
    }

    // 4. the daemon and the jobs
    NodeDaemon.Options options =
        jobPolicy.applyTo(
            listen.applyTo(
                NodeDaemon.Options.defaults(
                    home, ServeCommand.describe(driver), root.context().environment())));
    NodeDaemon daemon = ServeCommand.start(options, driver);
    try {
      done.forEach(b -> daemon.metrics().recordBuild(b.backend(), b.outcome(), b.took()));
      out.println("daemon listening on " + daemon.url() + " (token: " + daemon.tokenFile() + ")");
      List<Long> ids = new ArrayList<>();
      for (JobSpec s : workload.jobSpecs(Optional.of(workdir.toString()))) {
        JobSpec withBuild =
            new JobSpec(
                s.name(),
                s.command(),
                s.workdir(),
                s.environment().map(builds::get),
                asPlanned(s, plan, gpus),
                s.priority(),
                s.tenant(),
                s.timeout(),
                s.maxRetries(),
                s.variables());
        ids.add(daemon.jobs().submit(withBuild).id());
      }
      out.printf(Locale.ROOT, "submitted %d job(s)%n%n", ids.size());
      out.flush();

      // 5. watch
      List<Job> finished = watch(daemon, ids, out);
      out.println();
      out.println(
          UpView.summary(finished, id -> daemon.jobs().attemptDir(daemon.jobs().require(id))));
      boolean allSucceeded = finished.stream().allMatch(j -> j.state() == JobState.SUCCEEDED);
      out.println(
          allSucceeded
              ? "all " + finished.size() + " jobs succeeded"
              : "some jobs did not succeed; see migctl job ID and migctl logs ID");
      out.flush();
      if (exitWhenDone) {
        return allSucceeded ? ExitCode.OK : ExitCode.FAILURE;
      }
      out.println(
          "still serving on " + daemon.url() + "; Ctrl-C to stop (migctl jobs, migctl submit)");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
      return allSucceeded ? ExitCode.OK : ExitCode.FAILURE;
    } finally {
      daemon.close();
    }
  }

  private static List<Job> watch(NodeDaemon daemon, List<Long> ids, PrintWriter out)
      throws InterruptedException {
    boolean terminal = System.console() != null && System.console().isTerminal();
    UpView view = new UpView(terminal);
    while (true) {
      List<Job> jobs = ids.stream().map(id -> daemon.jobs().require(id)).toList();
      out.print(view.frame(jobs, id -> daemon.jobs().waitingReason(id), Instant.now()));
      out.flush();
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
  static GpuNeed asPlanned(JobSpec spec, DemandPlan plan, List<NodeGpu> gpus) {
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
