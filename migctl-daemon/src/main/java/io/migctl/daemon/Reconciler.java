package io.migctl.daemon;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.MigDriver;
import io.migctl.daemon.run.ProcessLauncher;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Crash recovery, once at start on the job thread: brings every unfinished job of the store to what
 * its processes say (through the {@link ProcessLauncher}, never the process table directly) — never
 * launched: back to the queue; launched but not recorded: recorded; exited while the daemon was
 * down: its recorded exit; gone without a record: lost; still running: re-adopted, its device held
 * again and its timeout (or kill grace) armed again for what is left of it. Then forgets device
 * holders that are gone and finishes or undoes a layout change a crash interrupted.
 */
final class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

  private final JobStore store;
  private final RuntimeJobs jobs;
  private final EffectRunner runner;
  private final ProcessLauncher launcher;
  private final DeviceClaims claims;
  private final JobFolders folders;
  private final JobLoop loop;
  private final Clock clock;
  private final Duration killGrace;
  private final MigDriver driver;
  private final ApplyJournal journal;
  private final Supplier<String> applyIds;

  Reconciler(
      JobStore store,
      RuntimeJobs jobs,
      EffectRunner runner,
      ProcessLauncher launcher,
      DeviceClaims claims,
      JobFolders folders,
      JobLoop loop,
      Clock clock,
      JobStateMachine machine,
      ApplyJournal journal,
      Supplier<String> applyIds) {
    this.store = store;
    this.jobs = jobs;
    this.runner = runner;
    this.launcher = launcher;
    this.claims = claims;
    this.folders = folders;
    this.loop = loop;
    this.clock = clock;
    this.killGrace = machine.killGrace();
    this.driver = claims.view();
    this.journal = journal;
    this.applyIds = applyIds;
  }

  /** Reconciles every unfinished job, then device holders, then an interrupted layout change. */
  void run() {
    List<Job> unfinished = store.unfinished();
    unfinished.forEach(jobs::track);
    for (Job job : unfinished) {
      try {
        reconcile(job);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not reconcile job " + job.id(), e);
      }
    }
    releaseDeadHolders();
    recoverLayoutChange();
  }

  private void reconcile(Job job) {
    if (job.state() == JobState.QUEUED) {
      return;
    }
    Path dir = folders.attemptDir(job);
    if (job.supervisor().isEmpty()) {
      OptionalLong started = launcher.supervisorPid(dir);
      if (started.isEmpty()) {
        runner.fire(job, new JobTrigger.NeverLaunched());
        return;
      }
      long pid = started.getAsLong();
      runner.fire(job, new JobTrigger.Launched(new Job.Supervisor(pid, launcher.startTime(pid))));
      job = store.find(job.id()).orElseThrow();
    }
    Job.Supervisor sup = job.supervisor().orElseThrow();
    Optional<ProcessLauncher.ExitRecord> exit = launcher.readExit(dir);
    if (exit.isPresent() || !launcher.isAlive(sup.pid(), sup.processStart())) {
      runner.ended(
          job.id(),
          job.attempt(),
          exit,
          "its supervisor (pid " + sup.pid() + ") is gone and left no exit record");
      return;
    }
    adopt(job, sup);
  }

  private void adopt(Job job, Job.Supervisor sup) {
    LOG.info("re-adopting job " + job.id() + " (supervisor pid " + sup.pid() + ")");
    job.device().ifPresent(d -> runner.hold(d.uuid(), sup.pid()));
    runner.watch(job.id(), job.attempt(), launcher.onExit(sup.pid()));
    long id = job.id();
    int attempt = job.attempt();
    if (job.state() == JobState.STOPPING) {
      launcher.signal(folders.attemptDir(job), sup.pid(), ProcessLauncher.Signal.TERM);
      loop.later(killGrace, () -> runner.fire(id, new JobTrigger.KillDue(attempt)));
    } else if (job.spec().timeout().isPresent() && job.startedAt().isPresent()) {
      Instant due = job.startedAt().get().plus(job.spec().timeout().get());
      Duration left = Duration.between(clock.instant(), due);
      loop.later(
          left.isNegative() ? Duration.ZERO : left,
          () -> runner.fire(id, new JobTrigger.TimedOut(attempt)));
    }
  }

  /** A process that no longer exists holds nothing: forget such holders. */
  private void releaseDeadHolders() {
    for (DeviceProcess p : claims.holders()) {
      if (launcher.isAlive(p.pid(), Optional.empty())) {
        continue;
      }
      LOG.info("releasing " + p.deviceUuid() + " from process " + p.pid() + ", which is gone");
      runner.release(p.deviceUuid(), p.pid());
    }
  }

  /** Finishes or undoes the journal's last layout change when a crash interrupted it. */
  private void recoverLayoutChange() {
    try {
      new LayoutApplier(driver, journal, ApplyHooks.NONE, applyIds, LOG::fine)
          .recoverInterrupted()
          .ifPresent(
              r ->
                  LOG.log(
                      r.result().succeeded() ? Level.INFO : Level.WARNING,
                      "the layout change "
                          + r.apply()
                          + " did not finish (its process stopped); "
                          + r.summary()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not recover the interrupted layout change", e);
    }
  }
}
