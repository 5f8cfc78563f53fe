package io.migctl.daemon;

import java.time.Duration;

/**
 * When the job runtime comes back to something: a timeout, the end of a kill grace, a cooldown, the
 * tick. A port: {@link ExecutorTimers} runs tasks on a timer thread after real time passes; {@link
 * VirtualTimers} runs them when a test advances its clock.
 *
 * <p>Tasks should be quick (they post work to the {@link JobThread}).
 */
public interface Timers extends AutoCloseable {

  /** Runs {@code task} once, {@code after} from now (at once for zero or negative). */
  void after(Duration after, Runnable task);

  /** Runs {@code task} {@code first} from now, then again {@code period} after each run ends. */
  void every(Duration first, Duration period, Runnable task);

  /** Cancels every task; later ones are dropped. */
  @Override
  void close();
}
