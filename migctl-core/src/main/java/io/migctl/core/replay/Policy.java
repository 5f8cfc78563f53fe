package io.migctl.core.replay;

import io.migctl.core.mig.PlacedInstance;
import java.util.List;

/**
 * A scheduling policy of the simulation: the layout every GPU starts with, and what to do after
 * every batch of events (start queued jobs on free slices, reshape idle instances).
 */
public interface Policy {

  /** The policy's name in reports, e.g. {@code static:3+2+2}. */
  String name();

  /** The layout each GPU starts with. */
  List<PlacedInstance> initialLayout(SimProfiles profiles);

  /**
   * The layout GPU {@code gpu} starts with; by default {@link #initialLayout(SimProfiles)} on every
   * GPU. A policy with a layout per GPU overrides it.
   */
  default List<PlacedInstance> initialLayout(SimProfiles profiles, int gpu) {
    return initialLayout(profiles);
  }

  /** Called after every batch of simultaneous events; acts through {@code sim}. */
  void schedule(Simulation sim);

  /**
   * A policy like this one, ready for another run: a policy that keeps state between calls of
   * {@link #schedule} returns a new one with the same parameters; a stateless one, itself.
   */
  default Policy fresh() {
    return this;
  }
}
