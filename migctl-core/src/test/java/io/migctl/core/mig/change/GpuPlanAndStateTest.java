package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.Layouts.Ci;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What mig-parted's --mode-only and --skip-reset leave of a plan, and a state's words for a GPU.
 */
class GpuPlanAndStateTest {

  private static GpuInstanceProfile gi(String name) {
    return Catalog.A100_40GB.profile(ProfileName.parse(name)).orElseThrow();
  }

  private static ComputeInstanceProfile ci(String gi, String name) {
    return ComputeInstanceProfile.of(gi(gi)).stream()
        .filter(c -> c.name().equals(ProfileName.parse(name)))
        .findFirst()
        .orElseThrow();
  }

  private static final PlanStep KEEP =
      new PlanStep.KeepGpuInstance(1, gi("1g.5gb"), new Placement(6, 1));
  private static final PlanStep DESTROY =
      new PlanStep.DestroyGpuInstance(2, gi("3g.20gb"), new Placement(0, 4));
  private static final PlanStep MODE_ON = new PlanStep.SetMigMode(true);
  private static final PlanStep RESET = new PlanStep.ResetGpu();
  private static final PlanStep CREATE =
      new PlanStep.CreateGpuInstance(gi("7g.40gb"), new Placement(0, 8));

  @Test
  void aPlanOfKeepsOnlyChangesNothing() {
    assertThat(new GpuPlan(0, List.of(KEEP)).isNoop()).isTrue();
    assertThat(new GpuPlan(0, List.of(KEEP)).operations()).isZero();
    assertThat(new GpuPlan(0, List.of(KEEP, DESTROY)).isNoop()).isFalse();
    assertThat(new GpuPlan(0, List.of(KEEP, DESTROY)).operations()).isEqualTo(1);
  }

  @Test
  void modeOnlyKeepsTheModeChangeAndTheReset() {
    GpuPlan plan = new GpuPlan(2, List.of(KEEP, DESTROY, MODE_ON, RESET, CREATE));

    assertThat(plan.modeOnly()).isEqualTo(new GpuPlan(2, List.of(MODE_ON, RESET)));
  }

  @Test
  void withoutResetEndsBeforeTheResetAndWhatNeedsIt() {
    GpuPlan plan = new GpuPlan(1, List.of(KEEP, DESTROY, MODE_ON, RESET, CREATE));

    assertThat(plan.withoutReset()).isEqualTo(new GpuPlan(1, List.of(KEEP, DESTROY, MODE_ON)));
    assertThat(new GpuPlan(1, List.of(RESET, CREATE)).withoutReset())
        .isEqualTo(new GpuPlan(1, List.of()));
  }

  @Test
  void withoutResetLeavesAPlanWithoutOneAsItIs() {
    GpuPlan plan = new GpuPlan(1, List.of(KEEP, DESTROY, CREATE));

    assertThat(plan.withoutReset()).isSameAs(plan);
  }

  private static GpuState state(MigMode mode, PlacedInstance... instances) {
    return new GpuState(mode, new Layout(List.of(instances)));
  }

  private static PlacedInstance placed(String profile, int start, PlacedComputeInstance... cis) {
    GpuInstanceProfile p = gi(profile);
    return new PlacedInstance(p, new Placement(start, p.memorySlices()), List.of(cis));
  }

  private static PlacedComputeInstance placedCi(String gi, String name, int start) {
    ComputeInstanceProfile c = ci(gi, name);
    return new PlacedComputeInstance(c, new Placement(start, c.computeSlices()));
  }

  @Test
  void aLiveGpuInTheStateLacksNothingAndHasNothingMore() {
    GpuSnapshot live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 4).snapshot();
    GpuState state = GpuState.of(live);

    assertThat(state.isReachedBy(live)).isTrue();
    assertThat(state.missingFrom(live)).isEmpty();
    assertThat(state.extraOn(live)).isEmpty();
  }

  @Test
  void whatTheLiveGpuLacksAndHasMoreIsWordedOnePhraseEach() {
    GpuState want =
        state(
            MigMode.ENABLED,
            placed("2g.10gb", 0, placedCi("2g.10gb", "2g.10gb", 0)),
            placed(
                "3g.20gb",
                4,
                placedCi("3g.20gb", "1c.3g.20gb", 0),
                placedCi("3g.20gb", "1c.3g.20gb", 1)),
            placed("1g.5gb", 2));
    GpuSnapshot live =
        new Layouts(Catalog.A100_40GB)
            .gi("3g.20gb", 4, List.of(new Ci("1c.3g.20gb", 0)))
            .gi("1g.5gb", 6)
            .snapshot();

    assertThat(want.isReachedBy(live)).isFalse();
    assertThat(want.missingFrom(live))
        .containsExactly(
            "2g.10gb@0:2 with 2g.10gb@0:2",
            "1g.5gb@2:1 without compute instances",
            "compute instance 1c.3g.20gb@1:1 in 3g.20gb@4:4");
    assertThat(want.extraOn(live)).containsExactly("1g.5gb@6:1 with 1g.5gb@0:1");
  }

  @Test
  void anInstanceOfAnotherProfileAtTheSamePlacementIsNotTheSame() {
    GpuState want = state(MigMode.ENABLED, placed("4g.20gb", 0));
    GpuSnapshot live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).snapshot();

    assertThat(want.missingFrom(live)).containsExactly("4g.20gb@0:4 without compute instances");
  }

  @Test
  void aModeTheLiveGpuLacksIsNamedFirstThenTheOneAfterAReset() {
    GpuSnapshot off = new Layouts(Catalog.A100_40GB, MigMode.DISABLED).snapshot();
    GpuSnapshot offUntilReset = new Layouts(Catalog.A100_40GB, new MigMode(true, false)).snapshot();

    assertThat(state(MigMode.ENABLED).missingFrom(off)).containsExactly("MIG mode enabled");
    assertThat(state(MigMode.DISABLED).missingFrom(new Layouts(Catalog.A100_40GB).snapshot()))
        .containsExactly("MIG mode disabled");
    assertThat(state(MigMode.ENABLED).missingFrom(offUntilReset))
        .containsExactly("MIG mode enabled after a reset");
    assertThat(
            state(new MigMode(true, false)).missingFrom(new Layouts(Catalog.A100_40GB).snapshot()))
        .containsExactly("MIG mode disabled after a reset");
  }
}
