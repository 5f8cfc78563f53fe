package io.migctl.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * {@link Timers} on virtual time: tasks wait in a queue until {@link #advance} moves the {@link
 * VirtualClock} past them, and then run on the caller's thread, in the order they are due (in the
 * order they were set, for equal times), with the clock at their due time. Confined to one thread.
 */
public final class VirtualTimers implements Timers {

  private record Entry(Instant due, long seq, Optional<Duration> period, Runnable task) {}

  private final VirtualClock clock;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>(Comparator.comparing(Entry::due).thenComparingLong(Entry::seq));
  private long seq;
  private boolean closed;

  public VirtualTimers(VirtualClock clock) {
    this.clock = clock;
  }

  public VirtualClock clock() {
    return clock;
  }

  @Override
  public void after(Duration after, Runnable task) {
    add(after, Optional.empty(), task);
  }

  @Override
  public void every(Duration first, Duration period, Runnable task) {
    if (!period.isPositive()) {
      throw new IllegalArgumentException("a period must be positive, was " + period);
    }
    add(first, Optional.of(period), task);
  }

  /**
   * Moves the clock forward by {@code by}, running each task that falls due on the way at its time.
   */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("virtual time goes forward only, was " + by);
    }
    Instant until = clock.instant().plus(by);
    while (!closed && !queue.isEmpty() && !queue.peek().due().isAfter(until)) {
      Entry next = queue.poll();
      if (next.due().isAfter(clock.instant())) {
        clock.set(next.due());
      }
      next.task().run();
      next.period().ifPresent(p -> add(p, Optional.of(p), next.task()));
    }
    clock.set(until);
  }

  /** When the tasks not yet run are due, soonest first. */
  public List<Instant> pending() {
    List<Entry> entries = new ArrayList<>(queue);
    entries.sort(queue.comparator());
    return entries.stream().map(Entry::due).toList();
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }

  private void add(Duration after, Optional<Duration> period, Runnable task) {
    if (closed) {
      return;
    }
    Duration d = after.isNegative() ? Duration.ZERO : after;
    queue.add(new Entry(clock.instant().plus(d), seq++, period, task));
  }
}
