package io.migctl.daemon;

import io.migctl.core.plan.ReshapeGate;
import java.util.Objects;

/**
 * Dynamic repartitioning: when a queued job fits no free MIG device but would fit if idle instances
 * of a GPU were reshaped, the daemon reshapes them (never a busy one) through the same planner as
 * {@code migctl mig apply}.
 *
 * @param enabled whether the daemon reshapes at all ({@code migctl serve --repartition})
 * @param gate when a GPU may be reshaped: the {@link ReshapeGate} the trace simulator runs too
 */
public record Repartition(boolean enabled, ReshapeGate.Params gate) {

  /** No reshaping. */
  public static final Repartition OFF = new Repartition(false, ReshapeGate.Params.DEFAULTS);

  /** Reshaping with the gate's defaults. */
  public static final Repartition ON = new Repartition(true, ReshapeGate.Params.DEFAULTS);

  public Repartition {
    Objects.requireNonNull(gate, "gate");
  }
}
