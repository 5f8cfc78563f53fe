package io.migctl.core.mig;

import java.util.List;

/** Whether a set of profile counts can be placed on a GPU, and where. */
public sealed interface Feasibility {

  /** Every instance found a placement; {@code placed} lists the new instances by start slice. */
  record Placeable(List<PlacedInstance> placed) implements Feasibility {
    public Placeable {
      placed = List.copyOf(placed);
    }
  }

  /** No placement exists; {@code reason} says why in words. */
  record Unplaceable(String reason) implements Feasibility {}

  default boolean isPlaceable() {
    return this instanceof Placeable;
  }
}
