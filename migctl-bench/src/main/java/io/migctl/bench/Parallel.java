package io.migctl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs numbered tasks on a number of platform threads that take the next number until none is left,
 * and times the run: from the moment all threads are ready to the moment the last task is done.
 * Also records when each task finished, in order of finishing, to tell whether the rate held.
 */
final class Parallel {

  /** A task; {@code index} runs from 0 to {@code count - 1}, each exactly once. */
  @FunctionalInterface
  interface Task {
    void run(int index) throws Exception;
  }

  /**
   * How a run went.
   *
   * @param startNanos {@link System#nanoTime} when the threads were released
   * @param finishedNanos {@link System#nanoTime} at each task's end, in the order they ended
   */
  record Run(long startNanos, long[] finishedNanos) {

    int count() {
      return finishedNanos.length;
    }

    long elapsedNanos() {
      return finishedNanos.length == 0 ? 0 : finishedNanos[finishedNanos.length - 1] - startNanos;
    }

    /** Tasks per second over the whole run. */
    double perSecond() {
      return rate(count(), elapsedNanos());
    }

    private static double rate(int tasks, long nanos) {
      return nanos <= 0 ? Double.NaN : tasks * 1e9 / nanos;
    }
  }

  private Parallel() {}

  /**
   * Runs tasks 0 to {@code count - 1} on {@code threads} threads.
   *
   * @throws IllegalStateException wrapping the first task failure (the other threads then stop
   *     taking tasks)
   */
  static Run run(int threads, int count, Task task) throws InterruptedException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    long[] finished = new long[count];
    long[] start = new long[1];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CyclicBarrier go = new CyclicBarrier(threads, () -> start[0] = System.nanoTime());
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .name("bench-client-" + t)
              .start(
                  () -> {
                    try {
                      go.await();
                      for (int i = next.getAndIncrement();
                          i < count && failure.get() == null;
                          i = next.getAndIncrement()) {
                        task.run(i);
                        long now = System.nanoTime();
                        finished[done.getAndIncrement()] = now;
                      }
                    } catch (InterruptedException | BrokenBarrierException e) {
                      failure.compareAndSet(null, e);
                      Thread.currentThread().interrupt();
                    } catch (Exception | Error e) {
                      failure.compareAndSet(null, e);
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
    Throwable f = failure.get();
    if (f != null) {
      throw new IllegalStateException("a task failed: " + f, f);
    }
    // Tasks finishing at nearly the same time may have taken their slots out of clock order.
    java.util.Arrays.sort(finished);
    return new Run(start[0], finished);
  }
}
