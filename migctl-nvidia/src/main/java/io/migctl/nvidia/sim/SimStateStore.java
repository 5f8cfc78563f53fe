package io.migctl.nvidia.sim;

import java.util.function.Function;

/**
 * Where the simulated node keeps its state. Each call is one transaction: it sees the latest state
 * and, for {@link #update}, makes its changes durable before returning; when the function throws,
 * nothing is kept.
 */
interface SimStateStore {

  /** Runs {@code reader} on the current state; it must not change it. */
  <T> T read(Function<SimState, T> reader);

  /** Runs {@code change} on the current state and keeps the result. */
  <T> T update(Function<SimState, T> change);

  /** Forgets the state; the next call starts from the initial state. */
  void clear();
}
