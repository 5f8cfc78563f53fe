package io.migctl.core.mig.plan;

import java.util.List;

/**
 * The ordered steps that take one GPU from its live layout to the desired one: keeps (for the
 * record), compute-instance destroys, GPU-instance destroys, mode change and reset, GPU-instance
 * creates, compute-instance creates.
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
