package io.migctl.core.replay;

import io.migctl.core.tenant.FairShare;
import io.migctl.core.tenant.Tenant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Measures, per tenant, how much of its due it held while it had work: the {@code x} of the
 * report's Jain index.
 *
 * <p>At every instant a tenant has work (jobs waiting, running or reserved), its due is the smaller
 * of its weighted fair share (its weight over the weights of all tenants with work) and what it
 * asks for (the dominant share of what it holds plus the {@linkplain Fairness.Node#demand demand}
 * of its waiting jobs); its satisfaction is min(1, the dominant share it holds / its due), dominant
 * shares as {@link FairShare#weightedDominantShare} computes them at weight 1. A tenant holding all
 * it asks for, or its weighted share, is satisfied (a wait then is its own queue's); one that waits
 * holding nothing is not. Its share index is the time-average of its satisfaction over the time it
 * had work, 1 when it had none. Not thread-safe.
 */
final class ShareLedger {

  private final Map<String, Integer> weights;
  private final Map<String, Double> waited = new HashMap<>();
  private final Map<String, Double> satisfied = new HashMap<>();

  ShareLedger(Map<String, Integer> weights) {
    this.weights = Map.copyOf(weights);
  }

  /**
   * Accounts {@code dt} seconds during which tenants had jobs waiting with the demands {@code
   * waiting} and the node was {@code node}.
   */
  void advance(double dt, Map<String, FairShare.Usage> waiting, Fairness.Node node) {
    Set<String> active = new HashSet<>(node.held().keySet());
    active.addAll(waiting.keySet());
    double weights = 0;
    for (String t : active) {
      weights += weight(t);
    }
    for (String t : active) {
      FairShare.Usage held = node.held().getOrDefault(t, FairShare.Usage.ZERO);
      FairShare.Usage asked = held.plus(waiting.getOrDefault(t, FairShare.Usage.ZERO));
      double due =
          Math.min(weight(t) / weights, FairShare.weightedDominantShare(asked, node.capacity(), 1));
      double share = FairShare.weightedDominantShare(held, node.capacity(), 1);
      waited.merge(t, dt, Double::sum);
      satisfied.merge(t, dt * (due == 0 ? 1 : Math.min(1, share / due)), Double::sum);
    }
  }

  /** The tenant's share index: 1 when it never had work. */
  double shareIndex(String tenant) {
    double w = waited.getOrDefault(tenant, 0.0);
    return w > 0 ? satisfied.get(tenant) / w : 1;
  }

  private int weight(String tenant) {
    return weights.getOrDefault(tenant, Tenant.DEFAULT_WEIGHT);
  }
}
