package io.migctl.core.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long each GPU waits before its next reshape after reshapes of it failed: {@link #FIRST} after
 * the first failure, doubling with each further one up to {@link #MAX}, and nothing after a success
 * (a streak ends). A driver error that keeps recurring is then tried a handful of times a minute at
 * first and once per {@link #MAX} after, instead of in a loop.
 *
 * <p>Immutable: every change returns a new value. A pure decision over the times it is given.
 *
 * @param streaks the GPUs whose last reshape failed, by index
 */
public record ReshapeBackoff(Map<Integer, Streak> streaks) {

  /** The wait after a GPU's first failed reshape. */
  public static final Duration FIRST = Duration.ofSeconds(2);

  /** The longest wait, however many reshapes failed in a row. */
  public static final Duration MAX = Duration.ofMinutes(5);

  /** No GPU waits. */
  public static final ReshapeBackoff NONE = new ReshapeBackoff(Map.of());

  public ReshapeBackoff {
    streaks = Map.copyOf(streaks);
  }

  /**
   * Failed reshapes of one GPU in a row.
   *
   * @param failures how many
   * @param since when the first of them failed
   * @param retryAt when the GPU may be reshaped again
   */
  public record Streak(int failures, Instant since, Instant retryAt) {}

  /** The wait after {@code failures} failed reshapes in a row (at least 1). */
  public static Duration delay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, was " + failures);
    }
    Duration wait = FIRST;
    for (int i = 1; i < failures && wait.compareTo(MAX) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(MAX) > 0 ? MAX : wait;
  }

  /** After a reshape of {@code gpu} failed at {@code now}. */
  public ReshapeBackoff failed(int gpu, Instant now) {
    Map<Integer, Streak> next = new HashMap<>(streaks);
    Streak before = streaks.get(gpu);
    int failures = before == null ? 1 : before.failures() + 1;
    Instant since = before == null ? now : before.since();
    next.put(gpu, new Streak(failures, since, now.plus(delay(failures))));
    return new ReshapeBackoff(next);
  }

  /** After a reshape of {@code gpu} succeeded: its streak ends. */
  public ReshapeBackoff succeeded(int gpu) {
    if (!streaks.containsKey(gpu)) {
      return this;
    }
    Map<Integer, Streak> next = new HashMap<>(streaks);
    next.remove(gpu);
    return new ReshapeBackoff(next);
  }

  /** The current streak of {@code gpu}, if its last reshape failed. */
  public Optional<Streak> streak(int gpu) {
    return Optional.ofNullable(streaks.get(gpu));
  }

  /** How long {@code gpu} must still wait at {@code now}; empty when it may be reshaped. */
  public Optional<Duration> waitLeft(int gpu, Instant now) {
    Streak s = streaks.get(gpu);
    if (s == null || !now.isBefore(s.retryAt())) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, s.retryAt()));
  }

  /** The shortest wait of any GPU still waiting at {@code now}. */
  public Optional<Duration> soonest(Instant now) {
    return streaks.keySet().stream()
        .map(gpu -> waitLeft(gpu, now))
        .flatMap(Optional::stream)
        .min(Duration::compareTo);
  }
}
