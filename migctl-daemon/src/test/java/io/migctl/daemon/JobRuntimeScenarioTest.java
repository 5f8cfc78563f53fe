package io.migctl.daemon;

import static io.migctl.daemon.RuntimeScenario.T0;
import static io.migctl.daemon.RuntimeScenario.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.core.tenant.Principal;
import io.migctl.daemon.run.FakeProcessLauncher.FakeProcess;
import io.migctl.daemon.run.FakeProcessLauncher.Received;
import io.migctl.daemon.run.ProcessLauncher.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job runtime's lifecycles on virtual time: the in-memory store, fake processes, the simulated
 * driver, timers that fire when the test moves the clock. Each scenario runs in milliseconds.
 */
class JobRuntimeScenarioTest {

  @TempDir Path home;

  @Test
  void jobsQueueAndEachTakesTheSmallestFreeDeviceThatFits() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      s.create(0, "3g.20gb", 4);
      s.start();
      long a = s.submit(spec("a", "1g.5gb"));
      long b = s.submit(spec("b", "1g.5gb"));
      long c = s.submit(spec("c", "1g.5gb"));

      assertThat(s.state(a)).isEqualTo(JobState.RUNNING);
      assertThat(s.profileOf(a)).isEqualTo("1g.5gb");
      assertThat(s.profileOf(b)).as("the 1g is taken: the next that fits").isEqualTo("3g.20gb");
      assertThat(s.state(c)).isEqualTo(JobState.QUEUED);
      WaitingReason.NoFreeDevice why = (WaitingReason.NoFreeDevice) s.waiting(c).orElseThrow();
      assertThat(why.fittingInUse())
          .containsExactly(Map.entry("1g.5gb", 1), Map.entry("3g.20gb", 1));
      assertThat(why.freeByProfile()).isEmpty();
      assertThat(WaitingText.describe(why))
          .isEqualTo("all 2 devices that fit (1 × 1g.5gb, 1 × 3g.20gb) are in use");

      s.process(a).print("epoch 1\n");
      s.process(a).exit(0);

      assertThat(s.state(a)).isEqualTo(JobState.SUCCEEDED);
      assertThat(s.state(c)).isEqualTo(JobState.RUNNING);
      assertThat(s.profileOf(c)).isEqualTo("1g.5gb");
      assertThat(s.waiting(c)).isEmpty();
      assertThat(s.kinds(a)).containsExactly("submitted", "placed", "launched", "exited");
    }
  }

  @Test
  void aJobThatWaitedPastTheStarvationAgeGoesBeforeHigherPriorityAndABlockedBigJobBlocksNoOne() {
    Scheduler.Policy policy = new Scheduler.Policy(Duration.ofMinutes(10));
    try (RuntimeScenario s =
        new RuntimeScenario(home, "a100-40gb:1", policy, Repartition.OFF, Duration.ofSeconds(10))) {
      s.create(0, "3g.20gb", 0);
      s.start();
      long busy = s.submit(spec("busy", "3g.20gb"));
      long big = s.submit(spec("big", "7g.40gb"));
      long old = s.submit(spec("old", "1g.5gb"));
      s.advance(Duration.ofMinutes(11));
      long urgent = s.submit(withPriority(spec("urgent", "1g.5gb"), 10));

      assertThat(s.state(big)).isEqualTo(JobState.QUEUED);
      assertThat(s.waiting(big))
          .hasValueSatisfying(
              w -> assertThat(((WaitingReason.NoFreeDevice) w).layoutOffers()).isFalse());
      s.process(busy).exit(0);

      assertThat(s.state(old)).as("starving: first, over priority 10").isEqualTo(JobState.RUNNING);
      assertThat(s.state(urgent)).isEqualTo(JobState.QUEUED);
      assertThat(s.state(big)).isEqualTo(JobState.QUEUED);
    }
  }

  @Test
  void aReshapeWaitsForTheMinimumWaitThenTheGpuCoolsDownBeforeTheNext() {
    ReshapeGate.Params gate = new ReshapeGate.Params(Duration.ofSeconds(60), Duration.ofSeconds(2));
    try (RuntimeScenario s =
        new RuntimeScenario(
            home,
            "a100-40gb:1",
            Scheduler.Policy.DEFAULT,
            new Repartition(true, gate),
            Duration.ofSeconds(10))) {
      for (int i = 0; i < 7; i++) {
        s.create(0, "1g.5gb", i);
      }
      s.start();
      long first = s.submit(spec("first", "3g.20gb"));
      assertThat(s.waiting(first))
          .hasValueSatisfying(
              w ->
                  assertThat(w)
                      .isInstanceOfSatisfying(
                          WaitingReason.ReshapeMinimumWait.class,
                          m -> assertThat(m.left()).isEqualTo(Duration.ofSeconds(2))));
      s.advance(Duration.ofSeconds(1));
      assertThat(s.state(first)).isEqualTo(JobState.QUEUED);
      assertThat(s.kinds(first)).doesNotContain("reshape");

      s.advance(Duration.ofSeconds(1));
      assertThat(s.state(first)).isEqualTo(JobState.RUNNING);
      assertThat(s.profileOf(first)).isEqualTo("3g.20gb");
      assertThat(s.kinds(first)).contains("reshape");

      long second = s.submit(spec("second", "3g.20gb"));
      s.advance(Duration.ofSeconds(2));
      WaitingReason cooling = s.waiting(second).orElseThrow();
      assertThat(cooling).isInstanceOf(WaitingReason.ReshapeCooling.class);
      WaitingReason.ReshapeCooling c = (WaitingReason.ReshapeCooling) cooling;
      assertThat(c.gpu()).isZero();
      assertThat(c.cooldown()).isEqualTo(Duration.ofSeconds(60));
      assertThat(c.left()).isEqualTo(Duration.ofSeconds(58));
      assertThat(WaitingText.describe(c))
          .endsWith(
              "; reshaping idle instances of GPU 0 would make room, but it was reshaped less than"
                  + " 60s ago (next chance in 58s)");

      s.advance(Duration.ofSeconds(57));
      assertThat(s.state(second)).as("still cooling").isEqualTo(JobState.QUEUED);
      s.advance(Duration.ofSeconds(1));
      assertThat(s.state(second)).isEqualTo(JobState.RUNNING);
      assertThat(s.kinds(second)).contains("reshape");
    }
  }

  @Test
  void withoutRepartitionAJobNoDeviceOffersWaitsWithItsReasonAndNothingIsReshaped() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      for (int i = 0; i < 7; i++) {
        s.create(0, "1g.5gb", i);
      }
      s.start();
      long big = s.submit(spec("big", "3g.20gb"));
      s.advance(Duration.ofMinutes(30));

      assertThat(s.state(big)).isEqualTo(JobState.QUEUED);
      assertThat(s.kinds(big)).containsExactly("submitted");
      assertThat(s.waiting(big).map(WaitingText::describe).orElseThrow())
          .startsWith("no MIG device in the current layout offers ")
          .endsWith(" MiB and 3 compute slices; apply a layout with a large enough instance");
      assertThat(GpuSnapshot.readAll(s.sim).getFirst().instances()).hasSize(7);
    }
  }

  @Test
  void aTimeoutSendsTermThenKillAfterTheGrace() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long id = s.submit(withTimeout(spec("slow", "1g.5gb"), Duration.ofMinutes(5)));
      FakeProcess p = s.process(id).ignoreTerm();

      s.advance(Duration.ofMinutes(5).minusSeconds(1));
      assertThat(p.signals()).isEmpty();
      s.advance(Duration.ofSeconds(1));
      assertThat(s.state(id)).isEqualTo(JobState.STOPPING);
      s.advance(s.killGrace);

      assertThat(p.signals())
          .containsExactly(
              new Received(Signal.TERM, T0.plus(Duration.ofMinutes(5))),
              new Received(Signal.KILL, T0.plus(Duration.ofMinutes(5)).plus(s.killGrace)));
      Job done = s.job(id);
      assertThat(done.state()).isEqualTo(JobState.FAILED);
      assertThat(done.exitStatus()).hasValue(137);
      assertThat(s.sim.processes(0)).as("the device is free again").isEmpty();
    }
  }

  @Test
  void aFailedAttemptIsRetriedUntilItsRetriesRunOut() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long id = s.submit(withRetries(spec("flaky", "1g.5gb"), 2));
      for (int attempt = 1; attempt <= 3; attempt++) {
        assertThat(s.job(id).attempt()).isEqualTo(attempt);
        assertThat(s.state(id)).isEqualTo(JobState.RUNNING);
        assertThat(s.process(id).environment()).containsEntry("MIGCTL_JOB_ATTEMPT", "" + attempt);
        s.process(id).exit(1);
      }
      assertThat(s.state(id)).isEqualTo(JobState.FAILED);
      assertThat(s.job(id).exitStatus()).hasValue(1);
      assertThat(s.launcher.processes()).hasSize(3);
    }
  }

  @Test
  void cancelInEveryState() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long running = s.submit(spec("running", "1g.5gb"));
      long queued = s.submit(spec("queued", "1g.5gb"));

      assertThat(s.jobs().cancel(queued, Principal.OPERATOR).state()).isEqualTo(JobState.CANCELLED);
      assertThat(s.launcher.process(s.jobs().attemptDir(s.job(queued)))).isEmpty();

      FakeProcess p = s.process(running).ignoreTerm();
      assertThat(s.jobs().cancel(running, Principal.OPERATOR).state()).isEqualTo(JobState.STOPPING);
      assertThat(s.jobs().cancel(running, Principal.OPERATOR).state())
          .as("cancel while stopping changes nothing")
          .isEqualTo(JobState.STOPPING);
      s.advance(s.killGrace);
      assertThat(s.state(running)).isEqualTo(JobState.CANCELLED);
      assertThat(p.signals())
          .extracting(Received::signal)
          .containsExactly(Signal.TERM, Signal.KILL);

      for (long done : List.of(queued, running)) {
        assertThatThrownBy(() -> s.jobs().cancel(done, Principal.OPERATOR))
            .isInstanceOfSatisfying(
                DaemonException.class, e -> assertThat(e.status()).isEqualTo(409));
      }
      assertThatThrownBy(() -> s.jobs().cancel(99, Principal.OPERATOR))
          .isInstanceOfSatisfying(
              DaemonException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
  }

  @Test
  void aJobPlacedButNeverLaunchedGoesBackToTheQueueAfterACrash() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      long id = placedButNotLaunched(s, spec("starting", "1g.5gb"));
      // The daemon died between placing and launching; the runtime that starts finds it starting.
      s.start();
      assertThat(s.state(id))
          .as("back in the queue, then placed and launched")
          .isEqualTo(JobState.RUNNING);
      assertThat(s.kinds(id))
          .containsExactly("submitted", "placed", "requeued", "placed", "launched");
    }
  }

  @Test
  void afterACrashJobsAreReadoptedRecordedLostOrRequeuedAndTimeoutsArmedAgain() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      for (int i = 0; i < 4; i++) {
        s.create(0, "1g.5gb", i);
      }
      s.start();
      long alive = s.submit(spec("alive", "1g.5gb"));
      long exited = s.submit(spec("exited", "1g.5gb"));
      long vanished = s.submit(spec("vanished", "1g.5gb"));
      long timed = s.submit(withTimeout(spec("timed", "1g.5gb"), Duration.ofMinutes(10)));
      s.advance(Duration.ofMinutes(4));

      s.jobs().close(); // the daemon dies; its processes go on
      s.process(exited).exit(3);
      s.process(vanished).vanish();
      s.advance(Duration.ofMinutes(1));
      s.start();

      assertThat(s.state(alive)).isEqualTo(JobState.RUNNING);
      assertThat(s.job(exited).exitStatus()).hasValue(3);
      assertThat(s.state(exited)).isEqualTo(JobState.FAILED);
      assertThat(s.state(vanished)).isEqualTo(JobState.LOST);
      assertThat(s.state(timed)).isEqualTo(JobState.RUNNING);
      assertThat(s.sim.processes(0))
          .as("the re-adopted jobs hold their devices again")
          .extracting(p -> p.pid())
          .containsExactlyInAnyOrder(s.process(alive).pid(), s.process(timed).pid());

      s.advance(Duration.ofMinutes(5).minusSeconds(1));
      assertThat(s.process(timed).signals()).isEmpty();
      s.advance(Duration.ofSeconds(1));
      assertThat(s.process(timed).signals())
          .containsExactly(new Received(Signal.TERM, T0.plus(Duration.ofMinutes(10))));
      assertThat(s.state(timed)).isEqualTo(JobState.FAILED);

      s.process(alive).exit(0);
      assertThat(s.state(alive)).as("watched after re-adoption").isEqualTo(JobState.SUCCEEDED);
    }
  }

  @Test
  void aLaunchTheDaemonDidNotLiveToRecordIsRecordedAtStart() throws Exception {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      long id = placedButNotLaunched(s, spec("orphan", "1g.5gb"));
      Job placed = s.store.find(id).orElseThrow();
      s.launcher.launch(
          new JobFolders(home.resolve("jobs")).attemptDir(placed),
          List.of("train"),
          Map.of(),
          home);
      s.start();
      assertThat(s.state(id)).isEqualTo(JobState.RUNNING);
      assertThat(s.job(id).supervisor().orElseThrow().pid()).isEqualTo(s.process(id).pid());
      assertThat(s.job(id).device()).isEqualTo(placed.device());
      s.process(id).exit(0);
      assertThat(s.state(id)).isEqualTo(JobState.SUCCEEDED);
    }
  }

  /** A job stored as placed on the first free device, with no process: a crash came between. */
  private static long placedButNotLaunched(RuntimeScenario s, JobSpec spec) {
    List<MigSlot> slots = MigSlot.of(GpuSnapshot.readAll(s.sim), Set.of());
    Requirement need = new Requirement(slots.getFirst().memoryMiB(), 1);
    Job job = s.store.insert(spec, Optional.of(need), Optional.empty(), s.clock.instant());
    s.store.record(
        new JobStateMachine(s.killGrace)
            .apply(job, new JobTrigger.Place(Optional.of(slots.getFirst())), s.clock.instant())
            .orElseThrow());
    return job.id();
  }

  private static JobSpec withTimeout(JobSpec s, Duration timeout) {
    return new JobSpec(
        s.name(),
        s.command(),
        s.workdir(),
        s.environment(),
        s.gpu(),
        s.priority(),
        s.tenant(),
        Optional.of(timeout),
        s.maxRetries(),
        s.variables());
  }

  private static JobSpec withRetries(JobSpec s, int retries) {
    return new JobSpec(
        s.name(),
        s.command(),
        s.workdir(),
        s.environment(),
        s.gpu(),
        s.priority(),
        s.tenant(),
        s.timeout(),
        retries,
        s.variables());
  }

  private static JobSpec withPriority(JobSpec s, int priority) {
    return new JobSpec(
        s.name(),
        s.command(),
        s.workdir(),
        s.environment(),
        s.gpu(),
        priority,
        s.tenant(),
        s.timeout(),
        s.maxRetries(),
        s.variables());
  }
}
