package io.migctl.daemon.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One value read from the daemon's database, shared by every reader until the next write that may
 * change it: the writes go through {@link #write}, which counts them, and a value is kept with the
 * count it was read under. Only the daemon writes its database (it holds the home's lock), so
 * nothing else changes what is kept.
 *
 * <p>A value read while a write runs is tagged with the count from before the write and so is read
 * again after it; a reader never gets a value older than the last write that has returned.
 * Thread-safe; the value must be immutable.
 *
 * @param <T> what is read
 */
final class ReadCache<T> {

  /** A count of writes, which several caches may share when a write changes what each keeps. */
  static final class Writes {
    private final AtomicLong count = new AtomicLong();
  }

  private final AtomicLong writes;
  private volatile Tagged<T> last;

  /** A cache whose value only its own {@link #write}s change. */
  ReadCache() {
    this(new Writes());
  }

  /** A cache whose value the writes of every cache sharing {@code writes} may change. */
  ReadCache(Writes writes) {
    this.writes = writes.count;
  }

  private record Tagged<T>(long writes, T value) {}

  /** The value read since the last write, or {@code read}'s answer now. */
  T get(Supplier<T> read) {
    long now = writes.get();
    Tagged<T> known = last;
    if (known != null && known.writes() == now) {
      return known.value();
    }
    T value = read.get();
    last = new Tagged<>(now, value);
    return value;
  }

  /** Runs a write that may change the value; counted whether it commits or fails. */
  <R> R write(Supplier<R> write) {
    try {
      return write.get();
    } finally {
      writes.incrementAndGet();
    }
  }
}
