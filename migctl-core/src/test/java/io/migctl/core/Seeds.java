package io.migctl.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of the randomised tests: {@code -Dmigctl.seed=N} replays a run, otherwise each run draws
 * a fresh one. Tests print it in every failure message.
 */
public final class Seeds {

  private static final long SEED = initial();

  private Seeds() {}

  public static long seed() {
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
