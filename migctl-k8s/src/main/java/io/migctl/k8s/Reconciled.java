package io.migctl.k8s;

import io.migctl.core.k8s.MigConfigState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile did.
 *
 * @param config the label's config, empty when the node has none
 * @param state the state written (or, on a dry run, that would be written); empty when none
 * @param action {@code none}, {@code as-desired}, {@code invalid}, {@code blocked}, {@code
 *     applied}, {@code failed}
 * @param message one sentence for people
 * @param plan the plan's lines (a change), empty otherwise
 * @param operations driver operations performed
 * @param resetGpus the GPUs reset
 * @param paused how long the operator's clients were paused
 * @param pausedClients the clients paused
 * @param dryRun whether nothing was changed on purpose
 */
public record Reconciled(
    Optional<String> config,
    Optional<MigConfigState> state,
    String action,
    String message,
    List<String> plan,
    int operations,
    List<Integer> resetGpus,
    Duration paused,
    List<String> pausedClients,
    boolean dryRun) {

  public Reconciled {
    plan = List.copyOf(plan);
    resetGpus = List.copyOf(resetGpus);
    pausedClients = List.copyOf(pausedClients);
  }

  /** Whether the node now has its config ({@code success}). */
  public boolean converged() {
    return state.equals(Optional.of(MigConfigState.SUCCESS)) || action.equals("none");
  }
}
