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
}
