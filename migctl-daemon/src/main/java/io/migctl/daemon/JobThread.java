package io.migctl.daemon;

import java.util.function.Supplier;

/**
 * The job runtime's one thread: transitions and scheduling rounds run on it, in the order they were
 * posted, so two decisions never race. A port: {@link ExecutorJobThread} is a platform thread;
 * {@link InlineJobThread} runs the work on the caller's thread, for tests on virtual time.
 */
public interface JobThread extends AutoCloseable {

  /** Runs {@code work} on the job thread after what was posted before; never waits for it. */
  void post(Runnable work);

  /**
   * Runs {@code work} on the job thread after what was posted before, and waits for its result.
   *
   * @throws RuntimeException what {@code work} threw
   */
  <T> T call(Supplier<T> work);

  /** Stops taking work; what was posted before still runs (within a bound). */
  @Override
  void close();
}
