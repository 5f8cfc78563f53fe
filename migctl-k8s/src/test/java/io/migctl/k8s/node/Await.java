package io.migctl.k8s.node;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for something another thread or process makes true, failing after a generous deadline. */
public final class Await {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(20);

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after 30 s. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, condition, () -> "");
  }

  /**
   * Returns once {@code condition} holds; fails after 30 s naming {@code what} and what {@code
   * state} says then.
   */
  public static void until(String what, BooleanSupplier condition, Supplier<?> state) {
    Instant end = Instant.now().plus(DEADLINE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError(
            "not within " + DEADLINE.toSeconds() + " s: " + what + " " + state.get());
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }
}
