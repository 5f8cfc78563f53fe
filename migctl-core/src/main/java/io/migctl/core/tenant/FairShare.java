package io.migctl.core.tenant;

import io.migctl.core.job.TenantLoad;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Weighted dominant-resource fairness (Ghodsi et al., NSDI 2011) over the node's two scarce
 * resources: compute slices and GPU memory. A tenant's dominant share is the larger of its share of
 * the node's compute slices and its share of the node's GPU memory; divided by its weight, it says
 * how far ahead of its due the tenant is. Between tenants with waiting work, the one furthest
 * behind goes first. The daemon's scheduler orders tenants by the same share ({@link
 * TenantLoad#dominantShareOf}) and the same ties.
 */
public final class FairShare {

  private FairShare() {}

  /** What a tenant's running jobs hold, or what a node has in all. */
  public record Usage(int slices, long memoryMiB) {

    public static final Usage ZERO = new Usage(0, 0);

    public Usage {
      if (slices < 0 || memoryMiB < 0) {
        throw new IllegalArgumentException(
            "usage must not be negative: " + slices + " slices, " + memoryMiB + " MiB");
      }
    }

    public Usage plus(Usage other) {
      return new Usage(slices + other.slices, memoryMiB + other.memoryMiB);
    }

    public Usage minus(Usage other) {
      return new Usage(slices - other.slices, memoryMiB - other.memoryMiB);
    }

    /** As the scheduler counts it, without running jobs. */
    TenantLoad load() {
      return new TenantLoad(slices, memoryMiB, 0);
    }
  }

  /**
   * The tenant's dominant share divided by its weight: 0 when it holds nothing; a node with no
   * capacity of a kind makes that kind count for nothing.
   */
  public static double weightedDominantShare(Usage used, Usage capacity, int weight) {
    return used.load().dominantShareOf(capacity.load()) / weight;
  }

  /**
   * The tenants in the order their waiting work should be offered the node: lowest weighted
   * dominant share first; equal shares by {@code ties}, then by name, so the order is total and
   * repeatable.
   *
   * <p>Equal shares are common, not a corner: on a node whose devices free one at a time, every
   * tenant may hold nothing when the next device is offered. Breaking such ties by weight or by
   * name would hand every such device to the same tenant and starve the others; callers pass the
   * age of each tenant's oldest waiting job, so that ties go first come, first served.
   *
   * @param tenants the tenants with waiting work
   * @param usage what each tenant's running jobs hold; a tenant not in it holds nothing
   * @param capacity what the node has in all
   * @param ties the order among tenants whose shares are equal (oldest waiting work first)
   */
  public static List<Tenant> order(
      Collection<Tenant> tenants,
      Map<String, Usage> usage,
      Usage capacity,
      Comparator<Tenant> ties) {
    List<Tenant> out = new ArrayList<>(tenants);
    out.sort(
        Comparator.comparingDouble(
                (Tenant t) ->
                    weightedDominantShare(
                        usage.getOrDefault(t.name(), Usage.ZERO), capacity, t.weight()))
            .thenComparing(ties)
            .thenComparing(Tenant::name));
    return out;
  }
}
