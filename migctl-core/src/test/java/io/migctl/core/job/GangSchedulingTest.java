package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Policy;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.TopologyLevel;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Quotas;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GangSchedulingTest {

  private static final Policy POLICY = new Policy(Duration.ofMinutes(10));
  private static final Instant NOW = T0.plus(Duration.ofMinutes(1));
  private static final GpuNeed ONE_G = Jobs.memory(4864, 1);

  /** GPUs 0–1 with MIG on and seven 1g.5gb each, GPUs 2–3 with MIG off. */
  private static IncrementalScheduler mixedNode(Policy policy) {
    IncrementalScheduler s = new IncrementalScheduler(policy);
    List<MigSlot> slots = new ArrayList<>(Gangs.sevenSlices(0));
    slots.addAll(Gangs.sevenSlices(1));
    s.devices(slots, slots);
    s.gpus(
        List.of(Gangs.migOn(0, 7), Gangs.migOn(1, 7), Gangs.migOff(2), Gangs.migOff(3)), Map.of());
    return s;
  }

  private static List<Integer> gpusOf(Assignment a) {
    return a.gpus().orElseThrow().gpus().stream().map(WholeGpu::index).toList();
  }

  @Test
  void aGangJobGetsAllItsGpusAtOnceAndASecondOneWaitsWithTheReason() {
    IncrementalScheduler s = mixedNode(POLICY);
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(2), Optional.empty(), T0));
    s.enqueue(Gangs.queued(2, new GpuNeed.WholeGpus(2), Optional.empty(), T0.plusSeconds(1)));
    s.enqueue(Gangs.queued(3, ONE_G, Optional.empty(), T0.plusSeconds(2)));

    List<Assignment> placed = s.decide(NOW);

    assertThat(placed).hasSize(2);
    assertThat(placed.get(0).jobId()).isEqualTo(1);
    assertThat(gpusOf(placed.get(0))).containsExactly(2, 3);
    assertThat(placed.get(0).gpus().orElseThrow().turnMigOff()).isEmpty();
    assertThat(placed.get(0).slots()).isEmpty();
    // The slices on GPUs 0–1 keep serving slice jobs.
    assertThat(placed.get(1).jobId()).isEqualTo(3);
    assertThat(placed.get(1).slot().orElseThrow().gpu()).isZero();
    WaitingReason why = s.whyWaiting(s.inOrder().getFirst());
    assertThat(why)
        .isInstanceOfSatisfying(
            WaitingReason.NoWholeGpus.class,
            w -> {
              assertThat(w.free()).isZero();
              assertThat(w.matching()).isEqualTo(2);
              assertThat(w.reserved()).containsExactly(2, 3);
              assertThat(w.startBy()).isEmpty(); // job 1 has no timeout
            });

    // A gang job queued after the decision is told how the GPUs are now.
    Job late = Gangs.queued(4, new GpuNeed.WholeGpus(1), Optional.empty(), NOW);
    s.enqueue(late);
    assertThat(s.whyWaiting(late))
        .isEqualTo(
            new WaitingReason.NoWholeGpus(
                new GpuNeed.WholeGpus(1), 0, 2, List.of(), Optional.empty()));
    s.remove(4);

    s.releaseGpus(List.of(2, 3));
    assertThat(s.decide(NOW)).extracting(Assignment::jobId).containsExactly(2L);
  }

  @Test
  void aGangJobNeverHoldsSomeGpusWhileItWaitsForTheRest() {
    IncrementalScheduler s = mixedNode(POLICY.withMaxReservedGpus(0));
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(3), Optional.empty(), T0));
    s.enqueue(Gangs.queued(2, new GpuNeed.WholeGpus(1), Optional.empty(), T0.plusSeconds(1)));

    List<Assignment> placed = s.decide(NOW);

    // Job 1 takes nothing (only GPUs 2–3 can be whole without a MIG mode switch); job 2 gets one.
    assertThat(placed).extracting(Assignment::jobId).containsExactly(2L);
    assertThat(gpusOf(placed.getFirst())).containsExactly(2);
    assertThat(s.whyWaiting(s.inOrder().getFirst()))
        .isEqualTo(
            new WaitingReason.NoWholeGpus(
                new GpuNeed.WholeGpus(3), 1, 2, List.of(), Optional.empty()));
  }

  @Test
  void withTheModeSwitchAllowedAnIdleMigGpuBecomesWholeAtTheCostOfAReshape() {
    IncrementalScheduler s = mixedNode(POLICY.withMigModeSwitch(true));
    Job slice = Gangs.queued(9, ONE_G, Optional.empty(), T0);
    s.running(List.of(Gangs.running(slice, Optional.of(Gangs.sevenSlices(0).get(3)), T0)));
    List<MigSlot> all = new ArrayList<>(Gangs.sevenSlices(0));
    all.addAll(Gangs.sevenSlices(1));
    List<MigSlot> free = new ArrayList<>(all);
    free.remove(3); // GPU 0 runs a slice job
    s.devices(all, free);
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(3), Optional.empty(), T0));

    Assignment a = s.decide(NOW).getFirst();

    assertThat(gpusOf(a)).containsExactly(1, 2, 3);
    assertThat(a.gpus().orElseThrow().turnMigOff()).containsExactly(1);
    assertThat(a.gpus().orElseThrow().instancesToDestroy()).isEqualTo(7);
    // GPU 1's slices went with it: a slice job now gets GPU 0's.
    s.enqueue(Gangs.queued(2, new GpuNeed.MigDevices(ONE_G, 6), Optional.empty(), T0));
    Assignment six = s.decide(NOW).getFirst();
    assertThat(six.slots()).hasSize(6).allSatisfy(slot -> assertThat(slot.gpu()).isZero());
  }

  @Test
  void severalMigDevicesComeAllAtOnceOrNotAtAll() {
    IncrementalScheduler s = new IncrementalScheduler(POLICY);
    List<MigSlot> all = Gangs.sevenSlices(0);
    s.devices(all, all.subList(0, 2));
    s.enqueue(Gangs.queued(1, new GpuNeed.MigDevices(ONE_G, 3), Optional.empty(), T0));

    assertThat(s.decide(NOW)).isEmpty();
    assertThat(s.freeDevices()).isEqualTo(2);

    s.release(all.get(2));
    Assignment a = s.decide(NOW).getFirst();
    assertThat(a.slots()).containsExactlyElementsOf(all.subList(0, 3));
    assertThat(a.slot()).contains(all.getFirst());
  }

  @Test
  void aWholeGpuCountsItsComputeSlicesAgainstTheTenantsQuota() {
    IncrementalScheduler s = mixedNode(POLICY);
    Quota tenSlices =
        new Quota(
            OptionalInt.of(10), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
    s.tenants(
        Quotas.rules(
            TenantDirectory.of(
                List.of(new Tenant("team-a", Optional.empty(), tenSlices, 1, HostLimits.NONE)))));
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(2), Optional.empty(), T0));
    s.enqueue(Gangs.queued(2, new GpuNeed.WholeGpus(1), Optional.empty(), T0.plusSeconds(1)));

    List<Assignment> placed = s.decide(NOW);

    assertThat(placed).extracting(Assignment::jobId).containsExactly(2L);
    Job waiting = s.inOrder().getFirst();
    assertThat(s.whyWaiting(waiting))
        .isEqualTo(
            new WaitingReason.QuotaReached("team-a", WaitingReason.QuotaLimit.SLICES, 0, 14, 10));
  }

  @Test
  void aSliceJobMayUseAReservedGpuOnlyIfItEndsBeforeTheGangCouldStart() {
    Policy policy = POLICY.withMigModeSwitch(true);
    IncrementalScheduler s = new IncrementalScheduler(policy);
    List<MigSlot> all = new ArrayList<>(Gangs.sevenSlices(0));
    all.addAll(Gangs.sevenSlices(1));
    List<MigSlot> free = new ArrayList<>(all);
    free.remove(all.get(7)); // GPU 1 runs a job that ends by its timeout in an hour
    s.devices(all, free);
    s.gpus(List.of(Gangs.migOn(0, 7), Gangs.migOn(1, 7)), Map.of());
    Job old = Gangs.queued(9, ONE_G, Optional.of(Duration.ofHours(1)), T0);
    s.running(List.of(Gangs.running(old, Optional.of(all.get(7)), NOW)));
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(2), Optional.empty(), T0));
    s.enqueue(Gangs.queued(2, ONE_G, Optional.empty(), T0.plusSeconds(1)));
    s.enqueue(Gangs.queued(3, ONE_G, Optional.of(Duration.ofHours(2)), T0.plusSeconds(2)));
    s.enqueue(Gangs.queued(4, ONE_G, Optional.of(Duration.ofMinutes(30)), T0.plusSeconds(3)));

    List<Assignment> placed = s.decide(NOW);

    // Only job 4 ends (by its timeout) before GPU 1 is free for the gang job.
    assertThat(placed).extracting(Assignment::jobId).containsExactly(4L);
    assertThat(s.reservations())
        .as("reservations %s", s.reservations())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(0, NOW.plus(Duration.ofHours(1)), 1, NOW.plus(Duration.ofHours(1))));
  }

  @Test
  void theClosestGpusAreChosenWhereTheTopologyIsKnownAndTheLowestOtherwise() {
    List<GpuTopology.Pair> pairs = new ArrayList<>();
    for (int a = 0; a < 4; a++) {
      for (int b = a + 1; b < 4; b++) {
        boolean linked = a == 1 && b == 3;
        pairs.add(
            new GpuTopology.Pair(
                a,
                b,
                Optional.of(linked ? TopologyLevel.SINGLE : TopologyLevel.SYSTEM),
                linked ? GpuTopology.NvLink.PRESENT : GpuTopology.NvLink.ABSENT));
      }
    }
    GpuTopology topology = GpuTopology.of(4, pairs);
    List<WholeGpu> free =
        List.of(Gangs.migOff(0), Gangs.migOff(1), Gangs.migOff(2), Gangs.migOff(3));

    TopologyPreference.Choice close = TopologyPreference.CLOSEST.choose(free, 2, topology);
    TopologyPreference.Choice unknown =
        TopologyPreference.CLOSEST.choose(free, 2, GpuTopology.unknown(4));

    assertThat(close.gpus()).extracting(WholeGpu::index).containsExactly(1, 3);
    assertThat(close.reason()).contains("NVLink");
    assertThat(unknown.gpus()).extracting(WholeGpu::index).containsExactly(0, 1);
    assertThat(unknown.reason()).contains("no topology");
    assertThat(TopologyPreference.CLOSEST.choose(free.subList(0, 2), 2, topology).reason())
        .isEqualTo("the only 2 free");
  }

  @Test
  void theSchedulerAsksTheTopologyPreference() {
    IncrementalScheduler s = new IncrementalScheduler(POLICY);
    s.gpus(List.of(Gangs.migOff(0), Gangs.migOff(1), Gangs.migOff(2)), Map.of());
    s.topology(
        GpuTopology.unknown(3),
        (free, count, topology) ->
            new TopologyPreference.Choice(
                free.subList(free.size() - count, free.size()), "the highest-numbered"));
    s.enqueue(Gangs.queued(1, new GpuNeed.WholeGpus(2), Optional.empty(), T0));

    assertThat(gpusOf(s.decide(NOW).getFirst())).containsExactly(1, 2);
  }
}
