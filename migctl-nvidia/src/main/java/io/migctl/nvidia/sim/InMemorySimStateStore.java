package io.migctl.nvidia.sim;

import java.util.function.Function;
import java.util.function.Supplier;

/** Keeps the simulated node's state in this process only; for tests and throw-away nodes. */
final class InMemorySimStateStore implements SimStateStore {

  private final SimStateCodec codec = new SimStateCodec();
  private final Supplier<SimState> initial;
  private byte[] current;

  InMemorySimStateStore(Supplier<SimState> initial) {
    this.initial = initial;
  }

  @Override
  public synchronized <T> T read(Function<SimState, T> reader) {
    return reader.apply(load());
  }

  @Override
  public synchronized <T> T update(Function<SimState, T> change) {
    SimState state = load();
    T result = change.apply(state);
    current = codec.write(state);
    return result;
  }

  @Override
  public synchronized void clear() {
    current = null;
  }

  private SimState load() {
    return current == null ? initial.get() : codec.read(current, "memory");
  }
}
