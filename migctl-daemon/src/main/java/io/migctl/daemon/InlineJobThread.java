package io.migctl.daemon;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@link JobThread} that runs work on the caller's thread, for the job runtime on virtual time:
 * work posted while other work runs is queued and run after it, in order, as on a real job thread,
 * and {@link #call} runs what is queued, then its work, then what that posted. So when a call
 * returns, the runtime has settled.
 *
 * <p>Confined to one thread (the test's). A posted task that throws does not stop the others: its
 * exception is kept for {@link #failures}, which a test asserts empty.
 */
public final class InlineJobThread implements JobThread {

  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final List<RuntimeException> failures = new ArrayList<>();
  private boolean running;
  private boolean closed;

  @Override
  public void post(Runnable work) {
    if (closed) {
      return;
    }
    queue.add(work);
    if (!running) {
      drain();
    }
  }

  @Override
  public <T> T call(Supplier<T> work) {
    if (closed) {
      throw new DaemonException(503, "unavailable", "the daemon is stopping");
    }
    if (running) {
      return work.get();
    }
    drain();
    running = true;
    try {
      return work.get();
    } finally {
      running = false;
      drain();
    }
  }

  /** What posted tasks threw, oldest first. */
  public List<RuntimeException> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }

  private void drain() {
    running = true;
    try {
      Runnable next;
      while ((next = queue.poll()) != null) {
        try {
          next.run();
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
    } finally {
      running = false;
    }
  }
}
