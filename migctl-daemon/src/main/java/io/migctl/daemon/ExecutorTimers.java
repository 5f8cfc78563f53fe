package io.migctl.daemon;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** {@link Timers} on real time: one scheduled-executor daemon thread. */
public final class ExecutorTimers implements Timers {

  private static final Logger LOG = Logger.getLogger(ExecutorTimers.class.getName());

  private final ScheduledExecutorService timers;

  /**
   * @param name the timer thread's name, as thread dumps show it
   */
  public ExecutorTimers(String name) {
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name(name).daemon().factory());
  }

  @Override
  public void after(Duration after, Runnable task) {
    try {
      timers.schedule(task, Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.fine("daemon is stopping; dropped a timer");
    }
  }

  @Override
  public void every(Duration first, Duration period, Runnable task) {
    timers.scheduleWithFixedDelay(
        task, Math.max(0, first.toMillis()), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timers.shutdownNow();
  }
}
