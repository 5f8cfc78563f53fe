package io.migctl.core.mig.change;

import io.migctl.core.mig.GpuSnapshot;

/**
 * What to do with one GPU of a layout change that a crash interrupted, decided from the live GPU
 * and the states the change recorded before it began: the GPU as it was and the GPU its plan makes.
 *
 * <p>The rule: a GPU already in its target state is left so. Otherwise the change is finished —
 * planned from the live GPU to the target, every instance pinned where the target has it — when the
 * planner finds a plan that keeps every busy instance (and the target is not a mode change still
 * waiting for a reset); the user asked for that target, and finishing reaches it with the fewest
 * states. When it cannot be finished without harm, the GPU is undone to its recorded old state
 * ({@link UndoPlanner}). Once one GPU of the change was undone, the change's GPUs whose steps had
 * not begun are left as they are, as after a failed step.
 */
public final class InterruptedChange {

  private InterruptedChange() {}

  /** The decision for one GPU. */
  public sealed interface Decision {}

  /** The GPU already has its target state. */
  public record Reached() implements Decision {}

  /** Finish the change with this plan. */
  public record Finish(GpuPlan plan) implements Decision {}

  /** Undo the change: the target cannot be reached without harm, for this reason. */
  public record Undo(String reason) implements Decision {}

  /** Leave the GPU as it is: its change had not begun and an earlier GPU was undone. */
  public record Leave() implements Decision {}

  /**
   * Decides for one GPU.
   *
   * @param started whether any step of the change had begun on this GPU
   * @param undoing whether an earlier GPU of the change was undone
   */
  public static Decision decide(
      GpuSnapshot live, GpuState before, GpuState target, boolean started, boolean undoing) {
    if (target.isReachedBy(live)) {
      return new Reached();
    }
    if (undoing && !started) {
      return new Leave();
    }
    if (target.mode().isChangePending()) {
      return new Undo("its target is a MIG mode change that waits for a reset");
    }
    int gpu = live.device().index();
    return switch (ReconfigurationPlanner.plan(
        live, target.desired(gpu, "the interrupted change"))) {
      case PlanOutcome.Planned(GpuPlan plan) -> new Finish(plan);
      case PlanOutcome.Refused(int index, String reason) -> new Undo(reason);
    };
  }
}
