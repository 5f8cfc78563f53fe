package io.migctl.daemon;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobEffect;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.Transition;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.confine.HostIsolation;
import io.migctl.daemon.container.ContainerJob;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.daemon.run.ProcessLauncher;
import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies triggers to jobs and performs what the transitions ask: each transition is stored first
 * ({@link JobStore#record}), then the listeners hear its event, then its {@link JobEffect}s run —
 * launching through the {@link ProcessLauncher}, signals, timers on the {@link JobLoop}, device
 * claims. Runs on the job thread.
 */
final class EffectRunner {

  private static final Logger LOG = Logger.getLogger(EffectRunner.class.getName());

  private final JobStore store;
  private final JobStateMachine machine;
  private final Clock clock;
  private final RuntimeJobs jobs;
  private final ProcessLauncher launcher;
  private final ContainerRuntime containers;
  private final DeviceClaims claims;
  private final ChildEnvironment environment;
  private final JobFolders folders;
  private final JobLoop loop;
  private final JobConfinement confinement;
  private final TenantDirectory tenants;
  private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();

  EffectRunner(
      JobStore store,
      JobStateMachine machine,
      Clock clock,
      RuntimeJobs jobs,
      ProcessLauncher launcher,
      ContainerRuntime containers,
      DeviceClaims claims,
      ChildEnvironment environment,
      JobFolders folders,
      JobLoop loop,
      JobConfinement confinement,
      TenantDirectory tenants) {
    this.store = store;
    this.machine = machine;
    this.clock = clock;
    this.jobs = jobs;
    this.launcher = launcher;
    this.containers = containers;
    this.claims = claims;
    this.environment = environment;
    this.folders = folders;
    this.loop = loop;
    this.confinement = confinement;
    this.tenants = tenants;
  }

  /** Called with every stored event, on the job thread. */
  void onEvent(Consumer<JobEvent> listener) {
    listeners.add(listener);
  }

  /**
   * Applies a trigger to the job as stored, stores the transition, then performs its effects.
   *
   * @return whether a transition was stored
   */
  boolean fire(Job job, JobTrigger trigger) {
    Optional<Transition> t = machine.apply(job, trigger, clock.instant());
    if (t.isEmpty()) {
      return false;
    }
    JobEvent stored = store.record(t.get());
    jobs.track(t.get().after());
    for (Consumer<JobEvent> l : listeners) {
      try {
        l.accept(stored);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "an event listener failed", e);
      }
    }
    for (JobEffect effect : t.get().effects()) {
      perform(t.get(), effect);
    }
    return true;
  }

  /** {@link #fire(Job, JobTrigger)} on the job as stored now, if it still exists. */
  void fire(long id, JobTrigger trigger) {
    store.find(id).ifPresent(job -> fire(job, trigger));
  }

  /** Comes back to a job's attempt when its supervisor exits. */
  void watch(long id, int attempt, CompletableFuture<?> exited) {
    exited.whenComplete((v, e) -> loop.post(() -> supervisorGone(id, attempt)));
  }

  /** Tells the driver a supervisor holds a device; a driver that fails is logged. */
  void hold(String uuid, long pid) {
    driverCall(() -> claims.hold(uuid, pid));
  }

  void release(String uuid, long pid) {
    driverCall(() -> claims.release(uuid, pid));
  }

  private void perform(Transition t, JobEffect effect) {
    switch (effect) {
      case JobEffect.Launch l -> launch(l.job());
      case JobEffect.Signal s -> {
        Job job = t.after();
        boolean kill = s.signal().equals("KILL");
        job.supervisor()
            .ifPresent(
                sup ->
                    launcher.signal(
                        folders.attemptDir(job),
                        sup.pid(),
                        kill ? ProcessLauncher.Signal.KILL : ProcessLauncher.Signal.TERM));
        if (kill) {
          removeContainer(job);
        }
      }
      case JobEffect.ScheduleKill k ->
          loop.later(k.after(), () -> fire(k.jobId(), new JobTrigger.KillDue(k.attempt())));
      case JobEffect.ArmTimeout a ->
          loop.later(a.after(), () -> fire(a.jobId(), new JobTrigger.TimedOut(a.attempt())));
      case JobEffect.HoldDevice h -> hold(h.uuid(), h.pid());
      case JobEffect.ReleaseDevice r -> release(r.uuid(), r.pid());
      case JobEffect.KillGroup k -> {
        launcher.killGroup(folders.attemptDir(t.before()));
        removeContainer(t.before());
      }
      case JobEffect.Reschedule r -> loop.requestRound();
    }
  }

  private void launch(Job job) {
    Path dir = folders.attemptDir(job);
    boolean prepared = false;
    try {
      PrivateFiles.createDirectories(dir.getParent());
      LaunchConfinement confined = confinement.prepare(job, tenants);
      prepared = true;
      ChildEnvironment.Start start = environment.start(job, dir, confined.owner());
      ProcessLauncher.Launched launched;
      if (job.spec().image().isPresent()) {
        // The engine confines the container (its devices, limits and the tenant's uid:gid); its
        // client must stay the daemon's user to reach the engine's socket.
        launched =
            launcher.launch(
                dir,
                start.command(),
                start.environment(),
                start.workdir(),
                confined.forEngineClient());
      } else {
        if (confined.owner().isPresent()) {
          // The environment's prefix is entered by its path, never listed: the records beside it
          // stay the daemon's.
          Optional<Path> build = environment.buildFolder(job);
          if (build.isPresent()) {
            HostIsolation.letJobsEnter(List.of(build.get().getParent(), build.get()));
          }
        }
        Path workdir = workdir(job, dir.getParent(), confined);
        launched = launcher.launch(dir, start.command(), start.environment(), workdir, confined);
      }
      fire(
          job.id(),
          new JobTrigger.Launched(new Job.Supervisor(launched.pid(), launched.processStart())));
      watch(job.id(), job.attempt(), launched.exited());
    } catch (IOException | RuntimeException e) {
      if (prepared) {
        confinement.release(job.id(), job.attempt());
      }
      String message =
          e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
      LOG.log(Level.WARNING, "job " + job.id() + " could not start", e);
      fire(job.id(), new JobTrigger.LaunchFailed(String.valueOf(message)));
    }
  }

  /**
   * The job's working directory: the one it asked for, else its folder; a job that runs as another
   * user gets {@code work/} in its folder, its own (0700), and may enter the folders above it.
   */
  private Path workdir(Job job, Path jobDir, LaunchConfinement confined) throws IOException {
    if (job.spec().workdir().isPresent()) {
      return Path.of(job.spec().workdir().get());
    }
    if (confined.owner().isEmpty()) {
      return jobDir;
    }
    LaunchConfinement.FileOwner owner = confined.owner().get();
    HostIsolation.letJobsEnter(List.of(folders.jobsDir(), jobDir));
    Path work = PrivateFiles.createDirectories(jobDir.resolve("work"));
    Files.setAttribute(work, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(work, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    return work;
  }

  /**
   * A killed client leaves its container running, and an attempt that ended while the daemon was
   * down may have left one: the container goes with the attempt's processes.
   */
  private void removeContainer(Job job) {
    if (job.spec().image().isPresent()) {
      containers.remove(ContainerJob.nameOf(job.id(), job.attempt()));
    }
  }

  private void supervisorGone(long id, int attempt) {
    ended(
        id,
        attempt,
        launcher.readExit(folders.attemptDir(id, attempt)),
        "its supervisor exited without recording an exit status");
  }

  /**
   * An attempt whose supervisor is gone: releases its confinement (killing what it left, reading
   * what its limits did), then records how it ended: its exit record, else vanished with {@code
   * vanished} as the detail.
   */
  void ended(long id, int attempt, Optional<ProcessLauncher.ExitRecord> exit, String vanished) {
    Optional<String> confined = confinement.release(id, attempt);
    fire(
        id,
        exit.<JobTrigger>map(r -> new JobTrigger.Exited(attempt, r.status(), confined))
            .orElseGet(() -> new JobTrigger.Vanished(attempt, vanished)));
  }

  private static void driverCall(Runnable call) {
    try {
      call.run();
    } catch (MigDriverException e) {
      LOG.log(Level.WARNING, "driver call failed: " + e.getMessage());
    }
  }
}
