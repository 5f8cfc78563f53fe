package io.migctl.node.mig;

import io.migctl.core.mig.plan.GpuPlan;
import java.util.List;
import java.util.Optional;

/**
 * What an apply did.
 *
 * @param plans every matched GPU's plan (no-ops included)
 * @param refusals reasons GPUs could not be planned without harm; when any, nothing was changed
 * @param failure the driver error that stopped the apply, with the step, if one did
 * @param operations the driver operations performed
 */
public record ApplyResult(
    List<GpuPlan> plans, List<String> refusals, Optional<String> failure, int operations) {

  public ApplyResult {
    plans = List.copyOf(plans);
    refusals = List.copyOf(refusals);
  }

  /** Whether every GPU now is as desired. */
  public boolean succeeded() {
    return refusals.isEmpty() && failure.isEmpty();
  }
}
