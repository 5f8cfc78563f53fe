package io.migctl.nvidia.sim;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps the simulated node's state in this process only; for tests and throw-away nodes. An update
 * works on a deep copy that replaces the state only when the change returns, so a change that
 * throws leaves nothing behind, as with the file store.
 */
final class InMemorySimStateStore implements SimStateStore {

  private final Supplier<SimState> initial;
  private SimState current;

  InMemorySimStateStore(Supplier<SimState> initial) {
    this.initial = initial;
  }

  @Override
  public synchronized <T> T read(Function<SimState, T> reader) {
    return reader.apply(load());
  }

  @Override
  public synchronized <T> T update(Function<SimState, T> change) {
    SimState state = load().copy();
    T result = change.apply(state);
    current = state;
    return result;
  }

  @Override
  public synchronized void clear() {
    current = null;
  }

  private SimState load() {
    if (current == null) {
      current = initial.get();
    }
    return current;
  }
}
