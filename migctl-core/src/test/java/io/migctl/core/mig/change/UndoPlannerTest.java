package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.change.PlanStep.CreateComputeInstance;
import io.migctl.core.mig.change.PlanStep.CreateGpuInstance;
import io.migctl.core.mig.change.PlanStep.DestroyComputeInstance;
import io.migctl.core.mig.change.PlanStep.DestroyGpuInstance;
import io.migctl.core.mig.change.PlanStep.ResetGpu;
import io.migctl.core.mig.change.PlanStep.SetMigMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class UndoPlannerTest {

  private static final GpuModel A100 = Catalog.A100_40GB;
  private static final GpuModel H100 = Catalog.H100_80GB;

  @Test
  void recreatesWhatWasDestroyedAtTheSamePlacementsAndRemovesWhatWasHalfBuilt() {
    GpuSnapshot old =
        new Layouts(A100)
            .gi("2g.10gb", 0)
            .gi(
                "3g.20gb",
                4,
                List.of(
                    new Layouts.Ci("1c.3g.20gb", 0),
                    new Layouts.Ci("1c.3g.20gb", 1),
                    new Layouts.Ci("1c.3g.20gb", 2)))
            .snapshot();
    // The apply destroyed 2g.10gb and two of the 1c.3g.20gb, then created 1g.5gb@0:1 without
    // its compute instance before a step failed.
    GpuSnapshot live =
        new Layouts(A100)
            .gi("1g.5gb", 0, List.of())
            .gi("3g.20gb", 4, List.of(new Layouts.Ci("1c.3g.20gb", 0)))
            .snapshot();
    GpuState before = GpuState.of(old);

    GpuPlan undo = UndoPlanner.plan(live, before);

    assertThat(GpuState.of(live).after(undo, A100)).isEqualTo(before);
    assertThat(undo.steps())
        .contains(
            new DestroyGpuInstance(100, ReconfigurationPlannerTest.profile("1g.5gb"), p(0, 1)))
        .contains(new CreateGpuInstance(ReconfigurationPlannerTest.profile("2g.10gb"), p(0, 2)))
        .filteredOn(s -> s instanceof CreateComputeInstance)
        .extracting(s -> ((CreateComputeInstance) s).placement())
        .containsExactlyInAnyOrder(p(0, 2), p(1, 1), p(2, 1));
    // The 2g.10gb comes back only after the 1g.5gb in its place is gone; the compute instances
    // of the kept 3g.20gb come back first (their room is free).
    List<PlanStep> changes = undo.steps().stream().filter(PlanStep::changes).toList();
    assertThat(changes.getFirst()).isInstanceOf(CreateComputeInstance.class);
    assertThat(
            changes.indexOf(
                new CreateGpuInstance(ReconfigurationPlannerTest.profile("2g.10gb"), p(0, 2))))
        .isGreaterThan(
            changes.indexOf(
                new DestroyGpuInstance(
                    100, ReconfigurationPlannerTest.profile("1g.5gb"), p(0, 1))));
  }

  @Test
  void anUnchangedGpuNeedsNoUndo() {
    GpuSnapshot live = new Layouts(A100).gi("3g.20gb", 4).gi("1g.5gb", 0).snapshot();
    assertThat(UndoPlanner.plan(live, GpuState.of(live)).isNoop()).isTrue();
  }

  @Test
  void aFailedResetAfterTurningMigOffOnAmpereTurnsItBackOnAndRecreates() {
    GpuState before = GpuState.of(new Layouts(A100).gi("4g.20gb", 0).snapshot());
    GpuSnapshot live = new Layouts(A100, new MigMode(true, false)).snapshot();

    GpuPlan undo = UndoPlanner.plan(live, before);

    assertThat(undo.steps().getFirst()).isEqualTo(new SetMigMode(true));
    assertThat(undo.steps()).noneMatch(s -> s instanceof ResetGpu);
    assertThat(GpuState.of(live).after(undo, A100)).isEqualTo(before);
  }

  @Test
  void turningMigOnIsUndoneWithAResetOnAmpereAndWithoutOneOnHopper() {
    GpuState offA100 = GpuState.of(new Layouts(A100, MigMode.DISABLED).snapshot());
    GpuSnapshot onA100 = new Layouts(A100).gi("7g.40gb", 0).snapshot();
    GpuPlan a100 = UndoPlanner.plan(onA100, offA100);
    assertThat(a100.steps().stream().filter(PlanStep::changes).toList())
        .extracting(s -> (Object) s.getClass())
        .containsExactly(
            DestroyComputeInstance.class,
            DestroyGpuInstance.class,
            SetMigMode.class,
            ResetGpu.class);
    assertThat(GpuState.of(onA100).after(a100, A100)).isEqualTo(offA100);

    GpuState offH100 = GpuState.of(new Layouts(H100, MigMode.DISABLED).snapshot());
    GpuSnapshot onH100 = new Layouts(H100).gi("7g.80gb", 0).snapshot();
    GpuPlan h100 = UndoPlanner.plan(onH100, offH100);
    assertThat(h100.steps()).endsWith(new SetMigMode(false)).noneMatch(s -> s instanceof ResetGpu);
    assertThat(GpuState.of(onH100).after(h100, H100)).isEqualTo(offH100);

    // A reset that failed after the mode was asked for: only the pending mode goes back.
    GpuSnapshot pending = new Layouts(A100, new MigMode(false, true)).snapshot();
    assertThat(UndoPlanner.plan(pending, offA100).steps()).containsExactly(new SetMigMode(false));
  }

  @Test
  void stepsThatNeedAFailedOneAreSkipped() {
    PlanStep destroyCi =
        new DestroyComputeInstance(
            ReconfigurationPlannerTest.profile("3g.20gb"),
            p(4, 4),
            2,
            0,
            ReconfigurationPlannerTest.ci(ReconfigurationPlannerTest.profile("3g.20gb"), 3),
            p(0, 3),
            "MIG-x");
    PlanStep destroyGi =
        new DestroyGpuInstance(2, ReconfigurationPlannerTest.profile("3g.20gb"), p(4, 4));
    PlanStep createOver =
        new CreateGpuInstance(ReconfigurationPlannerTest.profile("1g.5gb"), p(5, 1));
    PlanStep createElsewhere =
        new CreateGpuInstance(ReconfigurationPlannerTest.profile("1g.5gb"), p(0, 1));
    PlanStep ciInElsewhere =
        new CreateComputeInstance(
            ReconfigurationPlannerTest.profile("1g.5gb"),
            p(0, 1),
            ReconfigurationPlannerTest.ci(ReconfigurationPlannerTest.profile("1g.5gb"), 1),
            p(0, 1));

    assertThat(UndoPlanner.needs(destroyGi, destroyCi)).isTrue();
    assertThat(UndoPlanner.needs(createOver, destroyGi)).isTrue();
    assertThat(UndoPlanner.needs(createElsewhere, destroyGi)).isFalse();
    assertThat(UndoPlanner.needs(ciInElsewhere, createElsewhere)).isTrue();
    assertThat(UndoPlanner.needs(new ResetGpu(), destroyGi)).isTrue();
    assertThat(UndoPlanner.needs(createElsewhere, new SetMigMode(true))).isTrue();
  }

  private static Placement p(int start, int size) {
    return new Placement(start, size);
  }
}
