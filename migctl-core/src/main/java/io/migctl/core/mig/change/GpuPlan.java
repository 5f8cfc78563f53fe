package io.migctl.core.mig.change;

import java.util.List;

/**
 * The ordered steps that take one GPU from its live layout to the desired one (or, for an undo,
 * back to the layout it had). Keeps come first (for the record); a mode change that turns MIG off
 * comes after the destroys, one that turns it on (with the reset) before the creates; the instance
 * steps run in {@link StepOrder}'s order: creates whose room is free, then destroys (compute
 * instances before their GPU instance), then the creates that needed them, each new GPU instance
 * followed by its compute instances.
 */
public record GpuPlan(int gpu, List<PlanStep> steps) {

  public GpuPlan {
    steps = List.copyOf(steps);
  }

  /** Whether the GPU already is as desired. */
  public boolean isNoop() {
    return steps.stream().noneMatch(PlanStep::changes);
  }

  /** How many driver operations the plan performs. */
  public int operations() {
    return (int) steps.stream().filter(PlanStep::changes).count();
  }

  /** Only the MIG mode steps (mig-parted's {@code --mode-only}). */
  public GpuPlan modeOnly() {
    return new GpuPlan(
        gpu,
        steps.stream()
            .filter(s -> s instanceof PlanStep.SetMigMode || s instanceof PlanStep.ResetGpu)
            .toList());
  }

  /**
   * Without the GPU reset (mig-parted's {@code --skip-reset}): the new MIG mode stays pending until
   * the machine reboots, so the steps after the reset, which need it, are left out too.
   */
  public GpuPlan withoutReset() {
    int reset = -1;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) instanceof PlanStep.ResetGpu) {
        reset = i;
        break;
      }
    }
    return reset < 0 ? this : new GpuPlan(gpu, steps.subList(0, reset));
  }
}
