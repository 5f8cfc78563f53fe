package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.Seeds;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random trigger sequences, stale and out-of-place ones included, never break an invariant of
 * {@link JobStateMachine}. Replay a failure with {@code -Dmigctl.seed=<seed>}.
 */
class JobStateMachinePropertyTest {

  private static final int RUNS = 4000;
  private static final int MAX_STEPS = 40;
  private static final Duration GRACE = Duration.ofSeconds(7);

  private final JobStateMachine machine = new JobStateMachine(GRACE);

  @Test
  void randomTriggerSequencesKeepEveryInvariant() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    Map<JobState, Integer> ends = new EnumMap<>(JobState.class);
    int retried = 0;
    int transitions = 0;
    for (int run = 0; run < RUNS; run++) {
      Walk walk = new Walk(seed, run, random);
      walk.run();
      ends.merge(walk.job.state(), 1, Integer::sum);
      retried += walk.job.attempt() > 1 ? 1 : 0;
      transitions += walk.transitions;
    }
    // The generator must reach every end and retry often, or the walk proves little.
    assertThat(ends.keySet())
        .as("seed %d: states reached %s", seed, ends)
        .contains(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.LOST);
    assertThat(retried).as("seed %d: runs that retried", seed).isGreaterThan(RUNS / 20);
    assertThat(transitions).as("seed %d: transitions", seed).isGreaterThan(RUNS);
  }

  /** One job driven by random triggers, checked after every transition. */
  private final class Walk {
    private final long seed;
    private final int run;
    private final Random random;
    private final List<String> history = new ArrayList<>();

    /** The devices the driver was told the job holds, by UUID, with the holder's pid. */
    private final Map<String, Long> held = new HashMap<>();

    private Job job;
    private Instant now = T0;
    private long nextPid = 1000;
    private int placements;
    int transitions;

    Walk(long seed, int run, Random random) {
      this.seed = seed;
      this.run = run;
      this.random = random;
      boolean gpu = random.nextInt(4) != 0;
      int retries = random.nextInt(4);
      Optional<Duration> timeout =
          random.nextBoolean()
              ? Optional.of(Duration.ofSeconds(1 + random.nextInt(600)))
              : Optional.empty();
      this.job =
          Jobs.queued(
              run + 1,
              Jobs.spec(gpu ? Jobs.memory(4000, 1) : GpuNeed.NONE, 0, timeout, retries),
              T0);
    }

    private String what() {
      return "seed "
          + seed
          + ", run "
          + run
          + " (needs "
          + job.spec().gpu()
          + ", retries "
          + job.spec().maxRetries()
          + ", timeout "
          + job.spec().timeout()
          + "): "
          + String.join(" | ", history);
    }

    void run() {
      for (int step = 0; step < MAX_STEPS; step++) {
        if (job.state().isTerminal() && random.nextInt(3) == 0) {
          return;
        }
        now = now.plusSeconds(1 + random.nextInt(100));
        JobTrigger trigger = trigger();
        history.add(job.state().wireName() + "#" + job.attempt() + " <- " + trigger);
        Optional<Transition> result;
        try {
          result = machine.apply(job, trigger, now);
        } catch (IllegalTransitionException refused) {
          assertThat(trigger)
              .as(() -> what() + ": only requests are refused")
              .isInstanceOfAny(
                  JobTrigger.Place.class,
                  JobTrigger.Launched.class,
                  JobTrigger.LaunchFailed.class,
                  JobTrigger.Cancel.class);
          assertThat(refused.state()).as(this::what).isEqualTo(job.state());
          assertThat(refused.jobId()).as(this::what).isEqualTo(job.id());
          continue;
        }
        if (result.isPresent()) {
          check(trigger, result.get());
          job = result.get().after();
          transitions++;
        }
      }
    }

    /** Mostly the current attempt, sometimes an earlier or later one. */
    private int attempt() {
      int a = job.attempt();
      return switch (random.nextInt(6)) {
        case 0 -> a + 1;
        case 1 -> Math.max(1, a - 1);
        default -> a;
      };
    }

    private JobTrigger trigger() {
      // A timer only exists for a job with a timeout: TimedOut comes from ArmTimeout.
      return switch (random.nextInt(job.spec().timeout().isPresent() ? 9 : 8)) {
        case 0 ->
            new JobTrigger.Place(
                job.needsGpu()
                    ? Optional.of(
                        Jobs.slot(
                            "MIG-" + (++placements),
                            random.nextInt(2),
                            "1g.5gb",
                            4864,
                            1,
                            random.nextInt(7),
                            false))
                    : Optional.empty());
        case 1 -> new JobTrigger.Launched(new Job.Supervisor(nextPid++, Optional.empty()));
        // Also late, after a launch: it must then be refused or release what the launch held.
        case 2 -> new JobTrigger.LaunchFailed("exec failed");
        case 3 ->
            new JobTrigger.Exited(attempt(), List.of(0, 0, 1, 3, 137, 143).get(random.nextInt(6)));
        case 4 -> new JobTrigger.Cancel("operator");
        case 5 -> new JobTrigger.KillDue(attempt());
        case 6 -> new JobTrigger.Vanished(attempt(), "gone");
        case 7 -> new JobTrigger.NeverLaunched();
        default -> new JobTrigger.TimedOut(attempt());
      };
    }

    private void check(JobTrigger trigger, Transition t) {
      Supplier<String> what = this::what;
      Job before = t.before();
      Job after = t.after();
      assertThat(before).as(what).isSameAs(job);
      assertThat(before.state().isTerminal())
          .as(() -> what.get() + ": a final job does not change")
          .isFalse();

      JobEvent e = t.event();
      assertThat(e.jobId()).as(what).isEqualTo(job.id());
      assertThat(e.from()).as(what).isEqualTo(before.state());
      assertThat(e.to()).as(what).isEqualTo(after.state());
      assertThat(e.attempt()).as(what).isEqualTo(before.attempt());
      assertThat(e.kind()).as(what).isEqualTo(trigger.kind());
      assertThat(e.at()).as(what).isEqualTo(now);
      assertThat(e.detail()).as(what).isNotBlank();
      assertThat(e.device())
          .as(what)
          .isEqualTo(after.device().or(before::device).map(Job.Device::uuid));

      assertThat(after.id()).as(what).isEqualTo(before.id());
      assertThat(after.spec()).as(what).isSameAs(before.spec());
      assertThat(after.requirement()).as(what).isEqualTo(before.requirement());
      assertThat(after.submittedAt()).as(what).isEqualTo(before.submittedAt());

      assertThat(after.attempt()).as(what).isBetween(before.attempt(), before.attempt() + 1);
      assertThat(after.attempt())
          .as(() -> what.get() + ": attempts beyond maxRetries + 1")
          .isLessThanOrEqualTo(job.spec().maxRetries() + 1);
      if (after.attempt() > before.attempt()) {
        assertThat(after.state())
            .as(() -> what.get() + ": a retry is queued")
            .isEqualTo(JobState.QUEUED);
      }

      checkState(after, what);
      checkEffects(t, what);
    }

    private void checkState(Job j, Supplier<String> what) {
      assertThat(j.finishedAt().isPresent())
          .as(() -> what.get() + ": finishedAt exactly when final (" + j.state() + ")")
          .isEqualTo(j.state().isTerminal());
      switch (j.state()) {
        case QUEUED -> {
          assertThat(j.device()).as(() -> what.get() + ": a queued job has no device").isEmpty();
          assertThat(j.supervisor())
              .as(() -> what.get() + ": a queued job has no supervisor")
              .isEmpty();
          assertThat(j.startedAt()).as(what).isEmpty();
          assertThat(j.stopCause()).as(what).isEmpty();
        }
        case STARTING -> {
          assertThat(j.device().isPresent()).as(what).isEqualTo(j.needsGpu());
          assertThat(j.supervisor()).as(what).isEmpty();
          assertThat(j.stopCause()).as(what).isEmpty();
        }
        case RUNNING -> {
          assertThat(j.device().isPresent()).as(what).isEqualTo(j.needsGpu());
          assertThat(j.supervisor()).as(what).isPresent();
          assertThat(j.startedAt()).as(what).isPresent();
          assertThat(j.stopCause()).as(what).isEmpty();
        }
        case STOPPING -> {
          assertThat(j.device().isPresent()).as(what).isEqualTo(j.needsGpu());
          assertThat(j.stopCause()).as(what).isPresent();
          if (j.stopCause().get() == StopCause.TIMEOUT) {
            assertThat(j.supervisor()).as(what).isPresent();
          }
        }
        case SUCCEEDED -> assertThat(j.exitStatus()).as(what).isEqualTo(OptionalInt.of(0));
        case CANCELLED -> assertThat(j.stopCause()).as(what).contains(StopCause.CANCEL);
        case FAILED, LOST -> assertThat(j.reason()).as(what).isPresent();
      }
    }

    private void checkEffects(Transition t, Supplier<String> what) {
      Job before = t.before();
      Job after = t.after();
      for (JobEffect effect : t.effects()) {
        switch (effect) {
          case Launch l -> {
            assertThat(after.state()).as(what).isEqualTo(JobState.STARTING);
            assertThat(l.job()).as(what).isEqualTo(after);
          }
          case HoldDevice h -> {
            assertThat(after.device().map(Job.Device::uuid))
                .as(() -> what.get() + ": HoldDevice comes with the job's device")
                .contains(h.uuid());
            assertThat(after.supervisor().map(Job.Supervisor::pid)).as(what).contains(h.pid());
            assertThat(held).as(() -> what.get() + ": held twice").doesNotContainKey(h.uuid());
            held.put(h.uuid(), h.pid());
          }
          case ReleaseDevice r -> {
            assertThat(held)
                .as(() -> what.get() + ": released what it holds")
                .containsEntry(r.uuid(), r.pid());
            held.remove(r.uuid());
          }
          case KillGroup k -> {
            assertThat(k.jobId()).as(what).isEqualTo(job.id());
            assertThat(before.supervisor().map(Job.Supervisor::pid)).as(what).contains(k.pid());
          }
          case Signal s -> {
            assertThat(after.state()).as(what).isEqualTo(JobState.STOPPING);
            assertThat(after.supervisor())
                .as(() -> what.get() + ": a signal needs a process")
                .isPresent();
            assertThat(s.jobId()).as(what).isEqualTo(job.id());
            assertThat(s.attempt()).as(what).isEqualTo(after.attempt());
            assertThat(s.signal()).as(what).isIn("TERM", "KILL");
          }
          case ScheduleKill k -> {
            assertThat(after.state()).as(what).isEqualTo(JobState.STOPPING);
            assertThat(k.attempt()).as(what).isEqualTo(after.attempt());
            assertThat(k.after()).as(what).isEqualTo(GRACE);
          }
          case ArmTimeout a -> {
            assertThat(after.state()).as(what).isEqualTo(JobState.RUNNING);
            assertThat(job.spec().timeout()).as(what).contains(a.after());
            assertThat(a.attempt()).as(what).isEqualTo(after.attempt());
          }
          case Reschedule r -> {}
        }
      }
      boolean attemptEnded = after.state().isTerminal() || after.state() == JobState.QUEUED;
      if (attemptEnded) {
        assertThat(held)
            .as(
                () ->
                    what.get()
                        + ": every HoldDevice is released when the attempt ends ("
                        + after.state()
                        + ")")
            .isEmpty();
        if (before.supervisor().isPresent()) {
          assertThat(t.effects())
              .as(() -> what.get() + ": the process group is killed when the attempt ends")
              .contains(new KillGroup(job.id(), before.supervisor().get().pid()));
        }
        assertThat(t.effects()).as(what).contains(new Reschedule());
      } else if (after.supervisor().isPresent() && after.device().isPresent()) {
        assertThat(held)
            .as(() -> what.get() + ": a launched job holds its device")
            .containsExactly(
                Map.entry(after.device().get().uuid(), after.supervisor().get().pid()));
      } else {
        assertThat(held).as(what).isEmpty();
      }
    }
  }
}
