package io.migctl.slurm;

import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Slurm controller of a real cluster, asked through {@code scontrol} and {@code squeue} and
 * told through {@code scontrol update}, each run by the {@link ToolRunner} with a time limit.
 * Restarts run the programs a {@link DaemonRestart} names. Thread-safe as its runner is.
 */
public final class ScontrolSlurmController implements SlurmController {

  /** The job states that hold a node's resources. */
  private static final String HOLDING_STATES = "RUNNING,COMPLETING,CONFIGURING,SUSPENDED";

  private final ToolRunner tools;
  private final Map<String, String> environment;
  private final Duration timeout;

  /**
   * @param slurmConf the {@code slurm.conf} to use ({@code SLURM_CONF}); Slurm's default when empty
   * @param timeout how long one command may run, a daemon restart step included
   */
  public ScontrolSlurmController(ToolRunner tools, Optional<Path> slurmConf, Duration timeout) {
    this.tools = Objects.requireNonNull(tools, "tools");
    this.environment = slurmConf.map(p -> Map.of("SLURM_CONF", p.toString())).orElse(Map.of());
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  public SlurmVersion version() {
    String out = succeed(List.of("scontrol", "--version"), "read Slurm's version").stdout();
    try {
      return SlurmVersion.parse(out);
    } catch (IllegalArgumentException e) {
      throw new SlurmControlException("scontrol --version: " + e.getMessage(), e);
    }
  }

  @Override
  public SlurmNode node(String name) {
    String out =
        succeed(List.of("scontrol", "-d", "show", "node", "-o", name), "show node " + name)
            .stdout();
    int jobs = jobsOn(name).size();
    try {
      return ScontrolOutput.node(out, jobs);
    } catch (IllegalArgumentException e) {
      throw new SlurmControlException(
          "cannot read node " + name + " from scontrol: " + e.getMessage(), e);
    }
  }

  @Override
  public void drain(String name, String reason) {
    if (reason.isBlank()) {
      throw new IllegalArgumentException(
          "draining node " + name + " needs a reason that says who drained it and why");
    }
    succeed(
        List.of("scontrol", "update", "NodeName=" + name, "State=DRAIN", "Reason=" + reason),
        "drain node " + name);
  }

  @Override
  public void resume(String name) {
    if (node(name).drainSet()) {
      succeed(
          List.of("scontrol", "update", "NodeName=" + name, "State=RESUME"), "resume node " + name);
    }
  }

  @Override
  public List<SlurmJob> jobsOn(String name) {
    String out =
        succeed(
                List.of(
                    "squeue",
                    "--noheader",
                    "--nodelist=" + name,
                    "--states=" + HOLDING_STATES,
                    "--format=" + ScontrolOutput.SQUEUE_FORMAT),
                "list the jobs on node " + name)
            .stdout();
    try {
      return ScontrolOutput.jobs(out);
    } catch (IllegalArgumentException e) {
      throw new SlurmControlException(e.getMessage(), e);
    }
  }

  @Override
  public List<DaemonRestart.Step> restartDaemons(DaemonRestart restart) {
    List<DaemonRestart.Step> steps = restart.steps();
    List<DaemonRestart.Step> done = new ArrayList<>();
    for (DaemonRestart.Step step : steps) {
      ToolResult r = runOrThrow(step.argv(), step.action().words());
      if (!r.succeeded()) {
        String left =
            steps.subList(done.size(), steps.size()).stream()
                .map(s -> "  " + s.display())
                .collect(Collectors.joining("\n"));
        throw new SlurmControlException(
            "could not "
                + step.action().words()
                + ": "
                + describe(step.argv(), r)
                + "\nRun these by hand, in this order, once the cause is fixed:\n"
                + left);
      }
      done.add(step);
    }
    return List.copyOf(done);
  }

  private ToolResult succeed(List<String> argv, String what) {
    ToolResult r = runOrThrow(argv, what);
    if (!r.succeeded()) {
      throw new SlurmControlException("could not " + what + ": " + describe(argv, r));
    }
    return r;
  }

  private ToolResult runOrThrow(List<String> argv, String what) {
    try {
      return tools.run(ToolCommand.of(argv).withAddedEnvironment(environment).withTimeout(timeout));
    } catch (IOException e) {
      throw new SlurmControlException(
          "could not "
              + what
              + ": "
              + e.getMessage()
              + (List.of("scontrol", "squeue").contains(argv.getFirst())
                  ? ". Is Slurm's client installed (Debian: apt-get install slurm-client)?"
                  : ". Is " + argv.getFirst() + " installed and on PATH?"),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SlurmControlException("interrupted while trying to " + what, e);
    }
  }

  /** {@code argv}, how it ended and what it printed, for messages. */
  static String describe(List<String> argv, ToolResult r) {
    String ending =
        switch (r.ending()) {
          case ToolResult.Exited(int status) -> "exited with status " + status;
          case ToolResult.TimedOut(Duration limit) -> "did not finish within " + limit;
        };
    String printed = r.output().strip();
    return String.join(" ", argv) + " " + ending + (printed.isEmpty() ? "" : ": " + printed);
  }
}
