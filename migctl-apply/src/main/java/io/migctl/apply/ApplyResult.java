package io.migctl.apply;

import io.migctl.core.mig.change.GpuPlan;
import java.util.List;
import java.util.Optional;

/**
 * What an apply did.
 *
 * @param plans every matched GPU's plan (no-ops included)
 * @param refusals reasons GPUs could not be planned without harm; when any, nothing was changed
 * @param failure when a driver step failed: the step, the driver's error, what the undo reached on
 *     that GPU and what became of the other GPUs, in one message
 * @param operations the driver operations of the plans that were performed (undo steps not counted)
 * @param gpus per GPU: its steps and its outcome
 */
public record ApplyResult(
    List<GpuPlan> plans,
    List<String> refusals,
    Optional<String> failure,
    int operations,
    List<GpuResult> gpus) {

  public ApplyResult {
    plans = List.copyOf(plans);
    refusals = List.copyOf(refusals);
    gpus = List.copyOf(gpus);
  }

  /** Whether every GPU now is as desired. */
  public boolean succeeded() {
    return refusals.isEmpty() && failure.isEmpty();
  }
}
