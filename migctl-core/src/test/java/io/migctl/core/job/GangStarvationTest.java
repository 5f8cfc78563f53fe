package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A 4-GPU gang job on a node of four A100s sliced 7 × 1g.5gb, while 1g jobs keep arriving, one a
 * minute, on virtual time: a scheduler-driven loop with a clock the test advances. Every other 1g
 * job is short (5 minutes, timeout 10), the rest run 20 minutes (timeout 30), so some GPU always
 * runs a slice job unless the scheduler keeps new ones off the GPUs the gang job waits for.
 */
class GangStarvationTest {

  private static final int GPUS = 4;
  private static final Duration STEP = Duration.ofMinutes(1);
  private static final Duration LONG_TIMEOUT = Duration.ofMinutes(30);
  private static final Instant GANG_ARRIVES = T0.plus(Duration.ofHours(1));
  private static final Instant END = T0.plus(Duration.ofHours(24));

  /** What one run of the loop saw. */
  private record Outcome(Optional<Instant> gangStarted, int sliceJobsStarted, int backfilled) {}

  @Test
  void withReservationTheGangJobStartsWithinTheLongestTimeoutOfTheJobsInItsWay() {
    Outcome o = run(new Policy(Duration.ofMinutes(10)).withMigModeSwitch(true));

    assertThat(o.gangStarted()).isPresent();
    assertThat(Duration.between(GANG_ARRIVES, o.gangStarted().get())).isLessThan(LONG_TIMEOUT);
    // Short jobs ran beside the reservation (backfill), and slice jobs kept running all day.
    assertThat(o.backfilled()).isPositive();
    assertThat(o.sliceJobsStarted()).isGreaterThan(24 * 60 / 2);
  }

  @Test
  void withoutReservationTheSameStreamOfSliceJobsStarvesTheGangJob() {
    Outcome o =
        run(new Policy(Duration.ofMinutes(10)).withMigModeSwitch(true).withMaxReservedGpus(0));

    assertThat(o.gangStarted()).isEmpty();
  }

  private static Outcome run(Policy policy) {
    List<MigSlot> slices = new ArrayList<>();
    for (int g = 0; g < GPUS; g++) {
      slices.addAll(Gangs.sevenSlices(g));
    }
    Map<Long, Job> queued = new LinkedHashMap<>();
    Map<Long, Job> running = new HashMap<>();
    Map<Long, Instant> finishesAt = new HashMap<>();
    Map<Long, MigSlot> slotOf = new HashMap<>();
    Optional<Instant> gangStarted = Optional.empty();
    List<Integer> gangGpus = List.of();
    int started = 0;
    int backfilled = 0;
    long nextId = 1;
    long gangId = 0;
    for (Instant now = T0; now.isBefore(END); now = now.plus(STEP)) {
      // Jobs whose work is done end and give back what they held.
      for (Long id : List.copyOf(running.keySet())) {
        if (!finishesAt.get(id).isAfter(now)) {
          running.remove(id);
          slotOf.remove(id);
          if (id == gangId) {
            gangGpus = List.of();
          }
        }
      }
      boolean shortJob = nextId % 2 == 0;
      Job slice =
          Gangs.queued(
              nextId,
              Jobs.memory(4864, 1),
              Optional.of(shortJob ? Duration.ofMinutes(10) : LONG_TIMEOUT),
              now);
      queued.put(nextId++, slice);
      if (now.equals(GANG_ARRIVES)) {
        gangId = nextId++;
        queued.put(
            gangId,
            Gangs.queued(
                gangId, new GpuNeed.WholeGpus(GPUS), Optional.of(Duration.ofHours(3)), now));
      }

      IncrementalScheduler s = new IncrementalScheduler(policy);
      List<Integer> whole = gangGpus;
      List<MigSlot> layout = slices.stream().filter(m -> !whole.contains(m.gpu())).toList();
      List<MigSlot> free = layout.stream().filter(m -> !slotOf.containsValue(m)).toList();
      s.devices(layout, free);
      List<WholeGpu> gpus = new ArrayList<>();
      Map<Integer, Instant> held = new HashMap<>();
      for (int g = 0; g < GPUS; g++) {
        gpus.add(whole.contains(g) ? Gangs.migOff(g) : Gangs.migOn(g, 7));
        if (whole.contains(g)) {
          held.put(g, finishesAt.get(gangId));
        }
      }
      s.gpus(gpus, held);
      s.running(running.values());
      queued.values().forEach(s::enqueue);

      for (Assignment a : s.decide(now)) {
        Job job = queued.remove(a.jobId());
        if (a.gpus().isPresent()) {
          gangStarted = Optional.of(now);
          gangGpus = a.gpus().get().gpus().stream().map(WholeGpu::index).toList();
          finishesAt.put(job.id(), now.plus(Duration.ofHours(1)));
          running.put(job.id(), Gangs.running(job, Optional.empty(), now));
        } else {
          MigSlot slot = a.slot().orElseThrow();
          boolean isShort = job.spec().timeout().orElseThrow().toMinutes() == 10;
          finishesAt.put(job.id(), now.plus(Duration.ofMinutes(isShort ? 5 : 20)));
          slotOf.put(job.id(), slot);
          running.put(job.id(), Gangs.running(job, Optional.of(slot), now));
          started++;
          if (queued.containsKey(gangId) && !s.reservations().isEmpty()) {
            backfilled++;
          }
        }
      }
    }
    return new Outcome(gangStarted, started, backfilled);
  }
}
