package io.migctl.daemon;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.job.Admission;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.IllegalTransitionException;
import io.migctl.core.job.IncrementalScheduler;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.Quotas;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.container.MigDeviceNodes;
import io.migctl.daemon.run.JobProcesses;
import io.migctl.env.store.EnvironmentStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The job runtime's facade for the API: accepts, cancels and answers about jobs. The work is done
 * by its parts, each of one concern: the {@link JobLoop} (the job thread, timers, rounds), the
 * {@link SchedulingRound} and {@link Reshaper}, the {@link EffectRunner} that performs what
 * transitions ask, the {@link ChildEnvironment} of a job's command, and the {@link Reconciler} that
 * picks up after a crash. Every side effect goes through a port given in {@link RuntimePorts};
 * {@link #real} gives the daemon's, a test gives in-memory and virtual ones.
 *
 * <p>Every transition goes through {@link JobStateMachine} and is stored before its effects run.
 * Transitions and scheduling run on the job thread, in order; requests wait for their turn.
 */
public final class JobService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(JobService.class.getName());

  /** How often the queue is looked at even when nothing happened, by default. */
  public static final Duration TICK = Duration.ofSeconds(2);

  /** How often finished jobs are looked at for removal, besides at start. */
  public static final Duration RETENTION_EVERY = Duration.ofMinutes(10);

  private final JobStore store;
  private final MigDriver driver;
  private final Clock clock;
  private final JobFolders folders;
  private final ChildEnvironment environment;
  private final JobLoop loop;
  private final RuntimeJobs jobs;
  private final EffectRunner runner;
  private final SchedulingRound round;
  private final Reconciler reconciler;
  private final FinishedJobs finishedJobs;
  private final JobGuards guards;
  private final Timers background;
  private final TenantDirectory tenants;
  private volatile List<GpuModel> models;
  private final List<Runnable> layoutListeners = new CopyOnWriteArrayList<>();
  private final Object queueAdmission = new Object();

  /**
   * @param environments the environment builds jobs name
   * @param journal where reshapes journal their driver steps, as {@code mig apply} does
   */
  public JobService(
      RuntimePorts ports,
      EnvironmentStore environments,
      ApplyJournal journal,
      RuntimeSettings settings) {
    this.store = ports.store();
    this.clock = ports.clock();
    this.driver = ports.claims().view();
    this.guards = settings.guards();
    this.background = ports.background();
    this.tenants = ports.tenants();
    this.folders = new JobFolders(settings.jobsDir());
    this.environment =
        new ChildEnvironment(
            environments,
            settings.baseEnvironment(),
            guards.passEnvironment(),
            ports.launcher(),
            folders,
            guards.exec(),
            ports.containers(),
            ports.deviceNodes());
    this.loop = new JobLoop(ports.thread(), ports.timers(), settings.tick());
    this.jobs = new RuntimeJobs(new IncrementalScheduler(settings.policy()), new WaitingBoard());
    this.runner =
        new EffectRunner(
            store,
            settings.machine(),
            clock,
            jobs,
            ports.launcher(),
            ports.containers(),
            ports.claims(),
            environment,
            folders,
            loop,
            ports.confinement(),
            ports.tenants());
    Optional<Reshaper> reshaper =
        settings.repartition().enabled()
            ? Optional.of(
                new Reshaper(
                    settings.repartition().gate(),
                    driver,
                    journal,
                    ports.applyIds(),
                    clock,
                    jobs,
                    runner,
                    loop,
                    this::layoutChanged))
            : Optional.empty();
    this.round =
        new SchedulingRound(
            jobs,
            driver,
            clock,
            store,
            runner,
            reshaper,
            ports.tenants(),
            new MigModeSwitch(driver, journal, ports.applyIds(), runner, this::layoutChanged));
    this.reconciler =
        new Reconciler(
            store,
            jobs,
            runner,
            ports.launcher(),
            ports.claims(),
            folders,
            loop,
            clock,
            settings.machine(),
            journal,
            ports.applyIds());
    this.finishedJobs = new FinishedJobs(store, settings.jobsDir(), guards.keepFinished());
  }

  /**
   * The daemon's runtime: real processes ({@link JobProcesses}), a platform job thread, timers on
   * real time, random ids, the default tick.
   */
  public static JobService real(
      JobStore store,
      DeviceClaims claims,
      EnvironmentStore environments,
      Path jobsDir,
      Clock clock,
      JobStateMachine machine,
      Scheduler.Policy policy,
      Map<String, String> baseEnvironment,
      Repartition repartition,
      ApplyJournal journal,
      JobGuards guards,
      TenantDirectory tenants,
      JobConfinement confinement,
      ContainerRuntime containers,
      MigDeviceNodes deviceNodes) {
    RuntimePorts ports =
        new RuntimePorts(
            store,
            new JobProcesses(),
            claims,
            clock,
            new ExecutorJobThread("migctl-jobs"),
            new ExecutorTimers("migctl-timers"),
            new ExecutorTimers("migctl-retention"),
            () -> UUID.randomUUID().toString(),
            tenants,
            confinement,
            containers,
            deviceNodes);
    return new JobService(
        ports,
        environments,
        journal,
        new RuntimeSettings(jobsDir, machine, policy, baseEnvironment, repartition, guards, TICK));
  }

  /**
   * Reconciles the store with the processes and the driver, finishes or undoes a layout change a
   * crash interrupted (busy devices, those of re-adopted jobs included, are never touched), then
   * starts scheduling and the removal of finished jobs.
   */
  public void start() {
    loop.call(
        () -> {
          reconciler.run();
          return null;
        });
    loop.start(jobs::track, round::run);
    if (guards.keepFinished().removesAny()) {
      background.every(Duration.ZERO, RETENTION_EVERY, this::removeFinishedLogged);
    }
  }

  /** Called with every stored event, on the job thread; keep it quick. */
  public void onEvent(Consumer<JobEvent> listener) {
    runner.onEvent(listener);
  }

  /**
   * Accepts a job: resolves its environment, checks that some device of this node could ever run it
   * and that it could start at all (its working directory is a directory; its command and the
   * environment it would get fit {@code execve}'s limits), that it could run within its tenant's
   * quota and that its tenant's queue has room, stores it queued.
   *
   * @param by who submits it, for the job's history; the spec's tenant is already decided
   * @throws DaemonException {@code invalid} naming what is wrong, or {@code max-queued} (429) when
   *     its tenant has as many jobs queued as it may; nothing is stored then
   */
  public Job submit(JobSpec spec, Principal by) {
    Optional<Requirement> requirement;
    Tenant tenant = tenants.resolve(spec.tenant());
    try {
      requirement = Admission.requirement(spec.gpu(), models());
      checkGpuCount(spec);
      Quotas.admit(tenant, requirement, models());
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    }
    Optional<String> build = spec.environment().map(environment::resolveBuild);
    environment.checkStartable(spec, requirement, build);
    Job job;
    if (tenant.quota().maxQueued().isPresent()) {
      // Counted and stored under one lock, so that two submissions at once cannot both take the
      // tenant's last place in the queue.
      synchronized (queueAdmission) {
        long queued =
            store
                .countByStateAndTenant()
                .getOrDefault(JobState.QUEUED, Map.of())
                .getOrDefault(tenant.name(), 0L);
        Quotas.queueFull(tenant, queued)
            .ifPresent(
                refusal -> {
                  throw new DaemonException(429, "max-queued", refusal);
                });
        job = store.insert(spec, requirement, build, clock.instant(), by.words());
      }
    } else {
      job = store.insert(spec, requirement, build, clock.instant(), by.words());
    }
    // One round for all the jobs that arrived since the last one began.
    loop.arrived(job);
    return job;
  }

  /**
   * The build an environment reference (a build id, a prefix of one, or a name) names.
   *
   * @throws DaemonException {@code invalid} when it names none
   */
  String resolveBuild(String ref) {
    return environment.resolveBuild(ref);
  }

  /**
   * Cancels a job: a queued one at once, a running one by SIGTERM to its process group and SIGKILL
   * after the grace period.
   *
   * @param by who cancels it, for the job's history
   * @throws DaemonException {@code not-found} or {@code conflict} (already finished)
   */
  public Job cancel(long id, Principal by) {
    return loop.call(
        () -> {
          Job job = require(id);
          try {
            runner.fire(job, new JobTrigger.Cancel(by.words()));
          } catch (IllegalTransitionException e) {
            throw DaemonException.conflict(e.getMessage());
          }
          return require(id);
        });
  }

  public Optional<Job> find(long id) {
    return store.find(id);
  }

  public Job require(long id) {
    return store.find(id).orElseThrow(() -> noJob(id));
  }

  /**
   * The refusal for a job id that names no job. A tenant asking for another tenant's job gets
   * exactly this too, so an id tells nothing about whose it is or whether it exists.
   */
  static DaemonException noJob(long id) {
    return DaemonException.notFound("no job " + id);
  }

  public List<Job> list(JobQuery query) {
    return store.list(query);
  }

  public List<JobEvent> events(long id) {
    require(id);
    return store.events(id);
  }

  public Map<JobState, Long> countByState() {
    return store.countByState();
  }

  public Map<JobState, Map<String, Long>> countByStateAndTenant() {
    return store.countByStateAndTenant();
  }

  /** Why a queued job waits, as the last scheduling round saw it; render it with WaitingText. */
  public Optional<WaitingReason> waitingReason(long id) {
    return jobs.waiting().reason(id);
  }

  /** The folder of a job's current (or last) attempt. */
  public Path attemptDir(Job job) {
    return folders.attemptDir(job);
  }

  public Path attemptDir(long id, int attempt) {
    return folders.attemptDir(id, attempt);
  }

  /** The GPUs as they are now, with the MIG devices' jobs. */
  public List<GpuSnapshot> gpus() {
    return GpuSnapshot.readAll(driver);
  }

  public MigDriver driver() {
    return driver;
  }

  /**
   * Removes the finished jobs that {@link JobGuards#keepFinished} no longer keeps: their rows and
   * events in one transaction, then their folders. Safe to call from any thread; a job that has not
   * finished is never removed, nor its folder.
   *
   * @return the ids of the jobs removed, lowest first
   */
  public List<Long> removeFinished() {
    return finishedJobs.removeExpired(clock.instant());
  }

  /**
   * Calls {@code listener} after every layout change the daemon makes (an apply through the API, a
   * reshape), on the thread that made it; keep it quick. A listener that throws is logged.
   */
  public void onLayoutChange(Runnable listener) {
    layoutListeners.add(listener);
  }

  /** Tells the layout listeners that the layout changed. */
  public void layoutChanged() {
    for (Runnable l : layoutListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a layout listener failed", e);
      }
    }
  }

  /** Looks at the queue again soon, e.g. after the layout changed. */
  public void reschedule() {
    loop.requestRound();
  }

  /** Runs {@code work} on the job thread, so it does not race with transitions. */
  public <T> T exclusive(Supplier<T> work) {
    return loop.call(work);
  }

  @Override
  public void close() {
    background.close();
    loop.close();
  }

  /** A round, on the job thread: the jobs that arrived since the last one are tracked first. */
  private void removeFinishedLogged() {
    try {
      removeFinished();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not remove finished jobs", e);
    }
  }

  /** Refuses a job that asks for more whole GPUs of its kind than the node has at all. */
  private void checkGpuCount(JobSpec spec) {
    if (spec.gpu() instanceof GpuNeed.WholeGpus need) {
      // One model per GPU of the node.
      long here =
          models().stream()
              .filter(m -> need.model().map(m.key()::equals).orElse(true))
              .filter(m -> m.memoryMiB() >= need.memoryMiB().orElse(1))
              .count();
      if (here < need.count()) {
        throw DaemonException.invalid(
            "gpus: "
                + need
                + " asked, but this node has "
                + here
                + " such GPU"
                + (here == 1 ? "" : "s")
                + "; ask for at most "
                + here);
      }
    }
  }

  private List<GpuModel> models() {
    List<GpuModel> m = models;
    if (m == null) {
      List<GpuModel> found = new ArrayList<>();
      driver.gpus().forEach(g -> found.add(driver.migModel(g.index())));
      m = List.copyOf(found);
      models = m;
    }
    return m;
  }
}
