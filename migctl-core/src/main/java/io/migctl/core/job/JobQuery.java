package io.migctl.core.job;

import java.util.Optional;
import java.util.Set;

/**
 * A filter over jobs: any of the states (all when empty), one tenant, one name; newest first, at
 * most {@code limit}.
 */
public record JobQuery(
    Set<JobState> states, Optional<String> tenant, Optional<String> name, int limit) {

  public static final int MAX_LIMIT = 10_000;

  public JobQuery {
    states = Set.copyOf(states);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must lie between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  public static JobQuery all() {
    return new JobQuery(Set.of(), Optional.empty(), Optional.empty(), MAX_LIMIT);
  }
}
