package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job.StopCause;
import io.migctl.core.job.JobEffect.ArmTimeout;
import io.migctl.core.job.JobEffect.HoldDevice;
import io.migctl.core.job.JobEffect.KillGroup;
import io.migctl.core.job.JobEffect.Launch;
import io.migctl.core.job.JobEffect.ReleaseDevice;
import io.migctl.core.job.JobEffect.Reschedule;
import io.migctl.core.job.JobEffect.ScheduleKill;
import io.migctl.core.job.JobEffect.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class JobStateMachineTest {

  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final long ID = 42;
  private static final long PID = 4242;
  private static final MigSlot SLOT = Jobs.slot("MIG-a", "1g.10gb", 9856, 1, 2);
  private static final Job.Supervisor SUPERVISOR =
      new Job.Supervisor(PID, Optional.of(T0.plusSeconds(2)));

  private final JobStateMachine machine = new JobStateMachine(GRACE);

  // ---------------------------------------------------------------- helpers

  private static Job gpuJob(int maxRetries, Optional<Duration> timeout) {
    return Jobs.queued(ID, Jobs.spec(Jobs.memory(8192, 1), 0, timeout, maxRetries), T0);
  }

  private static Job gpuJob() {
    return gpuJob(0, Optional.empty());
  }

  private static Job cpuJob(Optional<Duration> timeout) {
    return Jobs.queued(ID, Jobs.spec(GpuNeed.NONE, 0, timeout, 0), T0);
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private Transition step(Job job, JobTrigger trigger, Instant now) {
    Optional<Transition> t = machine.apply(job, trigger, now);
    assertThat(t).as("%s on a %s job", trigger, job.state()).isPresent();
    Transition tr = t.get();
    assertThat(tr.before()).isSameAs(job);
    assertThat(tr.event().from()).isEqualTo(job.state());
    assertThat(tr.event().to()).isEqualTo(tr.after().state());
    assertThat(tr.event().jobId()).isEqualTo(job.id());
    assertThat(tr.event().at()).isEqualTo(now);
    assertThat(tr.event().seq()).isZero();
    assertThat(tr.event().kind()).isEqualTo(trigger.kind());
    return tr;
  }

  private Job placed(Job job) {
    return step(
            job, new JobTrigger.Place(job.needsGpu() ? Optional.of(SLOT) : Optional.empty()), at(1))
        .after();
  }

  private Job running(Job job) {
    return step(placed(job), new JobTrigger.Launched(SUPERVISOR), at(2)).after();
  }

  private Job succeeded() {
    return step(running(gpuJob()), new JobTrigger.Exited(1, 0), at(3)).after();
  }

  private Job failed() {
    return step(running(gpuJob()), new JobTrigger.Exited(1, 1), at(3)).after();
  }

  private Job cancelled() {
    return step(gpuJob(), new JobTrigger.Cancel("operator"), at(3)).after();
  }

  private Job lost() {
    return step(running(gpuJob()), new JobTrigger.Vanished(1, "gone"), at(3)).after();
  }

  private Job finished(JobState state) {
    return switch (state) {
      case SUCCEEDED -> succeeded();
      case FAILED -> failed();
      case CANCELLED -> cancelled();
      case LOST -> lost();
      default -> throw new IllegalArgumentException(state.toString());
    };
  }

  private static List<JobEffect> released() {
    return List.of(new KillGroup(ID, PID), new ReleaseDevice("MIG-a", PID), new Reschedule());
  }

  // ---------------------------------------------------------------- construction

  @Test
  void killGraceMustNotBeNegative() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new JobStateMachine(Duration.ofSeconds(-1)))
        .withMessageContaining("must not be negative");
    assertThat(new JobStateMachine(Duration.ZERO).killGrace()).isZero();
    assertThat(new JobStateMachine().killGrace())
        .isEqualTo(JobStateMachine.DEFAULT_KILL_GRACE)
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aSubmissionEventRecordsTheTenantAndTheNeed() {
    Job job = gpuJob();
    JobEvent e = JobStateMachine.submitted(job, "tenant team-a");
    assertThat(e)
        .isEqualTo(
            new JobEvent(
                0,
                ID,
                T0,
                JobState.QUEUED,
                JobState.QUEUED,
                1,
                "submitted",
                "submitted by tenant team-a, needs 8192MiB",
                Optional.empty()));
  }

  @Test
  void aSubmissionByTheOperatorForATenantSaysBoth() {
    assertThat(JobStateMachine.submitted(gpuJob(), "operator").detail())
        .isEqualTo("submitted by operator for tenant team-a, needs 8192MiB");
  }

  @Test
  void aNewJobIsQueuedAtItsFirstAttempt() {
    Job job = gpuJob();
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.device()).isEmpty();
    assertThat(job.supervisor()).isEmpty();
    assertThat(job.finishedAt()).isEmpty();
    assertThat(job.needsGpu()).isTrue();
    assertThat(cpuJob(Optional.empty()).needsGpu()).isFalse();
  }

  // ---------------------------------------------------------------- place

  @Test
  void placingStartsTheJobOnItsDevice() {
    Job job = gpuJob();
    Transition t = step(job, new JobTrigger.Place(Optional.of(SLOT)), at(1));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.STARTING);
    assertThat(next.attempt()).isEqualTo(1);
    assertThat(next.device()).contains(new Job.Device("MIG-a", 0, 2, "1g.10gb"));
    assertThat(next.supervisor()).isEmpty();
    assertThat(next.startedAt()).isEmpty();
    assertThat(next.finishedAt()).isEmpty();
    assertThat(t.effects()).containsExactly(new Launch(next));
    assertThat(t.event().kind()).isEqualTo("placed");
    assertThat(t.event().detail()).isEqualTo("placed on 1g.10gb MIG-a");
    assertThat(t.event().device()).contains("MIG-a");
    assertThat(t.event().attempt()).isEqualTo(1);
  }

  @Test
  void placingAJobWithoutGpuStartsItWithoutADevice() {
    Transition t = step(cpuJob(Optional.empty()), new JobTrigger.Place(Optional.empty()), at(1));
    assertThat(t.after().state()).isEqualTo(JobState.STARTING);
    assertThat(t.after().device()).isEmpty();
    assertThat(t.effects()).containsExactly(new Launch(t.after()));
    assertThat(t.event().detail()).isEqualTo("placed without a GPU");
    assertThat(t.event().device()).isEmpty();
  }

  @Test
  void aGpuJobMustBePlacedOnADeviceAndACpuJobOnNone() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> machine.apply(gpuJob(), new JobTrigger.Place(Optional.empty()), at(1)))
        .withMessage("job 42 needs 8192MiB but was placed on no device");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                machine.apply(
                    cpuJob(Optional.empty()), new JobTrigger.Place(Optional.of(SLOT)), at(1)))
        .withMessage("job 42 needs none but was placed on 1 MIG device(s)");
  }

  @Test
  void placingOnASlotThatDoesNotFitIsRefused() {
    MigSlot small = Jobs.slot("MIG-small", "1g.5gb", 4864, 1, 0);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> machine.apply(gpuJob(), new JobTrigger.Place(Optional.of(small)), at(1)))
        .withMessage("job 42 does not fit 1g.5gb MIG-small");
    Job twoSlices = Jobs.queued(ID, Jobs.spec(Jobs.memory(4000, 2), 0, Optional.empty(), 0), T0);
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> machine.apply(twoSlices, new JobTrigger.Place(Optional.of(small)), at(1)));
  }

  @Test
  void placingOnASlotThatJustFitsIsAccepted() {
    MigSlot exact = Jobs.slot("MIG-x", "x", 8192, 1, 0);
    assertThat(step(gpuJob(), new JobTrigger.Place(Optional.of(exact)), at(1)).after().state())
        .isEqualTo(JobState.STARTING);
  }

  @Test
  void onlyAQueuedJobCanBePlaced() {
    Job starting = placed(gpuJob());
    assertThatThrownBy(
            () -> machine.apply(starting, new JobTrigger.Place(Optional.of(SLOT)), at(2)))
        .isInstanceOfSatisfying(
            IllegalTransitionException.class,
            e -> {
              assertThat(e.jobId()).isEqualTo(ID);
              assertThat(e.state()).isEqualTo(JobState.STARTING);
              assertThat(e.getMessage()).isEqualTo("job 42 is starting; cannot apply placed");
            });
    Job done = succeeded();
    assertThatThrownBy(() -> machine.apply(done, new JobTrigger.Place(Optional.of(SLOT)), at(4)))
        .isInstanceOf(IllegalTransitionException.class);
  }

  // ---------------------------------------------------------------- launched

  @Test
  void aLaunchedJobRunsAndHoldsItsDevice() {
    Job starting = placed(gpuJob());
    Transition t = step(starting, new JobTrigger.Launched(SUPERVISOR), at(2));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.RUNNING);
    assertThat(next.supervisor()).contains(SUPERVISOR);
    assertThat(next.startedAt()).contains(at(2));
    assertThat(next.device()).isEqualTo(starting.device());
    assertThat(t.effects()).containsExactly(new HoldDevice("MIG-a", PID));
    assertThat(t.event().kind()).isEqualTo("launched");
    assertThat(t.event().detail()).isEqualTo("supervisor 4242 started");
    assertThat(t.event().device()).contains("MIG-a");
  }

  @Test
  void aLaunchedJobWithATimeoutArmsIt() {
    Job starting = placed(gpuJob(0, Optional.of(Duration.ofMinutes(30))));
    Transition t = step(starting, new JobTrigger.Launched(SUPERVISOR), at(2));
    assertThat(t.effects())
        .containsExactly(
            new HoldDevice("MIG-a", PID), new ArmTimeout(ID, 1, Duration.ofMinutes(30)));
  }

  @Test
  void aLaunchedJobWithoutGpuHoldsNoDevice() {
    Transition plain =
        step(placed(cpuJob(Optional.empty())), new JobTrigger.Launched(SUPERVISOR), at(2));
    assertThat(plain.after().state()).isEqualTo(JobState.RUNNING);
    assertThat(plain.effects()).isEmpty();
    Transition timed =
        step(
            placed(cpuJob(Optional.of(Duration.ofSeconds(5)))),
            new JobTrigger.Launched(SUPERVISOR),
            at(2));
    assertThat(timed.effects()).containsExactly(new ArmTimeout(ID, 1, Duration.ofSeconds(5)));
  }

  @Test
  void aJobIsLaunchedOnce() {
    Job job = running(gpuJob());
    assertThatThrownBy(() -> machine.apply(job, new JobTrigger.Launched(SUPERVISOR), at(3)))
        .isInstanceOf(IllegalTransitionException.class);
    Job stopping = step(job, new JobTrigger.Cancel("operator"), at(3)).after();
    assertThatThrownBy(() -> machine.apply(stopping, new JobTrigger.Launched(SUPERVISOR), at(4)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage("job 42 was already launched");
    assertThatThrownBy(() -> machine.apply(gpuJob(), new JobTrigger.Launched(SUPERVISOR), at(1)))
        .isInstanceOf(IllegalTransitionException.class);
  }

  // ---------------------------------------------------------------- launch failed

  @Test
  void aJobThatCannotStartFails() {
    Job starting = placed(gpuJob());
    Transition t = step(starting, new JobTrigger.LaunchFailed("no such file: python"), at(2));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.FAILED);
    assertThat(next.finishedAt()).contains(at(2));
    assertThat(next.reason()).contains("could not start: no such file: python");
    assertThat(next.exitStatus()).isEmpty();
    assertThat(t.effects()).containsExactly(new Reschedule());
    assertThat(t.event().kind()).isEqualTo("launch-failed");
    assertThat(t.event().device()).contains("MIG-a");
  }

  @Test
  void launchFailureIsOnlyAcceptedWhileStarting() {
    assertThatThrownBy(() -> machine.apply(gpuJob(), new JobTrigger.LaunchFailed("x"), at(1)))
        .isInstanceOf(IllegalTransitionException.class);
    Job job = running(gpuJob());
    assertThatThrownBy(() -> machine.apply(job, new JobTrigger.LaunchFailed("x"), at(3)))
        .isInstanceOf(IllegalTransitionException.class);
  }

  /**
   * A job whose supervisor was launched holds its device; a launch failure reported after that
   * (stale, or doubled by a runner restart) must not end the job without killing its process group
   * and releasing the device, or the device goes to another job while the first still runs on it.
   */
  @Test
  void aLaunchFailureAfterTheLaunchDoesNotLeakTheDevice() {
    Job stopping = step(running(gpuJob()), new JobTrigger.Cancel("operator"), at(3)).after();
    assertThat(stopping.supervisor()).isPresent();
    Optional<Transition> t;
    try {
      t = machine.apply(stopping, new JobTrigger.LaunchFailed("late report"), at(4));
    } catch (IllegalTransitionException refused) {
      assertThat(refused.state()).isEqualTo(JobState.STOPPING);
      return;
    }
    t.ifPresent(
        tr -> {
          if (!tr.after().state().holdsDevice()) {
            assertThat(tr.effects())
                .as("ended %s", tr.after().state())
                .contains(new KillGroup(ID, PID), new ReleaseDevice("MIG-a", PID));
          }
        });
  }

  // ---------------------------------------------------------------- exited

  @Test
  void exitZeroSucceedsAndReleasesTheDevice() {
    Job job = running(gpuJob(2, Optional.of(Duration.ofHours(1))));
    Transition t = step(job, new JobTrigger.Exited(1, 0), at(3));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(next.exitStatus()).isEqualTo(OptionalInt.of(0));
    assertThat(next.finishedAt()).contains(at(3));
    assertThat(next.attempt()).isEqualTo(1);
    assertThat(next.device()).as("kept for the record").isEqualTo(job.device());
    assertThat(next.reason()).contains("exit status 0");
    assertThat(t.effects()).containsExactlyElementsOf(released());
    assertThat(t.event().kind()).isEqualTo("exited");
    assertThat(t.event().device()).contains("MIG-a");
  }

  @Test
  void aJobWithoutGpuReleasesNoDevice() {
    Job job =
        step(placed(cpuJob(Optional.empty())), new JobTrigger.Launched(SUPERVISOR), at(2)).after();
    Transition t = step(job, new JobTrigger.Exited(1, 0), at(3));
    assertThat(t.effects()).containsExactly(new KillGroup(ID, PID), new Reschedule());
  }

  @Test
  void aFailedAttemptWithRetriesLeftIsQueuedAgain() {
    Job job = running(gpuJob(2, Optional.empty()));
    Transition t = step(job, new JobTrigger.Exited(1, 3), at(3));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.QUEUED);
    assertThat(next.attempt()).isEqualTo(2);
    assertThat(next.device()).isEmpty();
    assertThat(next.supervisor()).isEmpty();
    assertThat(next.startedAt()).isEmpty();
    assertThat(next.finishedAt()).isEmpty();
    assertThat(next.stopCause()).isEmpty();
    assertThat(next.exitStatus()).isEqualTo(OptionalInt.of(3));
    assertThat(next.submittedAt()).isEqualTo(T0);
    assertThat(next.reason())
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .contains("attempt 1 failed: exit status 3")
                    .contains("retrying")
                    .contains("1 of 2 retries used"));
    assertThat(t.effects()).containsExactlyElementsOf(released());
    assertThat(t.event().attempt()).isEqualTo(1);
    assertThat(t.event().to()).isEqualTo(JobState.QUEUED);
    assertThat(t.event().device()).contains("MIG-a");
  }

  @Test
  void theRetryRunsAsTheNextAttempt() {
    Job retry =
        step(running(gpuJob(1, Optional.empty())), new JobTrigger.Exited(1, 3), at(3)).after();
    Transition placed = step(retry, new JobTrigger.Place(Optional.of(SLOT)), at(4));
    assertThat(placed.after().attempt()).isEqualTo(2);
    assertThat(placed.after().reason()).isEmpty();
    assertThat(placed.event().attempt()).isEqualTo(2);
    Job.Supervisor second = new Job.Supervisor(PID + 1, Optional.empty());
    Transition launched = step(placed.after(), new JobTrigger.Launched(second), at(5));
    assertThat(launched.effects()).containsExactly(new HoldDevice("MIG-a", PID + 1));
    // The first attempt's exit report comes again: it no longer matters.
    assertThat(machine.apply(launched.after(), new JobTrigger.Exited(1, 3), at(6))).isEmpty();
    Transition exhausted = step(launched.after(), new JobTrigger.Exited(2, 3), at(6));
    assertThat(exhausted.after().state()).isEqualTo(JobState.FAILED);
    assertThat(exhausted.after().attempt()).isEqualTo(2);
    assertThat(exhausted.after().reason()).contains("exit status 3");
    assertThat(exhausted.after().exitStatus()).isEqualTo(OptionalInt.of(3));
    assertThat(exhausted.after().finishedAt()).contains(at(6));
    assertThat(exhausted.effects())
        .containsExactly(
            new KillGroup(ID, PID + 1), new ReleaseDevice("MIG-a", PID + 1), new Reschedule());
  }

  @Test
  void aFailedAttemptWithoutRetriesFails() {
    Transition t = step(running(gpuJob()), new JobTrigger.Exited(1, 1), at(3));
    assertThat(t.after().state()).isEqualTo(JobState.FAILED);
    assertThat(t.after().reason()).contains("exit status 1");
    assertThat(t.after().exitStatus()).isEqualTo(OptionalInt.of(1));
    assertThat(t.after().finishedAt()).contains(at(3));
    assertThat(t.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aKilledJobSaysWhichSignal() {
    Transition t = step(running(gpuJob()), new JobTrigger.Exited(1, 137), at(3));
    assertThat(t.after().state()).isEqualTo(JobState.FAILED);
    assertThat(t.after().reason()).contains("killed by signal 9 (SIGKILL)");
    assertThat(t.event().detail()).isEqualTo("killed by signal 9 (SIGKILL)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0   | exit status 0",
        "1   | exit status 1",
        "2   | exit status 2",
        "126 | exit status 126 (command not executable)",
        "127 | exit status 127 (command not found)",
        "128 | exit status 128",
        "129 | killed by signal 1 (SIGHUP)",
        "130 | killed by signal 2 (SIGINT)",
        "134 | killed by signal 6 (SIGABRT)",
        "137 | killed by signal 9 (SIGKILL)",
        "139 | killed by signal 11 (SIGSEGV)",
        "143 | killed by signal 15 (SIGTERM)",
        "138 | killed by signal 10",
        "192 | killed by signal 64",
        "193 | exit status 193",
        "255 | exit status 255"
      })
  void describesExitStatuses(int status, String text) {
    assertThat(JobStateMachine.describeStatus(status)).isEqualTo(text);
  }

  @Test
  void anExitBeforeTheLaunchOrAfterTheEndIsIgnored() {
    assertThat(machine.apply(gpuJob(), new JobTrigger.Exited(1, 0), at(1))).isEmpty();
    assertThat(machine.apply(placed(gpuJob()), new JobTrigger.Exited(1, 0), at(2))).isEmpty();
    Job done = succeeded();
    assertThat(machine.apply(done, new JobTrigger.Exited(1, 0), at(4))).isEmpty();
    assertThat(machine.apply(done, new JobTrigger.Exited(1, 1), at(4))).isEmpty();
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void cancellingAQueuedJobEndsIt() {
    Transition t = step(gpuJob(), new JobTrigger.Cancel("tenant alice"), at(5));
    Job next = t.after();
    assertThat(t.event().detail()).isEqualTo("cancelled by tenant alice while queued");
    assertThat(next.state()).isEqualTo(JobState.CANCELLED);
    assertThat(next.finishedAt()).contains(at(5));
    assertThat(next.stopCause()).contains(StopCause.CANCEL);
    assertThat(next.reason()).contains("cancelled while queued");
    assertThat(t.effects()).containsExactly(new Reschedule());
    assertThat(t.event().kind()).isEqualTo("cancel");
    assertThat(t.event().device()).isEmpty();
  }

  @Test
  void cancellingARunningJobSignalsItsGroup() {
    Job job = running(gpuJob(3, Optional.of(Duration.ofHours(1))));
    Transition t = step(job, new JobTrigger.Cancel("operator"), at(5));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.STOPPING);
    assertThat(next.stopCause()).contains(StopCause.CANCEL);
    assertThat(next.finishedAt()).isEmpty();
    assertThat(next.supervisor()).isEqualTo(job.supervisor());
    assertThat(next.device()).isEqualTo(job.device());
    assertThat(t.effects())
        .containsExactly(new Signal(ID, 1, "TERM"), new ScheduleKill(ID, 1, GRACE));
    assertThat(t.event().detail()).isEqualTo("cancelled by operator; stopping");

    Transition kill = step(next, new JobTrigger.KillDue(1), at(15));
    assertThat(kill.after()).isEqualTo(next);
    assertThat(kill.event().from()).isEqualTo(JobState.STOPPING);
    assertThat(kill.event().to()).isEqualTo(JobState.STOPPING);
    assertThat(kill.event().kind()).isEqualTo("kill");
    assertThat(kill.event().detail()).isEqualTo("still running 10s after SIGTERM; sending SIGKILL");
    assertThat(kill.effects()).containsExactly(new Signal(ID, 1, "KILL"));

    Transition end = step(next, new JobTrigger.Exited(1, 137), at(16));
    assertThat(end.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(end.after().attempt()).as("a cancelled job is not retried").isEqualTo(1);
    assertThat(end.after().finishedAt()).contains(at(16));
    assertThat(end.after().exitStatus()).isEqualTo(OptionalInt.of(137));
    assertThat(end.after().reason()).contains("cancelled; killed by signal 9 (SIGKILL)");
    assertThat(end.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aCancelledJobThatExitsZeroIsStillCancelled() {
    Job stopping = step(running(gpuJob()), new JobTrigger.Cancel("operator"), at(5)).after();
    assertThat(step(stopping, new JobTrigger.Exited(1, 0), at(6)).after().state())
        .isEqualTo(JobState.CANCELLED);
  }

  @Test
  void cancellingAStartingJobStopsItOnceLaunched() {
    Job starting = placed(gpuJob(0, Optional.of(Duration.ofHours(1))));
    Transition cancel = step(starting, new JobTrigger.Cancel("operator"), at(2));
    Job stopping = cancel.after();
    assertThat(stopping.state()).isEqualTo(JobState.STOPPING);
    assertThat(stopping.stopCause()).contains(StopCause.CANCEL);
    assertThat(stopping.supervisor()).isEmpty();
    assertThat(cancel.effects()).as("nothing to signal yet").isEmpty();

    Transition launched = step(stopping, new JobTrigger.Launched(SUPERVISOR), at(3));
    assertThat(launched.after().state()).isEqualTo(JobState.STOPPING);
    assertThat(launched.after().supervisor()).contains(SUPERVISOR);
    assertThat(launched.effects())
        .containsExactly(
            new HoldDevice("MIG-a", PID),
            new Signal(ID, 1, "TERM"),
            new ScheduleKill(ID, 1, GRACE));

    Transition end = step(launched.after(), new JobTrigger.Exited(1, 143), at(4));
    assertThat(end.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(end.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aJobCancelledWhileStartingThatCannotStartIsCancelled() {
    Job stopping = step(placed(gpuJob()), new JobTrigger.Cancel("operator"), at(2)).after();
    Transition t = step(stopping, new JobTrigger.LaunchFailed("exec failed"), at(3));
    assertThat(t.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(t.after().finishedAt()).contains(at(3));
    assertThat(t.effects()).containsExactly(new Reschedule());
  }

  @Test
  void aJobCancelledWhileStartingThatWasNeverLaunchedIsCancelled() {
    Job stopping = step(placed(gpuJob()), new JobTrigger.Cancel("operator"), at(2)).after();
    Transition t = step(stopping, new JobTrigger.NeverLaunched(), at(3));
    assertThat(t.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(t.after().finishedAt()).contains(at(3));
    assertThat(t.after().reason()).contains("cancelled before it started");
    assertThat(t.effects()).containsExactly(new Reschedule());
  }

  @Test
  void cancellingTwiceDoesNothingTheSecondTime() {
    Job stopping = step(running(gpuJob()), new JobTrigger.Cancel("operator"), at(5)).after();
    assertThat(machine.apply(stopping, new JobTrigger.Cancel("operator"), at(6))).isEmpty();
  }

  @Test
  void cancellingATimedOutJobMakesItCancelled() {
    Job job = running(gpuJob(2, Optional.of(Duration.ofMinutes(1))));
    Job timedOut = step(job, new JobTrigger.TimedOut(1), at(62)).after();
    Transition cancel = step(timedOut, new JobTrigger.Cancel("operator"), at(63));
    assertThat(cancel.after().state()).isEqualTo(JobState.STOPPING);
    assertThat(cancel.after().stopCause()).contains(StopCause.CANCEL);
    assertThat(cancel.effects()).as("already signalled").isEmpty();
    Transition end = step(cancel.after(), new JobTrigger.Exited(1, 143), at(64));
    assertThat(end.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(end.after().attempt()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(
      value = JobState.class,
      names = {"SUCCEEDED", "FAILED", "CANCELLED", "LOST"})
  void cancellingAFinishedJobIsRefused(JobState state) {
    Job done = finished(state);
    assertThat(done.state()).isEqualTo(state);
    assertThatThrownBy(() -> machine.apply(done, new JobTrigger.Cancel("operator"), at(10)))
        .isInstanceOfSatisfying(
            IllegalTransitionException.class,
            e -> {
              assertThat(e.state()).isEqualTo(state);
              assertThat(e.jobId()).isEqualTo(ID);
              assertThat(e.getMessage())
                  .startsWith("job 42 has already ")
                  .endsWith("nothing to cancel");
            });
  }

  @Test
  void theRefusalSaysWhatHappened() {
    assertThatThrownBy(() -> machine.apply(succeeded(), new JobTrigger.Cancel("operator"), at(10)))
        .hasMessage("job 42 has already succeeded; nothing to cancel");
    assertThatThrownBy(() -> machine.apply(cancelled(), new JobTrigger.Cancel("operator"), at(10)))
        .hasMessage("job 42 has already been cancelled; nothing to cancel");
  }

  // ---------------------------------------------------------------- timeout

  @Test
  void aTimedOutJobIsStoppedAndFails() {
    Job job = running(gpuJob(0, Optional.of(Duration.ofMinutes(90))));
    Transition t = step(job, new JobTrigger.TimedOut(1), at(5402));
    Job stopping = t.after();
    assertThat(stopping.state()).isEqualTo(JobState.STOPPING);
    assertThat(stopping.stopCause()).contains(StopCause.TIMEOUT);
    assertThat(t.effects())
        .containsExactly(new Signal(ID, 1, "TERM"), new ScheduleKill(ID, 1, GRACE));
    assertThat(t.event().kind()).isEqualTo("timed-out");
    assertThat(t.event().detail()).isEqualTo("timed out after 90m");

    Transition end = step(stopping, new JobTrigger.Exited(1, 143), at(5403));
    assertThat(end.after().state()).isEqualTo(JobState.FAILED);
    assertThat(end.after().reason()).contains("timed out after 90m; killed by signal 15 (SIGTERM)");
    assertThat(end.after().stopCause()).contains(StopCause.TIMEOUT);
    assertThat(end.after().finishedAt()).contains(at(5403));
    assertThat(end.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aTimedOutJobThatExitsZeroStillFails() {
    Job job = running(gpuJob(0, Optional.of(Duration.ofSeconds(30))));
    Job stopping = step(job, new JobTrigger.TimedOut(1), at(32)).after();
    Transition end = step(stopping, new JobTrigger.Exited(1, 0), at(33));
    assertThat(end.after().state()).isEqualTo(JobState.FAILED);
    assertThat(end.after().reason()).contains("timed out after 30s; exit status 0");
  }

  @Test
  void aTimedOutJobWithRetriesIsQueuedAgain() {
    Job job = running(gpuJob(1, Optional.of(Duration.ofHours(2))));
    Job stopping = step(job, new JobTrigger.TimedOut(1), at(7202)).after();
    Transition end = step(stopping, new JobTrigger.Exited(1, 143), at(7203));
    assertThat(end.after().state()).isEqualTo(JobState.QUEUED);
    assertThat(end.after().attempt()).isEqualTo(2);
    assertThat(end.after().stopCause()).isEmpty();
    assertThat(end.after().reason())
        .hasValueSatisfying(r -> assertThat(r).contains("timed out after 2h"));
  }

  @Test
  void aTimeoutOutsideRunningIsIgnored() {
    Job job = running(gpuJob(0, Optional.of(Duration.ofMinutes(1))));
    Job stopping = step(job, new JobTrigger.TimedOut(1), at(62)).after();
    assertThat(machine.apply(stopping, new JobTrigger.TimedOut(1), at(63))).isEmpty();
    Job starting = placed(gpuJob(0, Optional.of(Duration.ofMinutes(1))));
    assertThat(machine.apply(starting, new JobTrigger.TimedOut(1), at(63))).isEmpty();
    assertThat(
            machine.apply(
                gpuJob(0, Optional.of(Duration.ofMinutes(1))), new JobTrigger.TimedOut(1), at(63)))
        .isEmpty();
  }

  @Test
  void killDueOnlyMattersWhileStoppingALaunchedJob() {
    Job job = running(gpuJob());
    assertThat(machine.apply(job, new JobTrigger.KillDue(1), at(3))).isEmpty();
    Job stoppingUnlaunched =
        step(placed(gpuJob()), new JobTrigger.Cancel("operator"), at(2)).after();
    assertThat(machine.apply(stoppingUnlaunched, new JobTrigger.KillDue(1), at(12))).isEmpty();
    assertThat(machine.apply(succeeded(), new JobTrigger.KillDue(1), at(12))).isEmpty();
  }

  // ---------------------------------------------------------------- stale triggers

  @Test
  void triggersForAnEarlierAttemptAreIgnored() {
    Job first = running(gpuJob(3, Optional.of(Duration.ofMinutes(1))));
    Job retry = step(first, new JobTrigger.Exited(1, 1), at(3)).after();
    Job second =
        step(
                step(retry, new JobTrigger.Place(Optional.of(SLOT)), at(4)).after(),
                new JobTrigger.Launched(new Job.Supervisor(PID + 1, Optional.empty())),
                at(5))
            .after();
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.state()).isEqualTo(JobState.RUNNING);
    assertThat(machine.apply(second, new JobTrigger.TimedOut(1), at(6))).isEmpty();
    assertThat(machine.apply(second, new JobTrigger.Exited(1, 0), at(6))).isEmpty();
    assertThat(machine.apply(second, new JobTrigger.Vanished(1, "old"), at(6))).isEmpty();
    Job stopping = step(second, new JobTrigger.Cancel("operator"), at(6)).after();
    assertThat(machine.apply(stopping, new JobTrigger.KillDue(1), at(7))).isEmpty();
    assertThat(machine.apply(stopping, new JobTrigger.Exited(1, 0), at(7))).isEmpty();
    assertThat(machine.apply(stopping, new JobTrigger.Vanished(1, "old"), at(7))).isEmpty();
    // And the current attempt's triggers still work.
    assertThat(machine.apply(stopping, new JobTrigger.KillDue(2), at(7))).isPresent();
  }

  @Test
  void triggersForALaterAttemptAreIgnoredToo() {
    Job job = running(gpuJob(3, Optional.of(Duration.ofMinutes(1))));
    assertThat(machine.apply(job, new JobTrigger.Exited(2, 0), at(3))).isEmpty();
    assertThat(machine.apply(job, new JobTrigger.TimedOut(2), at(3))).isEmpty();
    assertThat(machine.apply(job, new JobTrigger.Vanished(2, "x"), at(3))).isEmpty();
  }

  // ---------------------------------------------------------------- vanished

  @Test
  void aVanishedSupervisorLosesTheJob() {
    Job job = running(gpuJob());
    Transition t = step(job, new JobTrigger.Vanished(1, "supervisor 4242 is gone"), at(9));
    assertThat(t.after().state()).isEqualTo(JobState.LOST);
    assertThat(t.after().finishedAt()).contains(at(9));
    assertThat(t.after().reason()).contains("supervisor 4242 is gone");
    assertThat(t.after().exitStatus()).isEmpty();
    assertThat(t.effects()).containsExactlyElementsOf(released());
    assertThat(t.event().kind()).isEqualTo("vanished");
  }

  @Test
  void aVanishedSupervisorWithRetriesLeftIsRetried() {
    Job job = running(gpuJob(1, Optional.empty()));
    Transition t = step(job, new JobTrigger.Vanished(1, "gone"), at(9));
    assertThat(t.after().state()).isEqualTo(JobState.QUEUED);
    assertThat(t.after().attempt()).isEqualTo(2);
    assertThat(t.after().device()).isEmpty();
    assertThat(t.after().supervisor()).isEmpty();
    assertThat(t.after().reason())
        .hasValueSatisfying(
            r -> assertThat(r).contains("attempt 1 lost: gone").contains("retrying"));
    assertThat(t.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aJobVanishedWhileCancellingIsCancelled() {
    Job stopping =
        step(running(gpuJob(3, Optional.empty())), new JobTrigger.Cancel("operator"), at(5))
            .after();
    Transition t = step(stopping, new JobTrigger.Vanished(1, "gone"), at(6));
    assertThat(t.after().state()).isEqualTo(JobState.CANCELLED);
    assertThat(t.after().attempt()).isEqualTo(1);
    assertThat(t.after().finishedAt()).contains(at(6));
    assertThat(t.after().reason()).contains("cancelled; gone");
    assertThat(t.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aJobVanishedWhileTimingOutIsLost() {
    Job job = running(gpuJob(0, Optional.of(Duration.ofMinutes(1))));
    Job stopping = step(job, new JobTrigger.TimedOut(1), at(62)).after();
    Transition t = step(stopping, new JobTrigger.Vanished(1, "gone"), at(63));
    assertThat(t.after().state()).isEqualTo(JobState.LOST);
    assertThat(t.effects()).containsExactlyElementsOf(released());
  }

  @Test
  void aJobVanishedBeforeItsLaunchReleasesNothing() {
    Job starting = placed(gpuJob());
    Transition t = step(starting, new JobTrigger.Vanished(1, "gone"), at(2));
    assertThat(t.after().state()).isEqualTo(JobState.LOST);
    assertThat(t.effects()).containsExactly(new Reschedule());
  }

  @Test
  void vanishingOutsideAnAttemptIsIgnored() {
    assertThat(machine.apply(gpuJob(), new JobTrigger.Vanished(1, "x"), at(1))).isEmpty();
    assertThat(machine.apply(lost(), new JobTrigger.Vanished(1, "x"), at(9))).isEmpty();
  }

  // ---------------------------------------------------------------- never launched

  @Test
  void aJobNeverLaunchedGoesBackToTheQueueForTheSameAttempt() {
    Job starting = placed(gpuJob());
    Transition t = step(starting, new JobTrigger.NeverLaunched(), at(3));
    Job next = t.after();
    assertThat(next.state()).isEqualTo(JobState.QUEUED);
    assertThat(next.attempt()).isEqualTo(1);
    assertThat(next.device()).isEmpty();
    assertThat(next.supervisor()).isEmpty();
    assertThat(next.finishedAt()).isEmpty();
    assertThat(t.effects()).containsExactly(new Reschedule());
    assertThat(t.event().kind()).isEqualTo("requeued");
    assertThat(t.event().device()).as("the device it was placed on").contains("MIG-a");
    assertThat(t.event().detail()).isEqualTo("back to the queue: its supervisor was never started");
  }

  @Test
  void neverLaunchedIsIgnoredOnceLaunchedOrOutsideStarting() {
    assertThat(machine.apply(gpuJob(), new JobTrigger.NeverLaunched(), at(1))).isEmpty();
    assertThat(machine.apply(running(gpuJob()), new JobTrigger.NeverLaunched(), at(3))).isEmpty();
    Job stopping = step(running(gpuJob()), new JobTrigger.Cancel("operator"), at(5)).after();
    assertThat(machine.apply(stopping, new JobTrigger.NeverLaunched(), at(6))).isEmpty();
    assertThat(machine.apply(succeeded(), new JobTrigger.NeverLaunched(), at(6))).isEmpty();
  }

  // ---------------------------------------------------------------- kinds

  @Test
  void everyTriggerHasItsKind() {
    assertThat(new JobTrigger.Place(Optional.empty()).kind()).isEqualTo("placed");
    assertThat(new JobTrigger.Launched(SUPERVISOR).kind()).isEqualTo("launched");
    assertThat(new JobTrigger.LaunchFailed("x").kind()).isEqualTo("launch-failed");
    assertThat(new JobTrigger.Exited(1, 0).kind()).isEqualTo("exited");
    assertThat(new JobTrigger.Cancel("operator").kind()).isEqualTo("cancel");
    assertThat(new JobTrigger.TimedOut(1).kind()).isEqualTo("timed-out");
    assertThat(new JobTrigger.KillDue(1).kind()).isEqualTo("kill");
    assertThat(new JobTrigger.Vanished(1, "x").kind()).isEqualTo("vanished");
    assertThat(new JobTrigger.NeverLaunched().kind()).isEqualTo("requeued");
  }

  @ParameterizedTest
  @CsvSource({"1, 1s", "59, 59s", "60, 1m", "90, 90s", "3600, 1h", "5400, 90m", "86400, 24h"})
  void durationsReadLikePeopleWriteThem(long seconds, String text) {
    assertThat(JobStateMachine.human(Duration.ofSeconds(seconds))).isEqualTo(text);
  }

  @Test
  void subSecondDurationsAreInMilliseconds() {
    assertThat(JobStateMachine.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }
}
