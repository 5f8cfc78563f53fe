package io.migctl.daemon;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The job runtime's event loop: its {@link JobThread}, its {@link Timers}, and the scheduling
 * rounds it runs when asked and on every tick (aging makes jobs eligible, foreign processes come
 * and go, without an event saying so). Asking for a round while one is already waiting to run asks
 * for nothing more.
 */
final class JobLoop implements AutoCloseable {

  private final JobThread thread;
  private final Timers timers;
  private final Duration tick;
  private final AtomicBoolean roundQueued = new AtomicBoolean();
  private volatile Runnable round = () -> {};

  /**
   * @param tick how often a round runs even when nothing asked for one
   */
  JobLoop(JobThread thread, Timers timers, Duration tick) {
    this.thread = Objects.requireNonNull(thread, "thread");
    this.timers = Objects.requireNonNull(timers, "timers");
    if (!tick.isPositive()) {
      throw new IllegalArgumentException("the tick must be positive, was " + tick);
    }
    this.tick = tick;
  }

  /** Starts the rounds: one now, one every tick, and one whenever {@link #requestRound} asks. */
  void start(Runnable scheduleRound) {
    this.round = Objects.requireNonNull(scheduleRound, "scheduleRound");
    timers.every(tick, tick, this::requestRound);
    requestRound();
  }

  /** Asks for a scheduling round on the job thread, soon. */
  void requestRound() {
    if (roundQueued.compareAndSet(false, true)) {
      thread.post(
          () -> {
            roundQueued.set(false);
            round.run();
          });
    }
  }

  void post(Runnable work) {
    thread.post(work);
  }

  <T> T call(Supplier<T> work) {
    return thread.call(work);
  }

  /** Runs {@code work} on the job thread {@code after} from now. */
  void later(Duration after, Runnable work) {
    timers.after(after, () -> thread.post(work));
  }

  @Override
  public void close() {
    timers.close();
    thread.close();
  }
}
