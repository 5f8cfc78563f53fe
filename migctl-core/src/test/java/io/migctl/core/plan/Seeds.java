package io.migctl.core.plan;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of the randomised tests: {@code -Dmigctl.seed=N} replays a run, otherwise each run draws
 * a fresh one. Tests print it in every failure message.
 */
final class Seeds {

  private static final long SEED = initial();

  private Seeds() {}

  static long seed() {
    return SEED;
  }

  private static long initial() {
    String text = System.getProperty("migctl.seed");
    if (text == null || text.isBlank()) {
      return ThreadLocalRandom.current().nextLong();
    }
    return Long.parseLong(text.strip());
  }
}
