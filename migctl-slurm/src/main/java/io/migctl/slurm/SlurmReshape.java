package io.migctl.slurm;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.slurm.GresNaming;
import io.migctl.nvidia.dev.DeviceNodes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Changes the MIG layout of a Slurm node without breaking the cluster: drain the node (with a
 * reason naming migctl), wait until no job runs on it, apply the layout (busy-safe, journaled),
 * write the node's Slurm GPU files again, restart the daemons in the order that keeps the node from
 * {@code INVALID_REG} (or say the steps when migctl may not run them), and resume it.
 *
 * <p>Every step is written to the {@link ReshapeLog} before it is taken and when it ends. A refused
 * apply (a slice still busy — a process Slurm does not know about) leaves the node drained with the
 * reason and the files as they were; a wait that times out resumes the node, which nothing changed;
 * a failed apply (undone by the applier) or a failed restart leaves the node drained with the
 * reason, and the files matching the GPUs as they are.
 */
public final class SlurmReshape {

  private final SlurmController slurm;
  private final MigDriver driver;
  private final DeviceNodes deviceNodes;
  private final ApplyJournal journal;
  private final ReshapeLog log;
  private final Supplier<String> ids;
  private final Clock clock;
  private final Consumer<Duration> pause;
  private final Consumer<String> progress;

  /**
   * @param pause waits between looks at the node while it drains
   * @param progress receives one line per step, for people watching
   */
  public SlurmReshape(
      SlurmController slurm,
      MigDriver driver,
      DeviceNodes deviceNodes,
      ApplyJournal journal,
      ReshapeLog log,
      Supplier<String> ids,
      Clock clock,
      Consumer<Duration> pause,
      Consumer<String> progress) {
    this.slurm = slurm;
    this.driver = driver;
    this.deviceNodes = deviceNodes;
    this.journal = journal;
    this.log = log;
    this.ids = ids;
    this.clock = clock;
    this.pause = pause;
    this.progress = progress;
  }

  /**
   * What to do.
   *
   * @param node the Slurm node name
   * @param config the config's name, for the drain reason
   * @param desired the desired layouts by GPU index
   * @param gresDir where {@code gres.conf}, {@code gres-node.conf} and {@code gres-map.tsv} live
   * @param restart how to restart the daemons; empty: migctl may not, it prints the steps
   * @param manualRestart the steps to print when {@code restart} is empty
   * @param timeout how long to wait for the node to drain
   * @param poll how often to look
   */
  public record Request(
      String node,
      String config,
      Map<Integer, DesiredGpu> desired,
      Path gresDir,
      GresNaming naming,
      Optional<DaemonRestart> restart,
      DaemonRestart manualRestart,
      Duration timeout,
      Duration poll) {
    public Request {
      desired = Map.copyOf(desired);
    }
  }

  /** How a reshape ended. */
  public enum Outcome {
    /** Nothing to change: the GPUs already have the layout; the node was not drained. */
    AS_DESIRED,
    /** Changed, the daemons restarted, the node resumed. */
    DONE,
    /** Changed; the daemons must be restarted by hand (the steps), then the node resumed. */
    RESTART_BY_HAND,
    /** The node did not drain in time; it was resumed, nothing changed. */
    TIMED_OUT,
    /** The apply was refused around a busy slice: the node stays drained, nothing changed. */
    REFUSED,
    /** A step failed: the node stays drained with the reason. */
    FAILED
  }

  /**
   * What a reshape did.
   *
   * @param plans each GPU's plan
   * @param message one sentence for people
   * @param manualSteps the daemon restart steps to run by hand, when any
   */
  public record Result(
      Outcome outcome,
      String id,
      List<GpuPlan> plans,
      int operations,
      String message,
      List<DaemonRestart.Step> manualSteps) {
    public Result {
      plans = List.copyOf(plans);
      manualSteps = List.copyOf(manualSteps);
    }

    /** Whether the node is back in service with its new layout (or never left it). */
    public boolean succeeded() {
      return outcome == Outcome.AS_DESIRED || outcome == Outcome.DONE;
    }
  }

  /**
   * The plans as the GPUs are now, and nothing changed: what {@code --dry-run} shows. Refusals here
   * may be the node's running jobs, which draining ends.
   */
  public ApplyResult plan(Map<Integer, DesiredGpu> desired) {
    return applier("dry-run").plan(desired, GpuSnapshot.readAll(driver));
  }

  /** Runs the reshape. */
  public Result run(Request r) {
    String id = ids.get();
    ApplyResult planned = plan(r.desired());
    List<GpuPlan> plans = planned.plans();
    if (planned.refusals().isEmpty() && plans.stream().allMatch(GpuPlan::isNoop)) {
      return new Result(
          Outcome.AS_DESIRED,
          id,
          plans,
          0,
          "the GPUs already have config \"" + r.config() + "\"; the node was not drained",
          List.of());
    }
    String reason = "migctl reshape " + id + " to " + r.config();
    step(id, "drain", reason, () -> slurm.drain(r.node(), reason));
    Optional<String> notDrained = awaitDrained(id, r);
    if (notDrained.isPresent()) {
      step(id, "resume", "the node did not drain in time", () -> slurm.resume(r.node()));
      return new Result(Outcome.TIMED_OUT, id, plans, 0, notDrained.get(), List.of());
    }
    log.begin(id, "apply", "config " + r.config());
    ApplyResult applied = applier(id).apply(r.desired());
    log.end(id, "apply", applied.succeeded() ? "applied" : "not applied");
    if (!applied.refusals().isEmpty()) {
      String why = "migctl reshape " + id + " refused: " + String.join("; ", applied.refusals());
      step(id, "drain", why, () -> slurm.drain(r.node(), why));
      return new Result(
          Outcome.REFUSED,
          id,
          applied.plans(),
          0,
          why
              + "; the node stays drained and its files are unchanged; free the slice, then"
              + " run the reshape again (or resume the node: scontrol update nodename="
              + r.node()
              + " state=resume)",
          List.of());
    }
    step(
        id,
        "files",
        r.gresDir().toString(),
        () -> new GresFiles(driver, deviceNodes).write(r.gresDir(), r.node(), r.naming()));
    if (applied.failure().isPresent()) {
      String why = "migctl reshape " + id + " failed: " + applied.failure().get();
      step(id, "drain", why, () -> slurm.drain(r.node(), why));
      return new Result(
          Outcome.FAILED,
          id,
          applied.plans(),
          applied.operations(),
          why
              + "; the node stays drained; its files match the GPUs as they are; restart the"
              + " daemons and resume it, or run the reshape again",
          r.manualRestart().steps());
    }
    if (r.restart().isEmpty()) {
      String why = "migctl reshape " + id + ": restart the Slurm daemons, then resume the node";
      step(id, "drain", why, () -> slurm.drain(r.node(), why));
      return new Result(
          Outcome.RESTART_BY_HAND,
          id,
          applied.plans(),
          applied.operations(),
          "the GPUs have config \""
              + r.config()
              + "\" and the files are written; the node stays drained until the daemons are"
              + " restarted in this order and it is resumed",
          r.manualRestart().steps());
    }
    try {
      step(
          id,
          "restart",
          "slurmd, slurmctld, slurmd",
          () -> slurm.restartDaemons(r.restart().get()));
    } catch (SlurmControlException e) {
      String why = "migctl reshape " + id + ": restarting the daemons failed: " + e.getMessage();
      quietly(() -> slurm.drain(r.node(), why));
      return new Result(
          Outcome.FAILED,
          id,
          applied.plans(),
          applied.operations(),
          why,
          r.manualRestart().steps());
    }
    step(id, "resume", "", () -> slurm.resume(r.node()));
    return new Result(
        Outcome.DONE,
        id,
        applied.plans(),
        applied.operations(),
        "node "
            + r.node()
            + " has config \""
            + r.config()
            + "\": "
            + applied.operations()
            + " operation(s), daemons restarted, node resumed",
        List.of());
  }

  private Optional<String> awaitDrained(String id, Request r) {
    Instant deadline = clock.instant().plus(r.timeout());
    log.begin(id, "wait", "for the jobs on " + r.node() + " to end");
    String last = "";
    while (true) {
      SlurmNode node = slurm.node(r.node());
      if (node.drained()) {
        log.end(id, "wait", "drained");
        return Optional.empty();
      }
      List<String> jobs = slurm.jobsOn(r.node()).stream().map(SlurmJob::id).toList();
      String now = "waiting for " + jobs.size() + " job(s) on " + r.node() + ": " + jobs;
      if (!now.equals(last)) {
        progress.accept(now);
        last = now;
      }
      if (!clock.instant().isBefore(deadline)) {
        log.end(id, "wait", "timed out");
        return Optional.of(
            "node "
                + r.node()
                + " did not drain within "
                + r.timeout()
                + " (jobs still running: "
                + jobs
                + "); it was resumed and nothing changed; run the reshape again with a longer"
                + " --timeout, or when the jobs have ended");
      }
      pause.accept(r.poll());
    }
  }

  private void step(String id, String name, String detail, Runnable action) {
    progress.accept(name + (detail.isEmpty() ? "" : ": " + detail));
    log.begin(id, name, detail);
    action.run();
    log.end(id, name, "done");
  }

  private static void quietly(Runnable action) {
    try {
      action.run();
    } catch (SlurmControlException e) {
      // The failure being reported is the one that matters; this one is in its message's wake.
    }
  }

  private LayoutApplier applier(String id) {
    return new LayoutApplier(
        driver, journal, ApplyHooks.NONE, () -> id, line -> progress.accept("  " + line));
  }
}
