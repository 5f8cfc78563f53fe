package io.migctl.cli;

import io.migctl.apply.ApplyResult;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.workload.Workload;
import io.migctl.daemon.NodeDaemon;
import io.migctl.daemon.up.Up;
import io.migctl.env.store.EnvironmentBuild;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code migctl up}: the whole thing for one workload — plan, apply, build, run, watch — as {@link
 * Up} does it; this command parses the options and prints what it reports.
 */
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

  @Override
  public Integer call() throws InterruptedException {
    listen.check();
    jobPolicy.check();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean terminal = System.console() != null && System.console().isTerminal();
    UpView view = new UpView(terminal);
    Up up =
        new Up(
            new UpEnvironments(root, backend), step -> print(step, out, view), Clock.systemUTC());
    Up.Outcome outcome =
        up.run(
            new Up.Request(
                Optional.ofNullable(workloadFile),
                root.context().home(),
                root.context().environment(),
                options -> jobPolicy.applyTo(listen.applyTo(options)),
                workload -> {
                  workload
                      .simulate()
                      .ifPresent(
                          s -> root.simulateByDefault(s, workload.name() + ": node.simulate"));
                  return root.node();
                }));
    return switch (outcome) {
      case Up.Outcome.NotApplied(ApplyResult applied) -> {
        applied.refusals().forEach(r -> err.println("migctl: " + r));
        applied.failure().ifPresent(f -> err.println("migctl: " + f));
        err.println("migctl: the layout could not be applied; nothing was started");
        err.flush();
        yield ExitCode.FAILURE;
      }
      case Up.Outcome.Finished finished -> {
        try (NodeDaemon daemon = finished.daemon()) {
          yield finished(finished, daemon, out);
        }
      }
    };
  }

  /** The summary, then, unless {@code --exit-when-done}, serving until Ctrl-C. */
  private int finished(Up.Outcome.Finished finished, NodeDaemon daemon, PrintWriter out)
      throws InterruptedException {
    out.println();
    out.println(
        UpView.summary(finished.jobs(), id -> daemon.jobs().attemptDir(daemon.jobs().require(id))));
    boolean allSucceeded = finished.allSucceeded();
    out.println(
        allSucceeded
            ? "all " + finished.jobs().size() + " jobs succeeded"
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
  }

  /** A step of the run, in words. */
  private static void print(Up.Step step, PrintWriter out, UpView view) {
    switch (step) {
      case Up.Step.Planned(Workload workload, String node, DemandPlan plan) -> {
        out.printf(
            Locale.ROOT,
            "workload %s: %d job(s), %d environment(s)%n",
            workload.name(),
            workload.jobSpecs().size(),
            workload.environments().size());
        out.flush();
        out.println("plan (" + node + "):");
        plan.explain().lines().forEach(l -> out.println("  " + l));
      }
      case Up.Step.Applying(String line) -> out.println("  " + line);
      case Up.Step.Applied(int operations) ->
          out.printf(Locale.ROOT, "layout: %d operation(s)%n", operations);
      case Up.Step.EnvironmentReady(
              String name,
              EnvironmentBuild build,
              boolean found,
              Duration took) ->
          out.printf(
              Locale.ROOT,
              "environment %-12s %s %s (%s)%s%n",
              name,
              found ? "found" : "built",
              build.shortId(),
              build.backend(),
              found ? "" : String.format(Locale.ROOT, " in %.1fs", took.toMillis() / 1000.0));
      case Up.Step.DaemonStarted(NodeDaemon daemon) ->
          out.println(
              "daemon listening on " + daemon.url() + " (token: " + daemon.home().token() + ")");
      case Up.Step.Submitted(List<Long> ids) ->
          out.printf(Locale.ROOT, "submitted %d job(s)%n%n", ids.size());
      case Up.Step.Watching w -> out.print(view.frame(w.jobs(), w.waiting(), w.at()));
    }
    out.flush();
  }
}
