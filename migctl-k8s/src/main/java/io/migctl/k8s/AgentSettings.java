package io.migctl.k8s;

import java.time.Duration;

/**
 * How the agent behaves.
 *
 * @param pendingDeadline how long a change blocked by busy devices stays {@code pending} before it
 *     is {@code failed}
 * @param podsGoneTimeout how long to wait for the paused clients' pods to go
 * @param podsPoll how often to look whether they have gone
 * @param dryRun decide and say what would be done; change nothing
 */
public record AgentSettings(
    Duration pendingDeadline, Duration podsGoneTimeout, Duration podsPoll, boolean dryRun) {

  /** The defaults: 30 minutes pending, 5 minutes for pods to go, polled every second. */
  public static AgentSettings defaults() {
    return new AgentSettings(
        Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofSeconds(1), false);
  }

  public AgentSettings withPodsPoll(Duration value) {
    return new AgentSettings(pendingDeadline, podsGoneTimeout, value, dryRun);
  }

  public AgentSettings withDryRun(boolean value) {
    return new AgentSettings(pendingDeadline, podsGoneTimeout, podsPoll, value);
  }
}
