package io.migctl.daemon;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.plan.Repartitioner;
import io.migctl.core.plan.ReshapeBackoff;
import io.migctl.core.plan.ReshapeGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dynamic repartitioning, the reshape part of a scheduling round: when queued jobs fit no free MIG
 * device but would fit if idle instances of a GPU were reshaped, reshapes them (never a busy one)
 * through the same planner and applier as {@code migctl mig apply}. When a GPU may be reshaped is
 * the {@link ReshapeGate} the trace simulator runs too (a cooldown per GPU, a minimum wait per
 * job); a GPU whose reshape failed waits out its {@link ReshapeBackoff}. Runs on the job thread,
 * which owns the gate and the backoff.
 */
final class Reshaper {

  private static final Logger LOG = Logger.getLogger(Reshaper.class.getName());

  private final ReshapeGate.Params params;
  private final MigDriver driver;
  private final ApplyJournal journal;
  private final Supplier<String> applyIds;
  private final Clock clock;
  private final RuntimeJobs jobs;
  private final EffectRunner runner;
  private final JobLoop loop;
  private final Repartitioner repartitioner = new Repartitioner(Repartitioner.Params.defaults());
  private ReshapeGate gate;
  private ReshapeBackoff backoff = ReshapeBackoff.NONE;

  /** Told after every reshape that reached the driver. */
  private final Runnable layoutChanged;

  /**
   * @param applyIds ids for the journal's layout changes
   * @param layoutChanged told after every reshape that reached the driver
   */
  Reshaper(
      ReshapeGate.Params params,
      MigDriver driver,
      ApplyJournal journal,
      Supplier<String> applyIds,
      Clock clock,
      RuntimeJobs jobs,
      EffectRunner runner,
      JobLoop loop,
      Runnable layoutChanged) {
    this.params = params;
    this.gate = ReshapeGate.open(params);
    this.driver = driver;
    this.journal = journal;
    this.applyIds = applyIds;
    this.clock = clock;
    this.jobs = jobs;
    this.runner = runner;
    this.loop = loop;
    this.layoutChanged = layoutChanged;
  }

  /**
   * Reshapes idle instances for the waiting jobs: the jobs that have waited long enough (in
   * decision order, at most as many as there are free compute slices) are offered to the GPUs (one
   * cooling down may only fill room no instance takes), each GPU decides whether a reshape of its
   * idle instances serves them better than keeping them, and every reshape is stored as a {@code
   * reshape} event on the jobs it is for before the driver is called. Asks for another round, so
   * that the jobs are placed on the new devices. Jobs still within their minimum wait, and jobs a
   * cooling GPU would serve, get a note saying so.
   *
   * @param waitingJobs the jobs no free device fits, in decision order
   */
  void reshapeFor(List<Job> waitingJobs) {
    Instant now = clock.instant();
    List<Repartitioner.Gpu> gpus;
    try {
      gpus = offered(now, waitingJobs.size());
    } catch (MigDriverException e) {
      LOG.log(Level.WARNING, "cannot read the GPUs to reshape: " + e.getMessage());
      return;
    }
    int room = gpus.stream().mapToInt(Repartitioner.Gpu::freeSlices).sum();
    List<Job> ready = new ArrayList<>();
    Duration soonest = null;
    for (Job job : waitingJobs) {
      if (ready.size() >= room) {
        break;
      }
      Optional<Duration> wait = gate.jobWaitLeft(job.submittedAt(), now);
      if (wait.isPresent()) {
        Duration left = wait.get();
        soonest = soonest == null || left.compareTo(soonest) < 0 ? left : soonest;
        noFreeDevice(job)
            .ifPresent(
                base ->
                    jobs.waiting()
                        .note(
                            job.id(),
                            new WaitingReason.ReshapeMinimumWait(base, params.minWait(), left)));
      } else {
        ready.add(job);
      }
    }
    if (soonest != null) {
      loop.later(soonest, loop::requestRound);
    }
    if (ready.isEmpty()) {
      return;
    }
    List<Repartitioner.Demand> queue =
        ready.stream()
            .map(j -> Repartitioner.Demand.of("job " + j.id(), j.requirement().orElseThrow()))
            .toList();
    List<Repartitioner.Decision> reshapes =
        repartitioner.plan(gpus, queue).stream().filter(Repartitioner.Decision::reshapes).toList();
    if (reshapes.isEmpty()) {
      noteCooldowns(gpus, queue, ready, waitingJobs.size(), now);
      return;
    }
    boolean reshaped = false;
    for (Repartitioner.Decision d : reshapes) {
      reshaped |= reshape(d, ready, waitingJobs.size(), now);
    }
    if (reshaped) {
      // Place the jobs on the new devices; a failed reshape waits for its backoff instead.
      loop.requestRound();
    }
  }

  /** The GPUs in MIG mode not backing off, with their busy and idle instances. */
  private List<Repartitioner.Gpu> offered(Instant now, int queueLength) {
    Set<String> held = jobs.heldDevices();
    List<Repartitioner.Gpu> gpus = new ArrayList<>();
    for (GpuSnapshot g : GpuSnapshot.readAll(driver)) {
      if (!g.device().migMode().current()) {
        continue;
      }
      List<PlacedInstance> busy = new ArrayList<>();
      List<PlacedInstance> idle = new ArrayList<>();
      for (GpuSnapshot.Instance i : g.instances()) {
        boolean jobHolds =
            i.computeInstances().stream().anyMatch(c -> held.contains(c.computeInstance().uuid()));
        (i.isBusy() || jobHolds ? busy : idle).add(i.placed());
      }
      int index = g.device().index();
      if (backoff.waitLeft(index, now).isPresent()) {
        // Its last reshape failed: it is not offered until its backoff ends (a timer is set).
        continue;
      }
      gpus.add(
          new Repartitioner.Gpu(
              index, g.model(), busy, idle, gate.mayDestroy(index, now, queueLength)));
    }
    return gpus;
  }

  /**
   * When no GPU past its cooldown is worth reshaping but one cooling down would be: tells the jobs
   * it would serve when its next chance comes, and looks again then.
   */
  private void noteCooldowns(
      List<Repartitioner.Gpu> gpus,
      List<Repartitioner.Demand> queue,
      List<Job> ready,
      int queueLength,
      Instant now) {
    if (gpus.stream().allMatch(Repartitioner.Gpu::reshapable)) {
      return;
    }
    List<Repartitioner.Gpu> unblocked =
        gpus.stream()
            .map(g -> new Repartitioner.Gpu(g.index(), g.model(), g.held(), g.idle(), true))
            .toList();
    for (Repartitioner.Decision d : repartitioner.plan(unblocked, queue)) {
      Optional<Duration> left = gate.coolingLeft(d.gpu(), now, queueLength);
      if (!d.reshapes() || left.isEmpty()) {
        continue;
      }
      for (Repartitioner.Assigned a : d.assigned()) {
        Job job = ready.get(a.demand());
        noFreeDevice(job)
            .ifPresent(
                base ->
                    jobs.waiting()
                        .note(
                            job.id(),
                            new WaitingReason.ReshapeCooling(
                                base, d.gpu(), params.cooldown(), left.get())));
      }
      loop.later(left.get(), loop::requestRound);
    }
  }

  /**
   * Reshapes one GPU for the jobs its decision serves. The first attempt of a streak stores a
   * {@code reshape} event on each job before the driver is called; a failure is undone by the
   * applier and starts (or extends) the GPU's {@link ReshapeBackoff}, with one {@code
   * reshape-failed} event per streak, not per attempt; retries are journaled and logged, and the
   * one that succeeds stores the {@code reshape} event. Only a reshape that succeeded starts the
   * GPU's cooldown.
   *
   * @return whether the reshape succeeded
   */
  private boolean reshape(Repartitioner.Decision d, List<Job> ready, int queueLength, Instant now) {
    int gpu = d.gpu();
    Optional<ReshapeBackoff.Streak> streak = backoff.streak(gpu);
    Map<Job, String> served = new LinkedHashMap<>();
    for (Repartitioner.Assigned a : d.assigned()) {
      Job job = ready.get(a.demand());
      served.put(job, ReshapeWords.served(d, a, waitingText(job)));
    }
    if (streak.isEmpty()) {
      // Durable before it is acted on: the events first, then the driver.
      served.forEach((job, detail) -> runner.fire(job, new JobTrigger.Reshaped(detail)));
      served.forEach((job, detail) -> LOG.info("job " + job.id() + ": " + detail));
    } else {
      LOG.info(ReshapeWords.retrying(gpu, streak.get(), d));
    }
    Optional<String> failure = apply(gpu, d);
    // Even a failed apply may have changed some instances before it stopped.
    layoutChanged.run();
    if (failure.isEmpty()) {
      gate = gate.reshaped(gpu, now, queueLength);
      backoff = backoff.succeeded(gpu);
      streak.ifPresent(
          s ->
              served.forEach(
                  (job, detail) ->
                      runner.fire(
                          job.id(),
                          new JobTrigger.Reshaped(ReshapeWords.succeededAfter(detail, s)))));
      return true;
    }
    backoff = backoff.failed(gpu, now);
    Duration wait = backoff.waitLeft(gpu, now).orElse(Duration.ZERO);
    if (streak.isEmpty()) {
      String event = ReshapeWords.failed(gpu, failure.get(), wait);
      LOG.warning(event);
      for (Job job : served.keySet()) {
        runner.fire(job.id(), new JobTrigger.ReshapeFailed(event));
      }
    } else {
      LOG.warning(
          ReshapeWords.failedAgain(
              gpu, backoff.streak(gpu).orElseThrow().failures(), failure.get(), wait));
    }
    loop.later(wait, loop::requestRound);
    return false;
  }

  /** Applies a GPU's new layout; empty when it succeeded, else what went wrong. */
  private Optional<String> apply(int gpu, Repartitioner.Decision d) {
    return applyLayout(driver, journal, applyIds, Map.of(gpu, d.desiredGpu()));
  }

  /**
   * Applies GPUs' new layouts through the {@link LayoutApplier} (journaled; busy instances
   * refused); empty when it succeeded, else what went wrong.
   */
  static Optional<String> applyLayout(
      MigDriver driver,
      ApplyJournal journal,
      Supplier<String> applyIds,
      Map<Integer, DesiredGpu> desired) {
    try {
      ApplyResult result =
          new LayoutApplier(driver, journal, ApplyHooks.NONE, applyIds, LOG::fine).apply(desired);
      if (result.succeeded()) {
        return Optional.empty();
      }
      return Optional.of(
          !result.refusals().isEmpty()
              ? "refused: " + String.join("; ", result.refusals()) + "; nothing was changed"
              : result.failure().orElse("unknown failure"));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "layout change of GPUs " + desired.keySet() + " failed", e);
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  private Optional<WaitingReason.NoFreeDevice> noFreeDevice(Job job) {
    return job.requirement()
        .flatMap(need -> jobs.waiting().forNeed(need))
        .flatMap(
            why -> why instanceof WaitingReason.NoFreeDevice n ? Optional.of(n) : Optional.empty());
  }

  private String waitingText(Job job) {
    return job.requirement()
        .flatMap(need -> jobs.waiting().forNeed(need))
        .map(WaitingText::describe)
        .orElse("null");
  }
}
