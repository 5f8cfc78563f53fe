package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import org.junit.jupiter.api.Test;

class InterruptedChangeTest {

  private final GpuState before =
      GpuState.of(new Layouts(Catalog.A100_40GB).gi("7g.40gb", 0).snapshot());
  private final GpuState target =
      GpuState.of(new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("3g.20gb", 4).snapshot());

  @Test
  void aGpuThatReachedItsTargetIsLeft() {
    GpuSnapshot live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("3g.20gb", 4).snapshot();
    assertThat(InterruptedChange.decide(live, before, target, true, false))
        .isInstanceOf(InterruptedChange.Reached.class);
  }

  @Test
  void aReachableTargetIsFinishedAtItsRecordedPlacements() {
    GpuSnapshot live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).snapshot();
    var decision = InterruptedChange.decide(live, before, target, true, false);
    assertThat(decision).isInstanceOf(InterruptedChange.Finish.class);
    GpuPlan plan = ((InterruptedChange.Finish) decision).plan();
    assertThat(GpuState.of(live).after(plan, Catalog.A100_40GB)).isEqualTo(target);
  }

  @Test
  void aTargetABusyInstanceBlocksIsUndone() {
    // A process holds a 1g.5gb where the second 3g.20gb goes.
    GpuSnapshot live =
        new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("1g.5gb", 6, 4242).snapshot();
    assertThat(InterruptedChange.decide(live, before, target, true, false))
        .isInstanceOfSatisfying(
            InterruptedChange.Undo.class, u -> assertThat(u.reason()).contains("pid 4242"));
  }

  @Test
  void afterAnUndoAGpuWhoseChangeHadNotBegunIsLeftAndAPendingTargetIsUndone() {
    GpuSnapshot untouched = new Layouts(Catalog.A100_40GB).gi("7g.40gb", 0).snapshot();
    assertThat(InterruptedChange.decide(untouched, before, target, false, true))
        .isInstanceOf(InterruptedChange.Leave.class);
    GpuState pendingOff = new GpuState(new MigMode(true, false), before.layout());
    assertThat(InterruptedChange.decide(untouched, before, pendingOff, true, false))
        .isInstanceOf(InterruptedChange.Undo.class);
  }
}
