package io.migctl.core.replay;

import io.migctl.core.tenant.FairShare;
import io.migctl.core.tenant.Tenant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Measures, per tenant, how much of its weighted fair share it held while it had jobs waiting: the
 * {@code x} of the report's Jain index.
 *
 * <p>At every instant a tenant has a job waiting, its satisfaction is min(1, its dominant share of
 * the cluster ({@link FairShare#weightedDominantShare} at weight 1) / its entitlement), where the
 * entitlement is its weight over the weights of all tenants with work (waiting, running or
 * reserved). A tenant that waits while holding its entitlement is not deprived (the wait is its own
 * queue's); one that waits while holding nothing is. Its share index is the time-average of its
 * satisfaction over the time it waited, 1 when it never waited. Not thread-safe.
 */
final class ShareLedger {

  private final Map<String, Integer> weights;
  private final Map<String, Double> waited = new HashMap<>();
  private final Map<String, Double> satisfied = new HashMap<>();

  ShareLedger(Map<String, Integer> weights) {
    this.weights = Map.copyOf(weights);
  }

  /**
   * Accounts {@code dt} seconds during which {@code waiting} tenants had jobs queued and the node
   * was {@code node}.
   */
  void advance(double dt, Set<String> waiting, Fairness.Node node) {
    if (waiting.isEmpty()) {
      return;
    }
    double working = 0;
    for (String t : node.held().keySet()) {
      working += weight(t);
    }
    for (String t : waiting) {
      if (!node.held().containsKey(t)) {
        working += weight(t);
      }
    }
    for (String t : waiting) {
      double entitled = weight(t) / working;
      double share =
          FairShare.weightedDominantShare(
              node.held().getOrDefault(t, FairShare.Usage.ZERO), node.capacity(), 1);
      waited.merge(t, dt, Double::sum);
      satisfied.merge(t, dt * Math.min(1, share / entitled), Double::sum);
    }
  }

  /** The tenant's share index: 1 when it never waited. */
  double shareIndex(String tenant) {
    double w = waited.getOrDefault(tenant, 0.0);
    return w > 0 ? satisfied.get(tenant) / w : 1;
  }

  private int weight(String tenant) {
    return weights.getOrDefault(tenant, Tenant.DEFAULT_WEIGHT);
  }
}
