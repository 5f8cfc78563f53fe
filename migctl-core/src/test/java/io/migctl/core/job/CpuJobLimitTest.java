package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import io.migctl.core.job.Scheduler.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Jobs without a GPU take one of the node's CPU-job slots; none beyond the limit (issue 13.7). */
class CpuJobLimitTest {

  private static final Instant NOW = T0.plus(Duration.ofHours(1));
  private static final MigSlot G1_5 = Jobs.slot("MIG-1g5", "1g.5gb", 4864, 1, 0);

  private static Policy limit(int n) {
    return new Policy(Duration.ofMinutes(10), n);
  }

  private static Job cpu(long id, int priority, int minutesAgo) {
    return Jobs.queued(id, 0, 1, priority, NOW.minus(Duration.ofMinutes(minutesAgo)));
  }

  private static Job gpu(long id, int minutesAgo) {
    return Jobs.queued(id, 4000, 1, 0, NOW.minus(Duration.ofMinutes(minutesAgo)));
  }

  @Test
  void noMoreJobsWithoutGpuStartThanTheLimitAndTheRestWaitWithTheSlots() {
    List<Job> queue = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      queue.add(cpu(i, 0, 10 - i)); // job 1 oldest
    }
    Decision d = Scheduler.decide(queue, List.of(), List.of(), 0, NOW, limit(2));
    assertThat(d.assignments())
        .containsExactly(new Assignment(1, Optional.empty()), new Assignment(2, Optional.empty()));
    assertThat(d.waiting())
        .containsExactly(
            Map.entry(3L, new WaitingReason.CpuJobSlots(2, 2)),
            Map.entry(4L, new WaitingReason.CpuJobSlots(2, 2)),
            Map.entry(5L, new WaitingReason.CpuJobSlots(2, 2)));
  }

  @Test
  void runningJobsWithoutGpuCountAgainstTheLimit() {
    List<Job> queue = List.of(cpu(1, 0, 3), cpu(2, 0, 2));
    assertThat(Scheduler.decide(queue, List.of(), List.of(), 1, NOW, limit(2)).assignments())
        .containsExactly(new Assignment(1, Optional.empty()));
    Decision full = Scheduler.decide(queue, List.of(), List.of(), 2, NOW, limit(2));
    assertThat(full.assignments()).isEmpty();
    assertThat(full.waiting().values()).containsOnly(new WaitingReason.CpuJobSlots(2, 2));
  }

  @Test
  void aLimitLoweredBelowWhatRunsPlacesNothingAndSaysHowManyRun() {
    Decision d = Scheduler.decide(List.of(cpu(1, 0, 1)), List.of(), List.of(), 5, NOW, limit(2));
    assertThat(d.assignments()).isEmpty();
    assertThat(d.waiting()).containsExactly(Map.entry(1L, new WaitingReason.CpuJobSlots(5, 2)));
  }

  @Test
  void theSlotsGoInQueueOrderHighestPriorityFirst() {
    List<Job> queue = List.of(cpu(1, 0, 5), cpu(2, 10, 1), cpu(3, 0, 4));
    assertThat(Scheduler.decide(queue, List.of(), List.of(), 0, NOW, limit(2)).assignments())
        .extracting(Assignment::jobId)
        .containsExactly(2L, 1L);
  }

  @Test
  void jobsWithAGpuAreNotLimitedAndPassWaitingJobsWithoutOne() {
    List<Job> queue = List.of(cpu(1, 0, 5), gpu(2, 1));
    Decision d = Scheduler.decide(queue, List.of(G1_5), List.of(G1_5), 1, NOW, limit(1));
    assertThat(d.assignments()).containsExactly(new Assignment(2, Optional.of(G1_5)));
    assertThat(d.waiting()).containsOnlyKeys(1L);
  }

  @Test
  void theDispatcherKeepsCountWithinADecisionAndReportsTheFullSlots() {
    IncrementalScheduler d = new IncrementalScheduler(limit(3));
    d.devices(List.of(), List.of());
    d.runningWithoutGpu(1);
    for (int i = 1; i <= 4; i++) {
      d.enqueue(cpu(i, 0, 10 - i));
    }
    assertThat(d.decide(NOW)).extracting(Assignment::jobId).containsExactly(1L, 2L);
    assertThat(d.cpuJobsWaiting()).contains(new WaitingReason.CpuJobSlots(3, 3));
    assertThat(d.size()).isEqualTo(2);

    // One finished: the daemon says so before the next round, which places one more.
    d.runningWithoutGpu(2);
    assertThat(d.decide(NOW)).extracting(Assignment::jobId).containsExactly(3L);
    assertThat(d.cpuJobsWaiting()).contains(new WaitingReason.CpuJobSlots(3, 3));

    d.runningWithoutGpu(0);
    assertThat(d.decide(NOW)).extracting(Assignment::jobId).containsExactly(4L);
    assertThat(d.cpuJobsWaiting()).isEmpty();
  }

  @Test
  void withoutALimitEveryJobWithoutGpuStarts() {
    List<Job> queue = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      queue.add(cpu(i, 0, 1));
    }
    Decision d =
        Scheduler.decide(queue, List.of(), List.of(), 1000, NOW, new Policy(Duration.ofMinutes(1)));
    assertThat(d.assignments()).hasSize(200);
    assertThat(d.waiting()).isEmpty();
  }

  @Test
  void aLimitBelowOneIsRefusedWithTheValue() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> limit(0))
        .withMessage("the limit on running jobs without a GPU must be at least 1, was 0");
  }

  /** Random queues and limits: exactly min(free slots, queued CPU jobs) start, in queue order. */
  @Test
  void randomQueuesStartExactlyTheFreeSlotsInOrder() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      int limit = 1 + random.nextInt(6);
      int running = random.nextInt(8);
      List<Job> queue = new ArrayList<>();
      int n = random.nextInt(12);
      for (int i = 1; i <= n; i++) {
        queue.add(
            random.nextBoolean()
                ? cpu(i, random.nextInt(3), random.nextInt(30))
                : gpu(i, random.nextInt(30)));
      }
      Decision d = Scheduler.decide(queue, List.of(), List.of(), running, NOW, limit(limit));
      long cpuQueued = queue.stream().filter(j -> !j.needsGpu()).count();
      long expected = Math.min(cpuQueued, Math.max(0, limit - running));
      String what = "seed " + seed + ", round " + round;
      assertThat(d.assignments()).as(what).hasSize((int) expected);
      List<Long> inOrder =
          Scheduler.decide(queue, List.of(), List.of(), 0, NOW, new Policy(Duration.ofMinutes(10)))
              .assignments()
              .stream()
              .map(Assignment::jobId)
              .limit(expected)
              .toList();
      assertThat(d.assignments()).as(what).extracting(Assignment::jobId).isEqualTo(inOrder);
      for (Map.Entry<Long, WaitingReason> w : d.waiting().entrySet()) {
        if (w.getValue() instanceof WaitingReason.CpuJobSlots slots) {
          assertThat(slots.limit()).as(what).isEqualTo(limit);
          assertThat(slots.inUse()).as(what).isEqualTo(Math.max(running, limit));
        }
      }
    }
  }
}
