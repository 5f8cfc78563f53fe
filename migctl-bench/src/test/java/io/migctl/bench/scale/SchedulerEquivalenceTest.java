package io.migctl.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.Scheduler.Decision;
import io.migctl.core.job.Scheduler.Policy;
import io.migctl.core.mig.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The daemon's indexed {@link Scheduler#decide} makes exactly the decisions of the straightforward
 * scan, on seeded random fleets and queues: same assignments in the same order, same waiting jobs
 * with the same reasons.
 */
class SchedulerEquivalenceTest {

  @Test
  void agreesOnRandomFleets() {
    Random random = new Random(20250601);
    for (int round = 0; round < 300; round++) {
      int gpus = 1 + random.nextInt(40);
      int depth = random.nextInt(120);
      double busy = random.nextDouble();
      SimulatedCluster c = SimulatedCluster.generate(random.nextLong(), gpus, depth, busy);
      List<Job> queued = new ArrayList<>(c.queued());
      Collections.shuffle(queued, random);
      List<MigSlot> free = new ArrayList<>(c.free());
      Collections.shuffle(free, random);
      Policy policy = new Policy(Duration.ofMinutes(random.nextInt(90)));
      assertSame(queued, free, c.all(), c.now(), policy);
    }
  }

  @Test
  void agreesWithACpuJobLimit() {
    Random random = new Random(20260113);
    for (int round = 0; round < 300; round++) {
      SimulatedCluster c =
          SimulatedCluster.generate(random.nextLong(), 1 + random.nextInt(8), 60, 0.5);
      Policy policy = new Policy(Duration.ofMinutes(random.nextInt(90)), 1 + random.nextInt(6));
      int running = random.nextInt(8);
      Decision expected =
          StraightforwardScheduler.decide(c.queued(), c.free(), c.all(), running, c.now(), policy);
      Decision actual = Scheduler.decide(c.queued(), c.free(), c.all(), running, c.now(), policy);
      assertThat(actual.assignments()).containsExactlyElementsOf(expected.assignments());
      assertThat(List.copyOf(actual.waiting().entrySet()))
          .containsExactlyElementsOf(List.copyOf(expected.waiting().entrySet()));
    }
  }

  @Test
  void agreesOnDevicesThatTieAndOddShapes() {
    Random random = new Random(7);
    Instant now = SimulatedCluster.NOW;
    for (int round = 0; round < 300; round++) {
      List<MigSlot> all = new ArrayList<>();
      int n = random.nextInt(30);
      for (int i = 0; i < n; i++) {
        // Few GPUs, placements and ids, so devices often tie under best fit (UUIDs are unique,
        // as the driver guarantees).
        all.add(
            new MigSlot(
                "MIG-" + i,
                random.nextInt(2),
                random.nextInt(3),
                random.nextInt(2),
                "p" + random.nextInt(3),
                1000L * (1 + random.nextInt(4)),
                1 + random.nextInt(4),
                new Placement(random.nextInt(2), 1),
                random.nextInt(8) == 0));
      }
      List<MigSlot> free = new ArrayList<>();
      for (MigSlot s : all) {
        if (random.nextBoolean()) {
          free.add(s);
        }
      }
      List<Job> queued = new ArrayList<>();
      int depth = random.nextInt(40);
      for (int i = 0; i < depth; i++) {
        // Ages collide, to exercise every tie-break (ids are unique, as the store guarantees).
        queued.add(SimulatedCluster.job(random, i, now.minusSeconds(60L * random.nextInt(30))));
      }
      assertSame(queued, free, all, now, new Policy(Duration.ofMinutes(random.nextInt(20))));
    }
  }

  @Test
  void agreesAtScale() {
    SimulatedCluster c = SimulatedCluster.generate(42, 1000, 1000, 0.8);
    assertSame(c.queued(), c.free(), c.all(), c.now(), Policy.DEFAULT);
  }

  @Test
  void refusesAJobThatIsNotQueuedLikeTheScan() {
    SimulatedCluster c = SimulatedCluster.generate(1, 4, 10, 0.5);
    List<Job> queued = new ArrayList<>(c.queued());
    Job first = queued.getFirst();
    queued.set(
        0,
        new Job(
            first.id(),
            first.spec(),
            first.requirement(),
            first.environmentBuild(),
            JobState.RUNNING,
            first.attempt(),
            first.submittedAt(),
            first.startedAt(),
            first.finishedAt(),
            first.devices(),
            first.supervisor(),
            first.stopCause(),
            first.exitStatus(),
            first.reason()));
    assertThatThrownBy(() -> Scheduler.decide(queued, c.free(), c.all(), c.now(), Policy.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job " + first.id() + " is running, not queued");
  }

  private static void assertSame(
      List<Job> queued, List<MigSlot> free, List<MigSlot> all, Instant now, Policy policy) {
    Decision expected = StraightforwardScheduler.decide(queued, free, all, now, policy);
    Decision actual = Scheduler.decide(queued, free, all, now, policy);
    assertThat(actual.assignments()).containsExactlyElementsOf(expected.assignments());
    assertThat(List.copyOf(actual.waiting().entrySet()))
        .containsExactlyElementsOf(List.copyOf(expected.waiting().entrySet()));
    assertThat(actual.waiting()).isEqualTo(Map.copyOf(expected.waiting()));
  }
}
