package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IncrementalSchedulerTest {

  private static final Policy POLICY = new Policy(Duration.ofMinutes(10));

  /** Two A100-40GB-like GPUs, each with 1g.5gb ×2, 2g.10gb, 3g.20gb. */
  private static List<MigSlot> layout() {
    List<MigSlot> all = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      all.add(Jobs.slot("MIG-" + g + "-a", g, "1g.5gb", 4864, 1, 0, false));
      all.add(Jobs.slot("MIG-" + g + "-b", g, "1g.5gb", 4864, 1, 1, false));
      all.add(Jobs.slot("MIG-" + g + "-c", g, "2g.10gb", 9856, 2, 2, false));
      all.add(Jobs.slot("MIG-" + g + "-d", g, "3g.20gb", 19968, 3, 4, g == 1));
    }
    return all;
  }

  @Test
  void aDecisionPlacesInOrderAndLeavesTheRestQueued() {
    List<MigSlot> all = layout();
    IncrementalScheduler d = new IncrementalScheduler(POLICY);
    d.devices(all, all);
    Instant now = T0.plus(Duration.ofMinutes(5));
    d.enqueue(Jobs.queued(1, 19000, 3, 0, T0)); // 3g: only GPU 0's (GPU 1's is foreign-busy)
    d.enqueue(Jobs.queued(2, 19000, 3, 5, T0.plus(Duration.ofMinutes(1)))); // higher priority
    d.enqueue(Jobs.queued(3, 4000, 1, 0, T0));

    assertThat(d.decide(now))
        .containsExactly(
            new Assignment(2, Optional.of(all.get(3))), new Assignment(3, Optional.of(all.get(0))));
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.inOrder()).extracting(Job::id).containsExactly(1L);
    WaitingReason.NoFreeDevice why = d.whyWaiting(new Requirement(19000, 3));
    assertThat(why.fittingInUse()).containsExactly(Map.entry("3g.20gb", 2));
    assertThat(why.fitting()).isEqualTo(2);
    // Free: the four 1g.5gb less the one job 3 took, both 2g.10gb (GPU 1's 3g is foreign-busy).
    assertThat(why.freeByProfile())
        .containsExactly(Map.entry("1g.5gb", 3), Map.entry("2g.10gb", 2));

    d.release(all.get(3));
    assertThat(d.decide(now)).containsExactly(new Assignment(1, Optional.of(all.get(3))));
    assertThat(d.size()).isZero();
  }

  @Test
  void aJobThatStartsToStarveGoesFirst() {
    List<MigSlot> one = List.of(Jobs.slot("MIG-x", 0, "1g.5gb", 4864, 1, 0, false));
    IncrementalScheduler d = new IncrementalScheduler(POLICY);
    d.devices(one, List.of());
    d.enqueue(Jobs.queued(1, 4000, 1, -5, T0)); // low priority, oldest
    d.enqueue(Jobs.queued(2, 4000, 1, 5, T0.plus(Duration.ofMinutes(1))));
    assertThat(d.decide(T0.plus(Duration.ofMinutes(5)))).isEmpty();
    assertThat(d.inOrder()).extracting(Job::id).containsExactly(2L, 1L);
    d.release(one.get(0));
    // Ten minutes after its submission job 1 starves and passes the higher priority.
    assertThat(d.decide(T0.plus(Duration.ofMinutes(10))))
        .containsExactly(new Assignment(1, Optional.of(one.get(0))));
  }

  @Test
  void badInputIsRefused() {
    List<MigSlot> all = layout();
    IncrementalScheduler d = new IncrementalScheduler(POLICY);
    d.devices(all, all.subList(0, 2));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> d.release(all.get(0)))
        .withMessageContaining("already free");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> d.release(Jobs.slot("MIG-new", 0, "1g.5gb", 4864, 1, 0, false)))
        .withMessageContaining("not a device of the layout");
    assertThat(d.remove(7)).isFalse();
    d.enqueue(Jobs.queued(7, 1, 1, 0, T0));
    assertThat(d.remove(7)).isTrue();
    assertThat(d.size()).isZero();
  }

  /**
   * Random arrivals, removals, releases and decisions with a clock that mostly moves forward: every
   * decision equals a plain scan of the same queue and free devices — the queue sorted with
   * starvation worked out for each job, each job taking the free fitting device that is smallest
   * under best fit, ties to the device free the longest.
   */
  @Test
  void incrementalDecisionsEqualAPlainScan() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int run = 0; run < 300; run++) {
      List<MigSlot> all = layout();
      IncrementalScheduler d = new IncrementalScheduler(POLICY);
      List<Job> queue = new ArrayList<>();
      List<MigSlot> free = new ArrayList<>(all);
      List<MigSlot> busy = new ArrayList<>();
      d.devices(all, free);
      Instant now = T0;
      long nextId = 1;
      for (int step = 0; step < 60; step++) {
        String what = "seed " + seed + ", run " + run + ", step " + step;
        switch (random.nextInt(5)) {
          case 0, 1 -> {
            long mib = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(22000);
            int compute = 1 + random.nextInt(3);
            Job j =
                Jobs.queued(
                    nextId++,
                    mib,
                    compute,
                    List.of(-1, 0, 0, 3).get(random.nextInt(4)),
                    now.minusSeconds(random.nextInt(900)));
            queue.add(j);
            d.enqueue(j);
          }
          case 2 -> {
            if (!queue.isEmpty()) {
              Job j = queue.remove(random.nextInt(queue.size()));
              assertThat(d.remove(j.id())).as(what).isTrue();
            }
          }
          case 3 -> {
            if (!busy.isEmpty()) {
              MigSlot s = busy.remove(random.nextInt(busy.size()));
              free.add(s);
              d.release(s);
            }
          }
          default -> {
            now = now.plusSeconds(random.nextInt(10) == 0 ? -120 : random.nextInt(400));
            List<Assignment> expected = plainScan(queue, free, now);
            assertThat(d.decide(now)).as(what).isEqualTo(expected);
            for (Assignment a : expected) {
              queue.removeIf(j -> j.id() == a.jobId());
              a.slot()
                  .ifPresent(
                      s -> {
                        free.remove(s);
                        busy.add(s);
                      });
            }
            assertThat(d.inOrder()).as(what).containsExactlyElementsOf(sorted(queue, now));
          }
        }
        assertThat(d.size()).as(what).isEqualTo(queue.size());
      }
    }
  }

  private static List<Job> sorted(List<Job> queue, Instant now) {
    List<Job> order = new ArrayList<>(queue);
    order.sort(
        Comparator.<Job>comparingInt(
                j ->
                    Duration.between(j.submittedAt(), now).compareTo(POLICY.starvationAfter()) >= 0
                        ? 0
                        : 1)
            .thenComparing(Comparator.comparingInt((Job j) -> j.spec().priority()).reversed())
            .thenComparing(Job::submittedAt)
            .thenComparingLong(Job::id));
    return order;
  }

  private static List<Assignment> plainScan(List<Job> queue, List<MigSlot> free, Instant now) {
    List<MigSlot> available = new ArrayList<>(free.stream().filter(s -> !s.foreignBusy()).toList());
    List<Assignment> out = new ArrayList<>();
    for (Job j : sorted(queue, now)) {
      if (j.requirement().isEmpty()) {
        out.add(new Assignment(j.id(), Optional.empty()));
        continue;
      }
      Optional<MigSlot> best =
          available.stream().filter(j.requirement().get()::fits).min(Scheduler.BEST_FIT);
      best.ifPresent(
          s -> {
            available.remove(s);
            out.add(new Assignment(j.id(), Optional.of(s)));
          });
    }
    return out;
  }
}
