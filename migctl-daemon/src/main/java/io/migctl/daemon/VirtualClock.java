package io.migctl.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until it is moved: the time of the job runtime on virtual time ({@link
 * VirtualTimers} moves it). Safe to read from any thread.
 */
public final class VirtualClock extends Clock {

  private volatile Instant now;

  public VirtualClock(Instant start) {
    this.now = start;
  }

  /**
   * Moves the clock to {@code to}.
   *
   * @throws IllegalArgumentException when {@code to} is before now: virtual time only goes forward
   */
  void set(Instant to) {
    if (to.isBefore(now)) {
      throw new IllegalArgumentException("virtual time goes forward only: " + to + " < " + now);
    }
    now = to;
  }

  /** Moves the clock forward by {@code by}. */
  void advance(Duration by) {
    set(now.plus(by));
  }

  /** How long since {@code start}. */
  public Duration since(Instant start) {
    return Duration.between(start, now);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a virtual clock is in UTC");
  }
}
