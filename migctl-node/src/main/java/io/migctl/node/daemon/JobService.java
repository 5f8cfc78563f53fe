package io.migctl.node.daemon;

import io.migctl.core.job.Admission;
import io.migctl.core.job.Dispatcher;
import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.IllegalTransitionException;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEffect;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.Transition;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.plan.Repartitioner;
import io.migctl.core.plan.ReshapeBackoff;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.env.Activation;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.node.home.PrivateFiles;
import io.migctl.node.mig.ApplyHooks;
import io.migctl.node.mig.ApplyJournal;
import io.migctl.node.mig.ApplyResult;
import io.migctl.node.mig.LayoutApplier;
import io.migctl.node.run.JobProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs: accepts them, places them on MIG devices, launches their supervisors, watches them,
 * and brings them to their final state — and after a crash, picks up where the store says it was.
 *
 * <p>Every transition goes through {@link JobStateMachine} and is stored before its effects run.
 * Transitions and scheduling run on one thread, in order, so two decisions never race; requests
 * from the API wait for their turn. That thread also keeps the unfinished jobs in memory, as the
 * store has them after each stored transition: the queue in a {@link Dispatcher} and the others by
 * id, so a scheduling round reads the driver but not the store.
 */
public final class JobService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(JobService.class.getName());

  /** How often the queue is looked at even when nothing happened (aging, foreign processes). */
  private static final Duration TICK = Duration.ofSeconds(2);

  /** How often finished jobs are looked at for removal, besides at start. */
  public static final Duration RETENTION_EVERY = Duration.ofMinutes(10);

  /**
   * Stands for a job's MIG device in {@code CUDA_VISIBLE_DEVICES} when a submission's exec size is
   * checked: at least as long as any device UUID ({@code MIG-} and 36 characters, or the older
   * {@code MIG-GPU-<uuid>/<gi>/<ci>}).
   */
  private static final String WIDEST_DEVICE = "MIG-" + "0".repeat(60);

  private final JobStore store;
  private final MigDriver driver;
  private final DeviceClaims claims;
  private final JobProcesses processes;
  private final EnvironmentStore environments;
  private final Path jobsDir;
  private final Clock clock;
  private final JobStateMachine machine;
  private final Scheduler.Policy policy;
  private final Map<String, String> baseEnvironment;
  private final ExecutorService loop;
  private final ScheduledExecutorService timers;

  /** Removes finished jobs, away from the job thread (their folders may take a while). */
  private final ScheduledExecutorService retention;

  private final FinishedJobs finishedJobs;

  private final Guards guards;
  private final AtomicBoolean scheduleQueued = new AtomicBoolean();

  /** The queued jobs; read and written on the job thread. */
  private final Dispatcher dispatcher;

  /** Decides reshapes of idle instances, as the simulator's dynamic policy does. */
  private final Repartitioner repartitioner = new Repartitioner(Repartitioner.Params.defaults());

  /** Unfinished jobs that are not queued (starting, running, stopping); on the job thread. */
  private final Map<Long, Job> active = new HashMap<>();

  /** What each queued job that needs a GPU needs, for {@link #waitingReason} on any thread. */
  private final Map<Long, Requirement> queuedNeeds = new ConcurrentHashMap<>();

  /** Why jobs of each need wait, as the last scheduling round saw it. */
  private volatile Map<Requirement, String> waitingByNeed = Map.of();

  /** The queued jobs that need no GPU, for {@link #waitingReason} on any thread. */
  private final Set<Long> queuedWithoutGpu = ConcurrentHashMap.newKeySet();

  /** The CPU-job slots, when the last scheduling round left jobs without a GPU waiting for one. */
  private volatile Optional<WaitingReason.CpuJobSlots> cpuSlotsFull = Optional.empty();

  /** Reasons that say more than the need's, for single jobs (a reshape that cools down). */
  private final Map<Long, String> waitingNotes = new ConcurrentHashMap<>();

  private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<GpuModel> models;
  private final Repartition repartition;
  private final ApplyJournal journal;

  /** When each GPU may be reshaped next; read and written on the job thread. */
  private ReshapeGate gate;

  /** Which GPUs wait before their next reshape after failed ones; on the job thread. */
  private ReshapeBackoff backoff = ReshapeBackoff.NONE;

  /**
   * Dynamic repartitioning: when a queued job fits no free MIG device but would fit if idle
   * instances of a GPU were reshaped, the daemon reshapes them (never a busy one) through the same
   * planner as {@code migctl mig apply}.
   *
   * @param enabled whether the daemon reshapes at all ({@code migctl serve --repartition})
   * @param gate when a GPU may be reshaped: the {@link ReshapeGate} the trace simulator runs too
   */
  public record Repartition(boolean enabled, ReshapeGate.Params gate) {

    /** No reshaping. */
    public static final Repartition OFF = new Repartition(false, ReshapeGate.Params.DEFAULTS);

    /** Reshaping with the gate's defaults. */
    public static final Repartition ON = new Repartition(true, ReshapeGate.Params.DEFAULTS);

    public Repartition {
      Objects.requireNonNull(gate, "gate");
    }
  }

  /**
   * What keeps jobs from exhausting or leaking the node, besides the CPU-job limit of the {@link
   * Scheduler.Policy}.
   *
   * @param keepFinished which finished jobs (rows, events, folders) are removed, at start and every
   *     {@link #RETENTION_EVERY}
   * @param passEnvironment variables of the daemon's environment that jobs get beyond {@link
   *     JobEnvironment#ALLOWED}
   * @param exec the node's {@code execve} limits: a job whose command and environment exceed them
   *     is refused at submit
   */
  public record Guards(JobRetention keepFinished, Set<String> passEnvironment, ExecLimits exec) {

    /** Finished jobs kept 30 days, nothing passed on, the conservative exec limits. */
    public static final Guards DEFAULT =
        new Guards(JobRetention.DEFAULT, Set.of(), ExecLimits.DEFAULT);

    public Guards {
      passEnvironment = Set.copyOf(passEnvironment);
      passEnvironment.forEach(JobEnvironment::checkPassable);
    }
  }

  /**
   * @param jobsDir where each job gets {@code <id>/attempt-<n>/} with its logs and exit record
   * @param baseEnvironment the daemon's environment, which jobs inherit only in part (see {@link
   *     JobEnvironment})
   */
  public JobService(
      JobStore store,
      MigDriver driver,
      JobProcesses processes,
      EnvironmentStore environments,
      Path jobsDir,
      Clock clock,
      JobStateMachine machine,
      Scheduler.Policy policy,
      Map<String, String> baseEnvironment) {
    this(
        store,
        driver,
        processes,
        environments,
        jobsDir,
        clock,
        machine,
        policy,
        baseEnvironment,
        Repartition.OFF,
        new ApplyJournal(jobsDir.resolveSibling("mig").resolve("journal.jsonl"), clock),
        Guards.DEFAULT);
  }

  /**
   * @param repartition whether and how idle instances are reshaped for waiting jobs
   * @param journal where reshapes journal their driver steps, as {@code mig apply} does
   * @param guards retention, inherited variables and exec limits
   */
  public JobService(
      JobStore store,
      MigDriver driver,
      JobProcesses processes,
      EnvironmentStore environments,
      Path jobsDir,
      Clock clock,
      JobStateMachine machine,
      Scheduler.Policy policy,
      Map<String, String> baseEnvironment,
      Repartition repartition,
      ApplyJournal journal,
      Guards guards) {
    this.repartition = repartition;
    this.gate = ReshapeGate.open(repartition.gate());
    this.guards = guards;
    this.journal = journal;
    this.store = store;
    this.claims = DeviceClaims.of(driver);
    this.driver = claims.view();
    this.processes = processes;
    this.environments = environments;
    this.jobsDir = jobsDir;
    this.clock = clock;
    this.machine = machine;
    this.policy = policy;
    this.dispatcher = new Dispatcher(policy);
    this.baseEnvironment =
        Map.copyOf(JobEnvironment.inherited(baseEnvironment, guards.passEnvironment()));
    this.loop =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("migctl-jobs").daemon().factory());
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("migctl-timers").daemon().factory());
    this.retention =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("migctl-retention").daemon().factory());
    this.finishedJobs = new FinishedJobs(store, jobsDir, guards.keepFinished());
  }

  /**
   * Reconciles the store with the processes and the driver, finishes or undoes a layout change a
   * crash interrupted ({@link LayoutApplier#recoverInterrupted}; busy devices, those of re-adopted
   * jobs included, are never touched), then starts scheduling.
   */
  public void start() {
    call(
        () -> {
          reconcile();
          recoverLayoutChange();
          return null;
        });
    timers.scheduleWithFixedDelay(
        this::requestSchedule, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    requestSchedule();
    scheduleRetention();
  }

  /** Called with every stored event, on the job thread; keep it quick. */
  public void onEvent(Consumer<JobEvent> listener) {
    listeners.add(listener);
  }

  // ---------------------------------------------------------------- requests

  /**
   * Accepts a job: resolves its environment, checks that some device of this node could ever run it
   * and that it could start at all (its working directory is a directory; its command and the
   * environment it would get fit {@code execve}'s limits), stores it queued.
   *
   * @throws DaemonException {@code invalid} naming what is wrong; nothing is stored then
   */
  public Job submit(JobSpec spec) {
    Optional<Requirement> requirement;
    try {
      requirement = Admission.requirement(spec.gpu(), models());
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    }
    Optional<String> build = spec.environment().map(this::resolveEnvironment);
    checkStartable(spec, requirement, build);
    Job job = store.insert(spec, requirement, build, clock.instant());
    // Tracked as the store has it when the job thread gets to it (it may be cancelled by then),
    // and a round asked for after that: one already waiting on the thread would run before it.
    post(
        () -> {
          store.find(job.id()).ifPresent(this::track);
          requestSchedule();
        });
    return job;
  }

  /**
   * Cancels a job: a queued one at once, a running one by SIGTERM to its process group and SIGKILL
   * after the grace period.
   *
   * @throws DaemonException {@code not-found} or {@code conflict} (already finished)
   */
  public Job cancel(long id) {
    return call(
        () -> {
          Job job = require(id);
          try {
            fire(job, new JobTrigger.Cancel());
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
    return store.find(id).orElseThrow(() -> DaemonException.notFound("no job " + id));
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

  /** Why a queued job waits, as the last scheduling round saw it. */
  public Optional<String> waitingReason(long id) {
    String note = waitingNotes.get(id);
    if (note != null) {
      return Optional.of(note);
    }
    if (queuedWithoutGpu.contains(id)) {
      return cpuSlotsFull.map(JobService::describe);
    }
    Requirement need = queuedNeeds.get(id);
    return need == null ? Optional.empty() : Optional.ofNullable(waitingByNeed.get(need));
  }

  /** The folder of a job's current (or last) attempt. */
  public Path attemptDir(Job job) {
    return attemptDir(job.id(), job.attempt());
  }

  public Path attemptDir(long id, int attempt) {
    return jobsDir.resolve(Long.toString(id)).resolve("attempt-" + attempt);
  }

  /** The GPUs as they are now, with the MIG devices' jobs. */
  public List<GpuSnapshot> gpus() {
    return GpuSnapshot.readAll(driver);
  }

  public MigDriver driver() {
    return driver;
  }

  /**
   * Removes the finished jobs that {@link Guards#keepFinished} no longer keeps: their rows and
   * events in one transaction, then their folders. Safe to call from any thread; a job that has not
   * finished is never removed, nor its folder.
   *
   * @return the ids of the jobs removed, lowest first
   */
  public List<Long> removeFinished() {
    return finishedJobs.removeExpired(clock.instant());
  }

  /** Looks at the queue again soon, e.g. after the layout changed. */
  public void reschedule() {
    requestSchedule();
  }

  /** Runs {@code work} on the job thread, so it does not race with transitions. */
  public <T> T exclusive(Supplier<T> work) {
    return call(work);
  }

  @Override
  public void close() {
    timers.shutdownNow();
    retention.shutdownNow();
    loop.shutdown();
    try {
      if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
        loop.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- the job thread

  private void requestSchedule() {
    if (scheduleQueued.compareAndSet(false, true)) {
      post(
          () -> {
            scheduleQueued.set(false);
            schedule();
          });
    }
  }

  private void schedule() {
    if (dispatcher.size() == 0) {
      waitingByNeed = Map.of();
      cpuSlotsFull = Optional.empty();
      return;
    }
    List<MigSlot> all;
    try {
      all = MigSlot.of(GpuSnapshot.readAll(driver), ownPids());
    } catch (MigDriverException e) {
      String why = "the driver cannot list devices: " + e.getMessage();
      Map<Requirement, String> reasons = new HashMap<>();
      queuedNeeds.values().forEach(need -> reasons.put(need, why));
      waitingByNeed = reasons;
      return;
    }
    Set<String> held = heldDevices();
    List<MigSlot> free = all.stream().filter(s -> !held.contains(s.uuid())).toList();
    dispatcher.devices(all, free);
    dispatcher.runningWithoutGpu((int) active.values().stream().filter(j -> !j.needsGpu()).count());
    for (Scheduler.Assignment a : dispatcher.decide(clock.instant())) {
      place(a);
    }
    cpuSlotsFull = dispatcher.cpuJobsWaiting();
    Map<Requirement, String> reasons = new HashMap<>();
    for (Requirement need : dispatcher.waitingNeeds()) {
      reasons.put(need, dispatcher.whyWaiting(need));
    }
    waitingByNeed = reasons;
    // Notes say what a cooling GPU would do; each round works them out again.
    waitingNotes.clear();
    if (repartition.enabled() && !reasons.isEmpty()) {
      reshapeFor(dispatcher.inOrder().stream().filter(Job::needsGpu).toList());
    }
  }

  /** Places a job the dispatcher chose; should that not be stored, tracks what the store has. */
  private void place(Scheduler.Assignment a) {
    try {
      if (fire(require(a.jobId()), new JobTrigger.Place(a.slot()))) {
        return;
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job " + a.jobId() + " could not be placed", e);
    }
    store.find(a.jobId()).ifPresent(this::track);
  }

  /**
   * Keeps the in-memory view of a job as the store has it: queued jobs in the dispatcher, other
   * unfinished ones in {@link #active}, finished ones nowhere.
   */
  private void track(Job job) {
    long id = job.id();
    if (job.state() == JobState.QUEUED) {
      active.remove(id);
      dispatcher.enqueue(job);
      job.requirement()
          .ifPresentOrElse(need -> queuedNeeds.put(id, need), () -> queuedWithoutGpu.add(id));
      return;
    }
    dispatcher.remove(id);
    queuedNeeds.remove(id);
    queuedWithoutGpu.remove(id);
    waitingNotes.remove(id);
    if (job.state().isTerminal()) {
      active.remove(id);
    } else {
      active.put(id, job);
    }
  }

  /**
   * Reshapes idle instances for the waiting jobs, through the {@link Repartitioner} the simulator's
   * dynamic policy runs: the jobs that have waited long enough (in decision order, at most as many
   * as there are free compute slices) are offered to the GPUs (one cooling down may only fill room
   * no instance takes), each GPU decides whether a reshape of its idle instances serves them better
   * than keeping them, and every reshape is stored as a {@code reshape} event on the jobs it is for
   * before the driver is called. Asks for another round, so that the jobs are placed on the new
   * devices.
   *
   * @param waitingJobs the jobs no free device fits, in decision order
   */
  private void reshapeFor(List<Job> waitingJobs) {
    Instant now = clock.instant();
    Set<String> held = heldDevices();
    List<Repartitioner.Gpu> gpus = new ArrayList<>();
    try {
      for (GpuSnapshot g : GpuSnapshot.readAll(driver)) {
        if (!g.device().migMode().current()) {
          continue;
        }
        List<PlacedInstance> busy = new ArrayList<>();
        List<PlacedInstance> idle = new ArrayList<>();
        for (GpuSnapshot.Instance i : g.instances()) {
          boolean jobHolds =
              i.computeInstances().stream()
                  .anyMatch(c -> held.contains(c.computeInstance().uuid()));
          (i.isBusy() || jobHolds ? busy : idle).add(i.placed());
        }
        int index = g.device().index();
        if (backoff.waitLeft(index, now).isPresent()) {
          // Its last reshape failed: it is not offered until its backoff ends (a timer is set).
          continue;
        }
        gpus.add(
            new Repartitioner.Gpu(
                index, g.model(), busy, idle, gate.mayDestroy(index, now, waitingJobs.size())));
      }
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
      } else {
        ready.add(job);
      }
    }
    if (soonest != null) {
      later(soonest, this::requestSchedule);
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
      requestSchedule();
    }
  }

  /**
   * When no GPU past its cooldown is worth reshaping but one cooling down would be: tells the jobs
   * it would serve when its next chance comes, and looks again then.
   */
  private void noteCooldowns(
      List<Repartitioner.Gpu> gpus,
      List<Repartitioner.Demand> queue,
      List<Job> jobs,
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
        Job job = jobs.get(a.demand());
        waitingNotes.put(
            job.id(),
            waitingByNeed.get(job.requirement().orElseThrow())
                + "; reshaping idle instances of GPU "
                + d.gpu()
                + " would make room, but it was reshaped less than "
                + repartition.gate().cooldown().toSeconds()
                + "s ago (next chance in "
                + Math.max(1, left.get().toSeconds())
                + "s)");
      }
      later(left.get(), this::requestSchedule);
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
  private boolean reshape(Repartitioner.Decision d, List<Job> jobs, int queueLength, Instant now) {
    int gpu = d.gpu();
    Optional<ReshapeBackoff.Streak> streak = backoff.streak(gpu);
    Map<Job, String> served = new LinkedHashMap<>();
    for (Repartitioner.Assigned a : d.assigned()) {
      Job job = jobs.get(a.demand());
      served.put(
          job,
          "reshape "
              + d.describe()
              + " so that this job gets "
              + a.instance()
              + " (it fits no free device: "
              + waitingByNeed.get(job.requirement().orElseThrow())
              + "); "
              + d.operations()
              + " GPU-instance operation"
              + (d.operations() == 1 ? "" : "s")
              + ", the fewest of the layouts that serve the queue best; "
              + d.reason()
              + "; busy instances are kept");
    }
    if (streak.isEmpty()) {
      // Durable before it is acted on: the events first, then the driver.
      served.forEach((job, detail) -> fire(job, new JobTrigger.Reshaped(detail)));
      served.forEach((job, detail) -> LOG.info("job " + job.id() + ": " + detail));
    } else {
      LOG.info(
          "retrying the reshape of GPU "
              + gpu
              + " after "
              + streak.get().failures()
              + " failed attempt(s): "
              + d.describe());
    }
    String failure;
    try {
      ApplyResult result =
          new LayoutApplier(
                  driver,
                  journal,
                  ApplyHooks.NONE,
                  () -> UUID.randomUUID().toString(),
                  line -> LOG.fine(line))
              .apply(Map.of(gpu, d.desiredGpu()));
      failure =
          result.succeeded()
              ? null
              : !result.refusals().isEmpty()
                  ? "refused: " + String.join("; ", result.refusals()) + "; nothing was changed"
                  : result.failure().orElse("unknown failure");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reshape of GPU " + gpu + " failed", e);
      failure = String.valueOf(e.getMessage());
    }
    if (failure == null) {
      gate = gate.reshaped(gpu, now, queueLength);
      backoff = backoff.succeeded(gpu);
      streak.ifPresent(
          s ->
              served.forEach(
                  (job, detail) ->
                      fire(
                          job.id(),
                          new JobTrigger.Reshaped(
                              detail
                                  + "; it succeeded after "
                                  + s.failures()
                                  + " failed attempt"
                                  + (s.failures() == 1 ? "" : "s")))));
      return true;
    }
    backoff = backoff.failed(gpu, now);
    Duration wait = backoff.waitLeft(gpu, now).orElse(Duration.ZERO);
    if (streak.isEmpty()) {
      String event =
          "reshape of GPU "
              + gpu
              + " failed: "
              + failure
              + "; retrying in "
              + wait.toSeconds()
              + "s, the wait doubling with each further failure up to "
              + ReshapeBackoff.MAX.toMinutes()
              + " min (this is the only event until it succeeds)";
      LOG.warning(event);
      for (Job job : served.keySet()) {
        fire(job.id(), new JobTrigger.ReshapeFailed(event));
      }
    } else {
      LOG.warning(
          "reshape of GPU "
              + gpu
              + " failed again ("
              + backoff.streak(gpu).orElseThrow().failures()
              + " in a row): "
              + failure
              + "; next try in "
              + wait.toSeconds()
              + "s");
    }
    later(wait, this::requestSchedule);
    return false;
  }

  /** The devices jobs hold now. */
  private Set<String> heldDevices() {
    Set<String> held = new HashSet<>();
    for (Job j : active.values()) {
      if (j.state().holdsDevice()) {
        j.device().ifPresent(d -> held.add(d.uuid()));
      }
    }
    return held;
  }

  /**
   * Applies a trigger to the job as stored, stores the transition, then performs its effects.
   *
   * @return whether a transition was stored
   */
  private boolean fire(Job job, JobTrigger trigger) {
    Optional<Transition> t = machine.apply(job, trigger, clock.instant());
    if (t.isEmpty()) {
      return false;
    }
    JobEvent stored = store.record(t.get());
    track(t.get().after());
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

  private void fire(long id, JobTrigger trigger) {
    store.find(id).ifPresent(job -> fire(job, trigger));
  }

  private void perform(Transition t, JobEffect effect) {
    Job before = t.before();
    switch (effect) {
      case JobEffect.Launch l -> launch(l.job());
      case JobEffect.Signal s -> {
        Job job = t.after();
        job.supervisor()
            .ifPresent(
                sup ->
                    processes.signal(
                        attemptDir(job),
                        sup.pid(),
                        s.signal().equals("KILL")
                            ? JobProcesses.Signal.KILL
                            : JobProcesses.Signal.TERM));
      }
      case JobEffect.ScheduleKill k ->
          later(k.after(), () -> fire(k.jobId(), new JobTrigger.KillDue(k.attempt())));
      case JobEffect.ArmTimeout a ->
          later(a.after(), () -> fire(a.jobId(), new JobTrigger.TimedOut(a.attempt())));
      case JobEffect.HoldDevice h -> driverCall(() -> claims.hold(h.uuid(), h.pid()));
      case JobEffect.ReleaseDevice r -> driverCall(() -> claims.release(r.uuid(), r.pid()));
      case JobEffect.KillGroup k -> processes.killGroup(attemptDir(before));
      case JobEffect.Reschedule r -> requestSchedule();
    }
  }

  private void launch(Job job) {
    Path dir = attemptDir(job);
    try {
      Map<String, String> env = childEnvironment(job);
      List<String> command = Activation.resolveProgram(job.spec().command(), env);
      Path workdir = job.spec().workdir().map(Path::of).orElse(dir.getParent());
      PrivateFiles.createDirectories(dir.getParent());
      JobProcesses.Launched launched = processes.launch(dir, command, env, workdir);
      fire(
          job.id(),
          new JobTrigger.Launched(new Job.Supervisor(launched.pid(), launched.processStart())));
      watch(job.id(), job.attempt(), launched.exited());
    } catch (IOException | RuntimeException e) {
      String message =
          e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
      LOG.log(Level.WARNING, "job " + job.id() + " could not start", e);
      fire(job.id(), new JobTrigger.LaunchFailed(String.valueOf(message)));
    }
  }

  private void watch(long id, int attempt, CompletableFuture<?> exited) {
    exited.whenComplete((v, e) -> post(() -> supervisorGone(id, attempt)));
  }

  private void supervisorGone(long id, int attempt) {
    Optional<JobProcesses.ExitRecord> exit = processes.readExit(attemptDir(id, attempt));
    fire(
        id,
        exit.<JobTrigger>map(r -> new JobTrigger.Exited(attempt, r.status()))
            .orElseGet(
                () ->
                    new JobTrigger.Vanished(
                        attempt, "its supervisor exited without recording an exit status")));
  }

  private Map<String, String> childEnvironment(Job job) {
    return environmentFor(
        job.spec(),
        job.environmentBuild(),
        job.id(),
        job.attempt(),
        job.device().map(Job.Device::uuid));
  }

  /**
   * A job's environment: what it inherits from the daemon, its environment build's activation, its
   * own variables, {@code MIGCTL_JOB_*} and its device's variables (none for no device).
   */
  private Map<String, String> environmentFor(
      JobSpec spec, Optional<String> build, long id, int attempt, Optional<String> device) {
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
    if (build.isPresent()) {
      EnvironmentBuild found =
          environments
              .find(build.get())
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "environment build "
                              + build.get()
                              + " no longer exists; build it again with migctl env create"));
      env = new LinkedHashMap<>(found.activation().applyTo(env));
    }
    env.putAll(spec.variables());
    env.put("MIGCTL_JOB_ID", Long.toString(id));
    env.put("MIGCTL_JOB_NAME", spec.name());
    env.put("MIGCTL_JOB_ATTEMPT", Integer.toString(attempt));
    env.put("CUDA_VISIBLE_DEVICES", device.orElse(""));
    env.put("NVIDIA_VISIBLE_DEVICES", device.orElse("none"));
    return env;
  }

  /**
   * Refuses at submit what could never start (see {@link StartChecks}). The environment is the one
   * {@link #launch} builds, for the widest case: the largest id, the last attempt, a device when
   * the job needs one.
   *
   * @throws DaemonException {@code invalid} naming the field, the value or size, and the limit
   */
  private void checkStartable(
      JobSpec spec, Optional<Requirement> requirement, Optional<String> build) {
    spec.workdir().ifPresent(StartChecks::checkWorkdir);
    int lastAttempt = spec.maxRetries() + 1;
    Map<String, String> env =
        environmentFor(
            spec, build, Long.MAX_VALUE, lastAttempt, requirement.map(r -> WIDEST_DEVICE));
    List<String> command = Activation.resolveProgram(spec.command(), env);
    StartChecks.checkExec(
        spec,
        env,
        processes.supervisorExec(attemptDir(Long.MAX_VALUE, lastAttempt), command, env),
        guards.exec());
  }

  /** A CPU-job wait, for people. */
  private static String describe(WaitingReason.CpuJobSlots slots) {
    return "waits for a CPU-job slot: "
        + slots.inUse()
        + " of "
        + slots.limit()
        + " in use (serve --cpu-jobs)";
  }

  // ---------------------------------------------------------------- retention

  private void scheduleRetention() {
    if (!guards.keepFinished().removesAny()) {
      return;
    }
    retention.scheduleWithFixedDelay(
        () -> {
          try {
            removeFinished();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove finished jobs", e);
          }
        },
        0,
        RETENTION_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- reconciliation

  private Void reconcile() {
    List<Job> unfinished = store.unfinished();
    unfinished.forEach(this::track);
    for (Job job : unfinished) {
      try {
        reconcile(job);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not reconcile job " + job.id(), e);
      }
    }
    releaseDeadHolders();
    return null;
  }

  private void reconcile(Job job) {
    if (job.state() == JobState.QUEUED) {
      return;
    }
    Path dir = attemptDir(job);
    if (job.supervisor().isEmpty()) {
      OptionalLong started = processes.supervisorPid(dir);
      if (started.isEmpty()) {
        fire(job, new JobTrigger.NeverLaunched());
        return;
      }
      long pid = started.getAsLong();
      Optional<Instant> start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
      fire(job, new JobTrigger.Launched(new Job.Supervisor(pid, start)));
      job = require(job.id());
    }
    Job.Supervisor sup = job.supervisor().orElseThrow();
    Optional<JobProcesses.ExitRecord> exit = processes.readExit(dir);
    if (exit.isPresent()) {
      fire(job, new JobTrigger.Exited(job.attempt(), exit.get().status()));
      return;
    }
    if (!processes.isAlive(sup.pid(), sup.processStart())) {
      fire(
          job,
          new JobTrigger.Vanished(
              job.attempt(),
              "its supervisor (pid " + sup.pid() + ") is gone and left no exit record"));
      return;
    }
    adopt(job, sup);
  }

  private void adopt(Job job, Job.Supervisor sup) {
    LOG.info("re-adopting job " + job.id() + " (supervisor pid " + sup.pid() + ")");
    job.device().ifPresent(d -> driverCall(() -> claims.hold(d.uuid(), sup.pid())));
    watch(job.id(), job.attempt(), processes.onExit(sup.pid()));
    long id = job.id();
    int attempt = job.attempt();
    if (job.state() == JobState.STOPPING) {
      processes.signal(attemptDir(job), sup.pid(), JobProcesses.Signal.TERM);
      later(machine.killGrace(), () -> fire(id, new JobTrigger.KillDue(attempt)));
    } else if (job.spec().timeout().isPresent() && job.startedAt().isPresent()) {
      Duration left =
          job.spec()
              .timeout()
              .get()
              .minus(Duration.between(job.startedAt().get(), clock.instant()));
      later(
          left.isNegative() ? Duration.ZERO : left,
          () -> fire(id, new JobTrigger.TimedOut(attempt)));
    }
  }

  /** Finishes or undoes the journal's last layout change when a crash interrupted it. */
  private void recoverLayoutChange() {
    try {
      new LayoutApplier(
              driver, journal, ApplyHooks.NONE, () -> UUID.randomUUID().toString(), LOG::fine)
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

  /** A process that no longer exists holds nothing: forget such holders. */
  private void releaseDeadHolders() {
    for (DeviceProcess p : claims.holders()) {
      if (ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      LOG.info("releasing " + p.deviceUuid() + " from process " + p.pid() + ", which is gone");
      driverCall(() -> claims.release(p.deviceUuid(), p.pid()));
    }
  }

  // ---------------------------------------------------------------- helpers

  private String resolveEnvironment(String ref) {
    return environments
        .find(ref)
        .map(EnvironmentBuild::id)
        .orElseThrow(
            () ->
                DaemonException.invalid(
                    "environment: no environment build or name '"
                        + ref
                        + "' on this node; build it first with migctl env create -f"
                        + " environment.yml --name "
                        + ref
                        + " (migctl env list shows what exists)"));
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

  /** The supervisors of the jobs that hold or held a device: their processes are not foreign. */
  private Set<Long> ownPids() {
    Set<Long> pids = new HashSet<>();
    for (Job j : active.values()) {
      j.supervisor().ifPresent(s -> pids.add(s.pid()));
    }
    return pids;
  }

  private void driverCall(Runnable call) {
    try {
      call.run();
    } catch (MigDriverException e) {
      LOG.log(Level.WARNING, "driver call failed: " + e.getMessage());
    }
  }

  private void later(Duration after, Runnable work) {
    timers.schedule(() -> post(work), Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
  }

  private void post(Runnable work) {
    try {
      loop.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              LOG.log(Level.SEVERE, "job thread task failed", e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.fine("daemon is stopping; dropped a task");
    }
  }

  private <T> T call(Supplier<T> work) {
    Future<T> f = loop.submit(work::get);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaemonException(503, "unavailable", "interrupted while waiting for the job thread");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
