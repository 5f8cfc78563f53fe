package io.migctl.core.replay;

import java.util.List;

/**
 * The documented rule that gives tenants to a trace that names none (MISO's workload, Alibaba's
 * v2023 pod list): job {@code id} belongs to tenant {@code t<k>}, {@code k = 1 + (mix(id) mod n)},
 * where {@code mix} is SplitMix64's finaliser (Steele, Lea and Flood, 2014) of the job's number in
 * the trace.
 *
 * <p>Why a hash of the id and not arrival round-robin: a job keeps its tenant whatever the arrival
 * order (MISO draws a new order per seed, so each seed replays the same tenants' work), whatever
 * other jobs are cut away, and the hash spreads job sizes over tenants as they come in the trace,
 * so each tenant's mix of short and long, small and large jobs is the trace's own. Counts are
 * roughly, not exactly, equal (MISO's 100 jobs over 2 tenants: 48 and 52).
 */
public final class TenantAssignment {

  /** The most tenants the rule hands out. */
  public static final int MAX_TENANTS = 1000;

  private TenantAssignment() {}

  /** The tenant of job {@code id} among {@code n}. */
  public static String tenantOf(int id, int n) {
    check(n);
    long z = id + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return "t" + (1 + Math.floorMod(z, n));
  }

  /** {@code jobs}, each given to its tenant of {@code n} by {@link #tenantOf}. */
  public static List<SimJob> assign(List<SimJob> jobs, int n) {
    check(n);
    return jobs.stream().map(j -> j.withTenant(tenantOf(j.id(), n))).toList();
  }

  private static void check(int n) {
    if (n < 1 || n > MAX_TENANTS) {
      throw new IllegalArgumentException(
          "the number of tenants must be 1 to " + MAX_TENANTS + ", was " + n);
    }
  }
}
