package io.migctl.core.replay;

import io.migctl.core.tenant.FairShare;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted dominant-resource fairness across tenants, FIFO within a tenant: the rule of {@link
 * FairShare#order}, the one the daemon's scheduler uses, so the simulator and the daemon share it.
 *
 * <p>Algorithm (progressive filling): start from what each tenant holds; repeatedly offer the next
 * place in the order to the tenant {@link FairShare#order} puts first among those still waiting,
 * take that tenant's oldest job, and count the job's {@linkplain Fairness.Node#demand demand}
 * against the tenant as if it had started. The placement policy then walks this order; a job it
 * skips (no free slice fits) was counted nonetheless, which favours the other tenants in the rest
 * of that pass and never the tenant that got nothing. Cost: O(jobs × tenants log tenants) per pass.
 */
final class WeightedDrf implements Fairness {

  private final TenantDirectory tenants;

  /**
   * @param weights tenant name to weight; a tenant not named has the default weight
   */
  WeightedDrf(Map<String, Integer> weights) {
    this.tenants = TenantWeights.directory(weights);
  }

  @Override
  public String name() {
    return "drf";
  }

  @Override
  public List<SimJob> order(List<SimJob> waiting, Node node) {
    Map<String, List<SimJob>> queues = Fairness.byTenant(waiting);
    if (queues.size() < 2) {
      return waiting;
    }
    Map<String, Tenant> waitingTenants = new HashMap<>();
    Map<String, Integer> next = new HashMap<>();
    for (String name : queues.keySet()) {
      waitingTenants.put(name, tenants.resolve(name));
      next.put(name, 0);
    }
    Map<String, FairShare.Usage> usage = new HashMap<>(node.held());
    List<SimJob> out = new ArrayList<>(waiting.size());
    while (out.size() < waiting.size()) {
      Tenant first =
          FairShare.order(
                  waitingTenants.values(),
                  usage,
                  node.capacity(),
                  Comparator.comparingDouble(
                      (Tenant t) -> queues.get(t.name()).get(next.get(t.name())).arrival()))
              .get(0);
      List<SimJob> q = queues.get(first.name());
      int i = next.merge(first.name(), 1, Integer::sum) - 1;
      SimJob job = q.get(i);
      out.add(job);
      usage.merge(first.name(), node.demand(job), FairShare.Usage::plus);
      if (i + 1 == q.size()) {
        waitingTenants.remove(first.name());
      }
    }
    return out;
  }
}
