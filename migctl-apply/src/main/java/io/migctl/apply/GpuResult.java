package io.migctl.apply;

import io.migctl.core.mig.change.GpuPlan;
import java.util.List;

/**
 * One GPU of an apply as {@code mig apply --json} and {@code POST /api/v1/layout/apply} show it:
 * its plan and what became of it. Fields that do not apply are null.
 *
 * @param index the GPU
 * @param noop whether it already was as desired
 * @param steps its plan
 * @param outcome {@code planned} (a dry run), {@code unchanged} (already as desired), {@code
 *     applied} (it has its new layout), {@code not-touched} (the apply stopped or was refused
 *     before it), {@code undone} (a step failed and the GPU has its old layout again) or {@code
 *     between-layouts} (a step failed and so did the undo)
 * @param failedStep the step that failed
 * @param error the driver's error for it
 * @param undo the undo's steps and how each went
 * @param state the GPU after the undo, with the driver's ids and MIG UUIDs (recreated MIG devices
 *     have new ones)
 * @param missing what of its old layout the GPU lacks ({@code between-layouts} only)
 * @param extra what the GPU has beyond its old layout ({@code between-layouts} only)
 */
public record GpuResult(
    int index,
    boolean noop,
    List<StepJson> steps,
    String outcome,
    StepJson failedStep,
    String error,
    List<UndoStep> undo,
    GpuStateJson state,
    List<String> missing,
    List<String> extra) {

  public static final String PLANNED = "planned";
  public static final String UNCHANGED = "unchanged";
  public static final String APPLIED = "applied";
  public static final String NOT_TOUCHED = "not-touched";
  public static final String UNDONE = "undone";
  public static final String BETWEEN_LAYOUTS = "between-layouts";

  /**
   * One undo step and how it went.
   *
   * @param result {@code done}, {@code failed} (with the driver's error) or {@code skipped} (it
   *     needed a step that failed)
   */
  public record UndoStep(StepJson step, String result, String error) {}

  /** A GPU whose plan ended without a failed step: {@code outcome} for all but no-ops. */
  static GpuResult of(GpuPlan plan, String outcome) {
    return new GpuResult(
        plan.gpu(),
        plan.isNoop(),
        plan.steps().stream().map(StepJson::of).toList(),
        plan.isNoop() ? UNCHANGED : outcome,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** A GPU whose step failed, with its undo. */
  static GpuResult failed(
      GpuPlan plan,
      StepJson failedStep,
      String error,
      List<UndoStep> undo,
      GpuStateJson state,
      List<String> missing,
      List<String> extra) {
    boolean undone = missing.isEmpty() && extra.isEmpty();
    return new GpuResult(
        plan.gpu(),
        false,
        plan.steps().stream().map(StepJson::of).toList(),
        undone ? UNDONE : BETWEEN_LAYOUTS,
        failedStep,
        error,
        List.copyOf(undo),
        state,
        undone ? null : List.copyOf(missing),
        undone ? null : List.copyOf(extra));
  }
}
