package io.migctl.core.replay;

import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Weighted round-robin across tenants, FIFO within a tenant: rounds over the waiting tenants by
 * name, each taking up to its weight of its oldest jobs a round. Unlike {@link WeightedDrf} it
 * ignores what tenants already hold, so it is the baseline that shows what counting holdings adds.
 */
final class WeightedRoundRobin implements Fairness {

  private final TenantDirectory tenants;

  /**
   * @param weights tenant name to weight; a tenant not named has the default weight
   */
  WeightedRoundRobin(Map<String, Integer> weights) {
    this.tenants = TenantWeights.directory(weights);
  }

  @Override
  public String name() {
    return "round-robin";
  }

  @Override
  public List<SimJob> order(List<SimJob> waiting, Node node) {
    Map<String, List<SimJob>> queues = new TreeMap<>(Fairness.byTenant(waiting));
    if (queues.size() < 2) {
      return waiting;
    }
    List<SimJob> out = new ArrayList<>(waiting.size());
    for (int round = 0; out.size() < waiting.size(); round++) {
      for (Map.Entry<String, List<SimJob>> e : queues.entrySet()) {
        int weight = tenants.resolve(e.getKey()).weight();
        List<SimJob> q = e.getValue();
        for (int i = round * weight; i < Math.min(q.size(), (round + 1) * weight); i++) {
          out.add(q.get(i));
        }
      }
    }
    return out;
  }
}
