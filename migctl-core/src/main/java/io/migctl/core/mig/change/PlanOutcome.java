package io.migctl.core.mig.change;

/** The planner's answer for one GPU: a plan, or why there can be none without harm. */
public sealed interface PlanOutcome {

  /** The GPU's index. */
  int gpu();

  /** A plan that keeps every busy instance. */
  record Planned(GpuPlan plan) implements PlanOutcome {
    @Override
    public int gpu() {
      return plan.gpu();
    }
  }

  /**
   * The desired layout cannot be reached without destroying or moving a busy instance.
   *
   * @param reason names the busy instance, its holder and what would have to stop
   */
  record Refused(int gpu, String reason) implements PlanOutcome {}
}
