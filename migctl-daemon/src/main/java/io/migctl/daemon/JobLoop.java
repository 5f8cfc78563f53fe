package io.migctl.daemon;

import io.migctl.core.job.Job;
import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The job runtime's event loop: its {@link JobThread}, its {@link Timers}, and the scheduling
 * rounds it runs when asked and on every tick (aging makes jobs eligible, foreign processes come
 * and go, without an event saying so). Asking for a round while one is already waiting to run asks
 * for nothing more.
 *
 * <p>Jobs stored by other threads ({@link #arrived}) are handed to the tracker on the job thread
 * before any task runs there, so a task about a job (a cancel, say) always finds it tracked, as it
 * was stored, and nothing reads a new job back from the store.
 */
final class JobLoop implements AutoCloseable {

  private final JobThread thread;
  private final Timers timers;
  private final Duration tick;
  private final AtomicBoolean roundQueued = new AtomicBoolean();
  private final Queue<Job> arrivals = new ConcurrentLinkedQueue<>();
  private volatile Runnable round = () -> {};
  private volatile Consumer<Job> tracker;

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

  /**
   * Starts the rounds: one now, one every tick, and one whenever {@link #requestRound} asks.
   *
   * @param track gets each job that {@link #arrived}, on the job thread, before the task that
   *     follows its arrival; jobs that arrive before this call wait for it
   */
  void start(Consumer<Job> track, Runnable scheduleRound) {
    this.round = Objects.requireNonNull(scheduleRound, "scheduleRound");
    this.tracker = Objects.requireNonNull(track, "track");
    timers.every(tick, tick, this::requestRound);
    requestRound();
  }

  /**
   * Takes a job just stored as queued: the tracker gets it before the next task on the job thread,
   * and a round follows. Call it before anyone else can learn the job's id.
   */
  void arrived(Job job) {
    arrivals.add(job);
    requestRound();
  }

  /** Asks for a scheduling round on the job thread, soon. */
  void requestRound() {
    if (roundQueued.compareAndSet(false, true)) {
      post(
          () -> {
            roundQueued.set(false);
            round.run();
          });
    }
  }

  void post(Runnable work) {
    thread.post(
        () -> {
          trackArrivals();
          work.run();
        });
  }

  <T> T call(Supplier<T> work) {
    return thread.call(
        () -> {
          trackArrivals();
          return work.get();
        });
  }

  private void trackArrivals() {
    Consumer<Job> track = tracker;
    if (track == null) {
      return;
    }
    for (Job job = arrivals.poll(); job != null; job = arrivals.poll()) {
      track.accept(job);
    }
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
