package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.PlanStep.CreateComputeInstance;
import io.migctl.core.mig.change.PlanStep.CreateGpuInstance;
import io.migctl.core.mig.change.PlanStep.DestroyComputeInstance;
import io.migctl.core.mig.change.PlanStep.DestroyGpuInstance;
import io.migctl.core.mig.change.PlanStep.KeepGpuInstance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconfigurationPlannerTest {

  private static final GpuModel A100 = Catalog.A100_40GB;

  @Test
  void anUnchangedGpuNeedsNoStep() {
    GpuSnapshot live =
        new Layouts(A100)
            .gi("3g.20gb", 4)
            .gi("2g.10gb", 2)
            .gi("1g.5gb", 0)
            .gi("1g.5gb", 1)
            .snapshot();
    GpuPlan plan = planned(live, desired("3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"));
    assertThat(plan.isNoop()).isTrue();
    assertThat(plan.steps()).filteredOn(s -> s instanceof KeepGpuInstance).hasSize(4);
  }

  @Test
  void keepsABusyInstanceWhereItIsAndReshapesTheRest() {
    GpuSnapshot live =
        new Layouts(A100)
            .gi("3g.20gb", 4, 4121)
            .gi("2g.10gb", 2)
            .gi("1g.5gb", 0)
            .gi("1g.5gb", 1)
            .snapshot();
    GpuPlan plan = planned(live, desired("3g.20gb", "4g.20gb"));

    assertThat(plan.steps())
        .contains(new KeepGpuInstance(100, profile("3g.20gb"), new Placement(4, 4)))
        .contains(new CreateGpuInstance(profile("4g.20gb"), new Placement(0, 4)))
        .noneMatch(s -> s instanceof DestroyGpuInstance d && d.gpuInstanceId() == 100);
    // 3 compute instances and 3 GPU instances go, one GPU instance and its compute instance come.
    assertThat(plan.operations()).isEqualTo(8);
  }

  @Test
  void refusesToDestroyABusyInstanceNamingItsHolder() {
    GpuSnapshot live =
        new Layouts(A100)
            .gi("3g.20gb", 4, 4121)
            .gi("2g.10gb", 2)
            .gi("1g.5gb", 0)
            .gi("1g.5gb", 1)
            .snapshot();
    PlanOutcome outcome = ReconfigurationPlanner.plan(live, desired("7g.40gb"));
    assertThat(outcome)
        .isInstanceOfSatisfying(
            PlanOutcome.Refused.class,
            r ->
                assertThat(r.reason())
                    .contains(
                        "3g.20gb@4:4",
                        "busy",
                        "pid 4121",
                        "MIG-test-1",
                        "has no 3g.20gb",
                        "stop pid 4121"));
  }

  @Test
  void refusesWhenTheDesiredLayoutDoesNotFitBesideABusyInstance() {
    // The busy 1g.5gb at 4 leaves no room for a 3g (it needs 0:4 or 4:4) next to the 4g at 0:4.
    GpuSnapshot live = new Layouts(A100).gi("1g.5gb", 4, 77).snapshot();
    PlanOutcome outcome =
        ReconfigurationPlanner.plan(live, desired("4g.20gb", "3g.20gb", "1g.5gb"));
    assertThat(outcome)
        .isInstanceOfSatisfying(
            PlanOutcome.Refused.class,
            r -> assertThat(r.reason()).contains("does not fit", "1g.5gb@4:1", "pid 77"));
  }

  @Test
  void removesOnlyWhatIsTooMuch() {
    Layouts l = new Layouts(A100);
    for (int s = 0; s < 7; s++) {
      l.gi("1g.5gb", s);
    }
    GpuPlan plan =
        planned(l.snapshot(), desired("1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"));
    assertThat(plan.operations()).isEqualTo(2);
    assertThat(plan.steps()).filteredOn(s -> s instanceof DestroyGpuInstance).hasSize(1);
  }

  @Test
  void placesNewInstancesWhereTheyLeaveTheMostRoom() {
    GpuPlan plan = planned(new Layouts(A100).snapshot(), desired("1g.5gb"));
    // At 6 the 1g blocks the fewest placements and a 4g or 3g still fits at 0:4.
    assertThat(plan.steps())
        .contains(new CreateGpuInstance(profile("1g.5gb"), new Placement(6, 1)));

    // 3g at 4:4 and 2g at 0:2 leave 2:2 free, where another 2g fits; the other way round only a
    // 1g fits in the slices left (6, and 7 which a 1g cannot use).
    GpuPlan two = planned(new Layouts(A100).snapshot(), desired("3g.20gb", "2g.10gb"));
    assertThat(two.steps())
        .filteredOn(s -> s instanceof CreateGpuInstance)
        .extracting(s -> ((CreateGpuInstance) s).placement())
        .containsExactlyInAnyOrder(new Placement(4, 4), new Placement(0, 2));
  }

  @Test
  void createsGpuInstancesBeforeTheirComputeInstancesAndDestroysComputeInstancesFirst() {
    GpuSnapshot live = new Layouts(A100).gi("7g.40gb", 0).snapshot();
    GpuPlan plan = planned(live, desired("3g.20gb", "3g.20gb"));
    List<Class<?>> kinds = new ArrayList<>();
    plan.steps().forEach(s -> kinds.add(s.getClass()));
    // Each new GPU instance gets its compute instance at once: a MIG device as soon as possible.
    assertThat(kinds)
        .containsExactly(
            DestroyComputeInstance.class,
            DestroyGpuInstance.class,
            CreateGpuInstance.class,
            CreateComputeInstance.class,
            CreateGpuInstance.class,
            CreateComputeInstance.class);
  }

  @Test
  void createsWhatFitsInFreeRoomBeforeItDestroysAnything() {
    // 3g.20gb@4:4 goes, 4g.20gb comes at 0:4 (free) and 1g.5gb at 4:1 (where 3g.20gb is).
    GpuSnapshot live = new Layouts(A100).gi("3g.20gb", 4).snapshot();
    GpuPlan plan = planned(live, desired("4g.20gb", "1g.5gb"));
    List<PlanStep> changes = plan.steps().stream().filter(PlanStep::changes).toList();
    assertThat(changes.get(0))
        .isEqualTo(new CreateGpuInstance(profile("4g.20gb"), new Placement(0, 4)));
    assertThat(changes.get(1)).isInstanceOf(CreateComputeInstance.class);
    assertThat(changes.get(2)).isInstanceOf(DestroyComputeInstance.class);
    assertThat(changes.get(3)).isInstanceOf(DestroyGpuInstance.class);
    assertThat(changes.get(4)).isInstanceOf(CreateGpuInstance.class);
  }

  @Test
  void aCreateInFreeRoomWaitsWhenTheGpuCouldNotHoldBothOldAndNew() {
    // The media extensions exist once per GPU: a 1g.5gb+me in free room waits for the old one to
    // go, although their placements do not overlap.
    GpuSnapshot me = new Layouts(A100).gi("1g.5gb+me", 0).snapshot();
    GpuPlan moved = planned(me, desired("4g.20gb", "1g.5gb+me"));
    assertThat(moved.steps().stream().filter(PlanStep::changes).findFirst().orElseThrow())
        .isInstanceOf(DestroyComputeInstance.class);
  }

  @Test
  void onlyCreatesThatOverlapWhatGoesWaitForTheDestroys() {
    // 1g.5gb@2:1 is kept; 3..6 are free (4 creates first); 0 and 1 wait for 2g.10gb to go.
    GpuSnapshot two = new Layouts(A100).gi("2g.10gb", 0).gi("1g.5gb", 2).snapshot();
    GpuPlan plan =
        planned(two, desired("1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"));
    int firstDestroy = indexOf(plan, DestroyGpuInstance.class);
    List<PlanStep> before = plan.steps().subList(0, firstDestroy);
    assertThat(before).filteredOn(s -> s instanceof CreateGpuInstance).hasSize(4);
    assertThat(plan.steps().subList(firstDestroy, plan.steps().size()))
        .filteredOn(s -> s instanceof CreateGpuInstance)
        .extracting(s -> ((CreateGpuInstance) s).placement())
        .containsExactly(new Placement(0, 1), new Placement(1, 1));
  }

  @Test
  void reshapesComputeInstancesInsideAKeptGpuInstance() {
    GpuSnapshot live =
        new Layouts(A100)
            .gi(
                "3g.20gb",
                0,
                List.of(new Layouts.Ci("1c.3g.20gb", 0, 9), new Layouts.Ci("1c.3g.20gb", 1)))
            .snapshot();
    GpuInstanceProfile gi = profile("3g.20gb");
    ComputeInstanceProfile one = ci(gi, 1);
    DesiredGpu want =
        new DesiredGpu(0, true, List.of(new DesiredInstance(gi, List.of(one, one, one))), "test");
    GpuPlan plan = planned(live, want);
    assertThat(plan.operations()).isEqualTo(1);
    assertThat(plan.steps())
        .contains(new CreateComputeInstance(gi, new Placement(0, 4), one, new Placement(2, 1)));

    // Two compute slices for the busy 1c's neighbour: the 2c needs 0:2, taken by the busy one.
    DesiredGpu clash =
        new DesiredGpu(0, true, List.of(new DesiredInstance(gi, List.of(ci(gi, 2), one))), "test");
    assertThat(ReconfigurationPlanner.plan(live, clash)).isInstanceOf(PlanOutcome.Refused.class);
  }

  @Test
  void turningMigOffDestroysEverythingThenResetsAmpere() {
    GpuSnapshot live = new Layouts(A100).gi("4g.20gb", 0).snapshot();
    GpuPlan plan = planned(live, new DesiredGpu(0, false, List.of(), "test"));
    assertThat(plan.steps().subList(2, plan.steps().size()))
        .containsExactly(new PlanStep.SetMigMode(false), new PlanStep.ResetGpu());

    GpuSnapshot busy = new Layouts(A100).gi("4g.20gb", 0, 5).snapshot();
    assertThat(ReconfigurationPlanner.plan(busy, new DesiredGpu(0, false, List.of(), "test")))
        .isInstanceOfSatisfying(
            PlanOutcome.Refused.class,
            r -> assertThat(r.reason()).contains("cannot be turned off", "pid 5"));
  }

  @Test
  void turningMigOnOnHopperNeedsNoReset() {
    GpuSnapshot off = new Layouts(Catalog.H100_80GB, MigMode.DISABLED).snapshot();
    GpuInstanceProfile p = Catalog.H100_80GB.profile(ProfileName.parse("7g.80gb")).orElseThrow();
    GpuPlan plan =
        planned(
            off,
            new DesiredGpu(0, true, List.of(new DesiredInstance(p, List.of(ci(p, 7)))), "test"));
    assertThat(plan.steps().getFirst()).isEqualTo(new PlanStep.SetMigMode(true));
    assertThat(plan.steps()).noneMatch(s -> s instanceof PlanStep.ResetGpu);
  }

  @Test
  void aPendingModeChangeOnAmpereTakesAReset() {
    GpuSnapshot pendingOn = new Layouts(A100, new MigMode(false, true)).snapshot();
    GpuPlan plan = planned(pendingOn, desired("7g.40gb"));
    assertThat(plan.steps().getFirst()).isEqualTo(new PlanStep.ResetGpu());
  }

  // ------------------------------------------------------------------------------------------

  private static int indexOf(GpuPlan plan, Class<?> kind) {
    for (int i = 0; i < plan.steps().size(); i++) {
      if (kind.isInstance(plan.steps().get(i))) {
        return i;
      }
    }
    throw new AssertionError("no " + kind.getSimpleName() + " in " + plan.steps());
  }

  private static GpuPlan planned(GpuSnapshot live, DesiredGpu desired) {
    PlanOutcome outcome = ReconfigurationPlanner.plan(live, desired);
    assertThat(outcome).isInstanceOf(PlanOutcome.Planned.class);
    return ((PlanOutcome.Planned) outcome).plan();
  }

  static DesiredGpu desired(String... profiles) {
    List<DesiredInstance> out = new ArrayList<>();
    for (String name : profiles) {
      GpuInstanceProfile p = profile(name);
      out.add(new DesiredInstance(p, List.of(ci(p, p.computeSlices()))));
    }
    return new DesiredGpu(0, true, out, "mig-configs.test[0]");
  }

  static GpuInstanceProfile profile(String name) {
    return A100.profile(ProfileName.parse(name)).orElseThrow();
  }

  static ComputeInstanceProfile ci(GpuInstanceProfile gi, int slices) {
    return ComputeInstanceProfile.of(gi).stream()
        .filter(c -> c.computeSlices() == slices)
        .findFirst()
        .orElseThrow();
  }
}
