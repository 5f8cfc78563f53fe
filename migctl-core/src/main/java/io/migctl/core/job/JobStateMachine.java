package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every job transition, in one place. {@link #apply} is a pure function: the job as stored and a
 * trigger in; the next version, the event for the history and the effects out. The caller stores
 * the transition, then performs its effects — never the other way round.
 *
 * <pre>
 * QUEUED ──place──▶ STARTING ──launched──▶ RUNNING ──exited 0──▶ SUCCEEDED
 *   ▲  │                │                    │  └──exited n──▶ FAILED, or QUEUED (retry)
 *   │  └─cancel─▶ CANCELLED                  └─cancel/timeout─▶ STOPPING ──exited──▶ CANCELLED/FAILED
 *   └──────── retry ◀── vanished ──────────────────────────────────────────▶ LOST
 * </pre>
 */
public final class JobStateMachine {

  /** How long a process group has between SIGTERM and SIGKILL, unless configured otherwise. */
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);

  private final Duration killGrace;

  public JobStateMachine(Duration killGrace) {
    if (killGrace.isNegative()) {
      throw new IllegalArgumentException("kill grace must not be negative, was " + killGrace);
    }
    this.killGrace = killGrace;
  }

  public JobStateMachine() {
    this(DEFAULT_KILL_GRACE);
  }

  public Duration killGrace() {
    return killGrace;
  }

  /**
   * The event that records a job's submission.
   *
   * @param by who submitted it, in words: {@code operator} or {@code tenant alice}
   */
  public static JobEvent submitted(Job job, String by) {
    String tenant = "tenant " + job.spec().tenant();
    String who = by.equals(tenant) ? by : by + " for " + tenant;
    return new JobEvent(
        0,
        job.id(),
        job.submittedAt(),
        JobState.QUEUED,
        JobState.QUEUED,
        job.attempt(),
        "submitted",
        "submitted by " + who + ", needs " + job.spec().gpu(),
        Optional.empty());
  }

  /**
   * The transition a trigger causes.
   *
   * @return empty when the trigger no longer matters (a stale timer, a second exit report)
   * @throws IllegalTransitionException when the trigger is a request the state does not allow, such
   *     as cancelling a finished job or placing a running one
   */
  public Optional<Transition> apply(Job job, JobTrigger trigger, Instant now) {
    return switch (trigger) {
      case JobTrigger.Place p -> Optional.of(place(job, p, now));
      case JobTrigger.Launched l -> Optional.of(launched(job, l, now));
      case JobTrigger.LaunchFailed f -> Optional.of(launchFailed(job, f, now));
      case JobTrigger.Exited e -> exited(job, e, now);
      case JobTrigger.Cancel c -> cancel(job, c, now);
      case JobTrigger.TimedOut t -> timedOut(job, t, now);
      case JobTrigger.KillDue k -> killDue(job, k, now);
      case JobTrigger.Vanished v -> vanished(job, v, now);
      case JobTrigger.NeverLaunched n -> neverLaunched(job, now);
      case JobTrigger.Reshaped r -> Optional.of(queuedNote(job, r, r.detail(), now));
      case JobTrigger.ReshapeFailed r -> Optional.of(queuedNote(job, r, r.detail(), now));
    };
  }

  private Transition place(Job job, JobTrigger.Place p, Instant now) {
    require(job, p, JobState.QUEUED);
    List<Job.Device> devices = p.devices();
    int wanted = job.spec().gpu().count();
    boolean whole = job.wholeGpus().isPresent();
    if (devices.size() != wanted || (wanted > 0 && whole == p.gpus().isEmpty())) {
      throw new IllegalArgumentException(
          "job "
              + job.id()
              + " needs "
              + job.spec().gpu()
              + " but was placed on "
              + (devices.isEmpty()
                  ? "no device"
                  : devices.size() + (p.gpus().isEmpty() ? " MIG device(s)" : " whole GPU(s)")));
    }
    Requirement need = job.requirement().orElse(null);
    for (MigSlot s : p.slots()) {
      if (!need.fits(s)) {
        throw new IllegalArgumentException(
            "job " + job.id() + " does not fit " + s.profile() + " " + s.uuid());
      }
    }
    job.wholeGpus()
        .ifPresent(
            w ->
                p.gpus().stream()
                    .filter(g -> !g.matches(w))
                    .findFirst()
                    .ifPresent(
                        g -> {
                          throw new IllegalArgumentException(
                              "job "
                                  + job.id()
                                  + " does not fit GPU "
                                  + g.index()
                                  + " "
                                  + g.uuid());
                        }));
    Job next =
        job.with(JobState.STARTING)
            .withAttempt(job.attempt(), Optional.empty(), devices, Optional.empty())
            .withOutcome(Optional.empty(), Optional.empty(), job.exitStatus(), Optional.empty());
    String where =
        (devices.isEmpty() ? "without a GPU" : "on " + describe(devices))
            + p.why().map(w -> " (" + w + ")").orElse("");
    return transition(job, next, p, now, "placed " + where, List.of(new JobEffect.Launch(next)));
  }

  /** "1g.5gb MIG-…", or for several devices each of them, comma-separated. */
  private static String describe(List<Job.Device> devices) {
    return String.join(
        ", ",
        devices.stream()
            .map(
                d ->
                    (d.whole() ? "GPU " + d.gpu() + " (" + d.profile() + ")" : d.profile())
                        + " "
                        + d.uuid())
            .toList());
  }

  /** A reshape for a queued job: the job stays queued; the event records why and what. */
  private Transition queuedNote(Job job, JobTrigger trigger, String detail, Instant now) {
    require(job, trigger, JobState.QUEUED);
    return transition(job, job, trigger, now, detail, List.of());
  }

  private Transition launched(Job job, JobTrigger.Launched l, Instant now) {
    require(job, l, JobState.STARTING, JobState.STOPPING);
    if (job.supervisor().isPresent()) {
      throw new IllegalTransitionException(
          job.id(), job.state(), "job " + job.id() + " was already launched");
    }
    long pid = l.supervisor().pid();
    List<JobEffect> effects = new ArrayList<>();
    for (Job.Device d : job.devices()) {
      if (!d.whole()) {
        effects.add(new JobEffect.HoldDevice(d.uuid(), pid));
      }
    }
    JobState state = job.state() == JobState.STOPPING ? JobState.STOPPING : JobState.RUNNING;
    if (state == JobState.STOPPING) {
      effects.add(new JobEffect.Signal(job.id(), job.attempt(), "TERM"));
      effects.add(new JobEffect.ScheduleKill(job.id(), job.attempt(), killGrace));
    } else {
      job.spec()
          .timeout()
          .ifPresent(t -> effects.add(new JobEffect.ArmTimeout(job.id(), job.attempt(), t)));
    }
    Job next =
        job.with(state)
            .withAttempt(
                job.attempt(), Optional.of(now), job.devices(), Optional.of(l.supervisor()));
    return transition(job, next, l, now, "supervisor " + pid + " started", effects);
  }

  private Transition launchFailed(Job job, JobTrigger.LaunchFailed f, Instant now) {
    require(job, f, JobState.STARTING, JobState.STOPPING);
    if (job.supervisor().isPresent()) {
      throw new IllegalTransitionException(
          job.id(), job.state(), "job " + job.id() + " was launched; its exit decides its outcome");
    }
    JobState end =
        job.stopCause().isPresent() && job.stopCause().get() == Job.StopCause.CANCEL
            ? JobState.CANCELLED
            : JobState.FAILED;
    Job next =
        job.with(end)
            .withOutcome(
                Optional.of(now),
                job.stopCause(),
                OptionalInt.empty(),
                Optional.of("could not start: " + f.message()));
    return transition(
        job, next, f, now, "could not start: " + f.message(), List.of(new JobEffect.Reschedule()));
  }

  private Optional<Transition> exited(Job job, JobTrigger.Exited e, Instant now) {
    if (!current(job, e.attempt(), JobState.RUNNING, JobState.STOPPING)) {
      return Optional.empty();
    }
    String status = e.confinement().map(c -> c + "; ").orElse("") + describeStatus(e.status());
    Optional<Job.StopCause> cause = job.stopCause();
    if (cause.isPresent() && cause.get() == Job.StopCause.CANCEL) {
      return Optional.of(
          finish(job, e, now, JobState.CANCELLED, e.status(), "cancelled; " + status));
    }
    if (e.status() == 0 && cause.isEmpty()) {
      return Optional.of(finish(job, e, now, JobState.SUCCEEDED, 0, status));
    }
    String why =
        cause.isPresent()
            ? "timed out after " + human(job.spec().timeout().orElseThrow()) + "; " + status
            : status;
    return Optional.of(failOrRetry(job, e, now, OptionalInt.of(e.status()), why, JobState.FAILED));
  }

  private Optional<Transition> cancel(Job job, JobTrigger.Cancel c, Instant now) {
    if (job.state().isTerminal()) {
      throw new IllegalTransitionException(
          job.id(),
          job.state(),
          "job " + job.id() + " has already " + pastTense(job.state()) + "; nothing to cancel");
    }
    return switch (job.state()) {
      case QUEUED -> {
        Job next =
            job.with(JobState.CANCELLED)
                .withOutcome(
                    Optional.of(now),
                    Optional.of(Job.StopCause.CANCEL),
                    job.exitStatus(),
                    Optional.of("cancelled while queued"));
        yield Optional.of(
            transition(
                job,
                next,
                c,
                now,
                "cancelled by " + c.by() + " while queued",
                List.of(new JobEffect.Reschedule())));
      }
      case STARTING -> Optional.of(stopping(job, c, now, Job.StopCause.CANCEL, List.of()));
      case RUNNING ->
          Optional.of(
              stopping(
                  job,
                  c,
                  now,
                  Job.StopCause.CANCEL,
                  List.of(
                      new JobEffect.Signal(job.id(), job.attempt(), "TERM"),
                      new JobEffect.ScheduleKill(job.id(), job.attempt(), killGrace))));
      case STOPPING ->
          job.stopCause().orElseThrow() == Job.StopCause.CANCEL
              ? Optional.empty()
              : Optional.of(stopping(job, c, now, Job.StopCause.CANCEL, List.of()));
      default -> throw new IllegalStateException("unreachable: " + job.state());
    };
  }

  private Optional<Transition> timedOut(Job job, JobTrigger.TimedOut t, Instant now) {
    if (!current(job, t.attempt(), JobState.RUNNING) || job.spec().timeout().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        stopping(
            job,
            t,
            now,
            Job.StopCause.TIMEOUT,
            List.of(
                new JobEffect.Signal(job.id(), job.attempt(), "TERM"),
                new JobEffect.ScheduleKill(job.id(), job.attempt(), killGrace))));
  }

  private Optional<Transition> killDue(Job job, JobTrigger.KillDue k, Instant now) {
    if (!current(job, k.attempt(), JobState.STOPPING) || job.supervisor().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        transition(
            job,
            job,
            k,
            now,
            "still running " + human(killGrace) + " after SIGTERM; sending SIGKILL",
            List.of(new JobEffect.Signal(job.id(), job.attempt(), "KILL"))));
  }

  private Optional<Transition> vanished(Job job, JobTrigger.Vanished v, Instant now) {
    if (!current(job, v.attempt(), JobState.STARTING, JobState.RUNNING, JobState.STOPPING)) {
      return Optional.empty();
    }
    if (job.stopCause().isPresent() && job.stopCause().get() == Job.StopCause.CANCEL) {
      return Optional.of(finish(job, v, now, JobState.CANCELLED, -1, "cancelled; " + v.detail()));
    }
    return Optional.of(failOrRetry(job, v, now, OptionalInt.empty(), v.detail(), JobState.LOST));
  }

  private Optional<Transition> neverLaunched(Job job, Instant now) {
    JobTrigger.NeverLaunched n = new JobTrigger.NeverLaunched();
    if (job.supervisor().isPresent()
        || (job.state() != JobState.STARTING && job.state() != JobState.STOPPING)) {
      return Optional.empty();
    }
    if (job.state() == JobState.STOPPING) {
      return Optional.of(
          finish(job, n, now, JobState.CANCELLED, -1, "cancelled before it started"));
    }
    Job next =
        job.with(JobState.QUEUED)
            .withAttempt(job.attempt(), Optional.empty(), List.of(), Optional.empty());
    return Optional.of(
        transition(
            job,
            next,
            n,
            now,
            "back to the queue: its supervisor was never started",
            List.of(new JobEffect.Reschedule())));
  }

  // ---------------------------------------------------------------- building blocks

  private Transition stopping(
      Job job, JobTrigger trigger, Instant now, Job.StopCause cause, List<JobEffect> effects) {
    Job next =
        job.with(JobState.STOPPING)
            .withOutcome(job.finishedAt(), Optional.of(cause), job.exitStatus(), job.reason());
    String detail =
        switch (trigger) {
          case JobTrigger.Cancel c -> "cancelled by " + c.by() + "; stopping";
          default -> "timed out after " + human(job.spec().timeout().orElseThrow());
        };
    return transition(job, next, trigger, now, detail, effects);
  }

  private Transition finish(
      Job job, JobTrigger trigger, Instant now, JobState end, int status, String why) {
    Job next =
        job.with(end)
            .withOutcome(
                Optional.of(now),
                job.stopCause(),
                status < 0 ? job.exitStatus() : OptionalInt.of(status),
                Optional.of(why));
    return transition(job, next, trigger, now, why, releaseEffects(job));
  }

  private Transition failOrRetry(
      Job job, JobTrigger trigger, Instant now, OptionalInt status, String why, JobState end) {
    int failedAttempts = job.attempt();
    if (failedAttempts <= job.spec().maxRetries()) {
      String detail =
          "attempt "
              + job.attempt()
              + " "
              + (end == JobState.LOST ? "lost" : "failed")
              + ": "
              + why
              + "; retrying ("
              + failedAttempts
              + " of "
              + job.spec().maxRetries()
              + " retries used)";
      Job next =
          job.with(JobState.QUEUED)
              .withAttempt(job.attempt() + 1, Optional.empty(), List.of(), Optional.empty())
              .withOutcome(
                  Optional.empty(),
                  Optional.empty(),
                  status.isPresent() ? status : job.exitStatus(),
                  Optional.of(detail));
      return transition(job, next, trigger, now, detail, releaseEffects(job));
    }
    Job next =
        job.with(end)
            .withOutcome(
                Optional.of(now),
                job.stopCause(),
                status.isPresent() ? status : job.exitStatus(),
                Optional.of(why));
    return transition(job, next, trigger, now, why, releaseEffects(job));
  }

  private static List<JobEffect> releaseEffects(Job job) {
    List<JobEffect> effects = new ArrayList<>();
    job.supervisor()
        .ifPresent(
            s -> {
              effects.add(new JobEffect.KillGroup(job.id(), s.pid()));
              job.devices().stream()
                  .filter(d -> !d.whole())
                  .forEach(d -> effects.add(new JobEffect.ReleaseDevice(d.uuid(), s.pid())));
            });
    effects.add(new JobEffect.Reschedule());
    return effects;
  }

  private static Transition transition(
      Job before,
      Job after,
      JobTrigger trigger,
      Instant now,
      String detail,
      List<JobEffect> effects) {
    Optional<String> device = after.device().or(before::device).map(Job.Device::uuid);
    JobEvent event =
        new JobEvent(
            0,
            before.id(),
            now,
            before.state(),
            after.state(),
            before.attempt(),
            trigger.kind(),
            detail,
            device);
    return new Transition(before, after, event, effects);
  }

  private static void require(Job job, JobTrigger trigger, JobState... allowed) {
    for (JobState s : allowed) {
      if (job.state() == s) {
        return;
      }
    }
    throw new IllegalTransitionException(
        job.id(),
        job.state(),
        "job " + job.id() + " is " + job.state().wireName() + "; cannot apply " + trigger.kind());
  }

  private static boolean current(Job job, int attempt, JobState... allowed) {
    if (job.attempt() != attempt) {
      return false;
    }
    for (JobState s : allowed) {
      if (job.state() == s) {
        return true;
      }
    }
    return false;
  }

  /** "exit status 3", or "killed by signal 9 (SIGKILL)" for statuses above 128. */
  public static String describeStatus(int status) {
    if (status == 0) {
      return "exit status 0";
    }
    if (status > 128 && status < 128 + 65) {
      int signal = status - 128;
      String name = signalName(signal);
      return "killed by signal " + signal + (name.isEmpty() ? "" : " (" + name + ")");
    }
    if (status == 127) {
      return "exit status 127 (command not found)";
    }
    if (status == 126) {
      return "exit status 126 (command not executable)";
    }
    return "exit status " + status;
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 1 -> "SIGHUP";
      case 2 -> "SIGINT";
      case 6 -> "SIGABRT";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 15 -> "SIGTERM";
      default -> "";
    };
  }

  private static String pastTense(JobState state) {
    return switch (state) {
      case SUCCEEDED -> "succeeded";
      case FAILED -> "failed";
      case CANCELLED -> "been cancelled";
      case LOST -> "been lost";
      default -> state.wireName();
    };
  }

  static String human(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() % 1000 != 0 || d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
