package io.migctl.daemon;

import io.migctl.core.job.IncrementalScheduler;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.TopologyPreference;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.job.WholeGpu;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.tenant.Quotas;
import io.migctl.core.tenant.TenantDirectory;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One scheduling round, on the job thread: reads the devices, lets the {@link IncrementalScheduler}
 * place what it can within the tenants' quotas and fair shares, records why the rest waits, and
 * hands the jobs no free device fits to the {@link Reshaper} when the daemon reshapes.
 */
final class SchedulingRound implements Runnable {

  private static final Logger LOG = Logger.getLogger(SchedulingRound.class.getName());

  private final RuntimeJobs jobs;
  private final MigDriver driver;
  private final Clock clock;
  private final JobStore store;
  private final EffectRunner runner;
  private final Optional<Reshaper> reshaper;
  private final TenantDirectory tenants;
  private final MigModeSwitch modeSwitch;

  /** The node's GPU topology, read from the driver once it was needed; it does not change. */
  private GpuTopology topology;

  /**
   * @param reshaper reshapes idle instances for waiting jobs; empty when the daemon does not
   * @param tenants whose weights and limits each round reads anew
   * @param modeSwitch turns MIG off on the GPUs a job was granted whole, where the grant says so
   */
  SchedulingRound(
      RuntimeJobs jobs,
      MigDriver driver,
      Clock clock,
      JobStore store,
      EffectRunner runner,
      Optional<Reshaper> reshaper,
      TenantDirectory tenants,
      MigModeSwitch modeSwitch) {
    this.tenants = tenants;
    this.modeSwitch = modeSwitch;
    this.jobs = jobs;
    this.driver = driver;
    this.clock = clock;
    this.store = store;
    this.runner = runner;
    this.reshaper = reshaper;
  }

  @Override
  public void run() {
    IncrementalScheduler queue = jobs.queue();
    WaitingBoard waiting = jobs.waiting();
    if (queue.size() == 0) {
      waiting.clear();
      return;
    }
    List<MigSlot> all;
    List<WholeGpu> gpus;
    try {
      List<GpuSnapshot> snapshots = GpuSnapshot.readAll(driver);
      all = MigSlot.of(snapshots, jobs.ownPids());
      gpus = WholeGpu.of(snapshots, jobs.ownPids());
    } catch (MigDriverException e) {
      waiting.driverUnavailable(e.getMessage());
      return;
    }
    Set<String> held = jobs.heldDevices();
    List<MigSlot> free = all.stream().filter(s -> !held.contains(s.uuid())).toList();
    queue.devices(all, free);
    queue.gpus(gpus, IncrementalScheduler.heldWhole(jobs.active()));
    if (gpus.size() > 1) {
      queue.topology(topology(), TopologyPreference.CLOSEST);
    }
    queue.running(jobs.active());
    queue.tenants(Quotas.rules(tenants));
    for (Scheduler.Assignment a : queue.decide(clock.instant())) {
      place(a);
    }
    Map<Requirement, WaitingReason> reasons = new HashMap<>();
    for (Requirement need : queue.waitingNeeds()) {
      reasons.put(need, queue.whyWaiting(need));
    }
    waiting.decided(reasons, queue.cpuJobsWaiting(), queue.quotaWaiting());
    for (Job gang : jobs.queuedGangs()) {
      waiting.note(gang.id(), queue.whyWaiting(gang));
    }
    if (reshaper.isPresent() && !reasons.isEmpty()) {
      // Jobs their tenant's limits keep waiting would not run on a new device either.
      reshaper.get().reshapeFor(queue.runnableInOrder());
    }
  }

  /**
   * The driver's topology, read once; a driver that cannot tell gives none this round, and gang
   * jobs then take the lowest-numbered GPUs.
   */
  private GpuTopology topology() {
    if (topology == null) {
      try {
        topology = driver.topology();
      } catch (MigDriverException e) {
        LOG.log(Level.FINE, "the driver did not report the GPUs' topology", e);
        return GpuTopology.unknown(0);
      }
    }
    return topology;
  }

  /** Places a job the dispatcher chose; should that not be stored, tracks what the store has. */
  private void place(Scheduler.Assignment a) {
    try {
      Optional<Job> job = store.find(a.jobId());
      if (job.isPresent()
          && a.gpus().map(g -> modeSwitch.prepare(job.get(), g)).orElse(true)
          && runner.fire(store.find(a.jobId()).orElseThrow(), JobTrigger.Place.of(a))) {
        return;
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job " + a.jobId() + " could not be placed", e);
    }
    store.find(a.jobId()).ifPresent(jobs::track);
  }
}
