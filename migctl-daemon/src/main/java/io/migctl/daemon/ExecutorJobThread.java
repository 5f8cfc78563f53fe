package io.migctl.daemon;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link JobThread} of a running daemon: one platform daemon thread. A posted task that throws
 * is logged and the thread goes on; work posted after {@link #close} is dropped.
 */
public final class ExecutorJobThread implements JobThread {

  private static final Logger LOG = Logger.getLogger(ExecutorJobThread.class.getName());

  private final ExecutorService loop;

  /**
   * @param name the thread's name, as thread dumps show it
   */
  public ExecutorJobThread(String name) {
    this.loop =
        Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name).daemon().factory());
  }

  @Override
  public void post(Runnable work) {
    try {
      loop.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              LOG.log(Level.SEVERE, "job thread task failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.fine("daemon is stopping; dropped a task");
    }
  }

  @Override
  public <T> T call(Supplier<T> work) {
    Future<T> f;
    try {
      f = loop.submit(work::get);
    } catch (RejectedExecutionException e) {
      throw new DaemonException(503, "unavailable", "the daemon is stopping");
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaemonException(503, "unavailable", "interrupted while waiting for the job thread");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    loop.shutdown();
    try {
      if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
        loop.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
