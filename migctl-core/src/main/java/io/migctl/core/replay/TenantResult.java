package io.migctl.core.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * One tenant's share of a simulation run.
 *
 * @param tenant the tenant's name
 * @param jobs jobs of the tenant that finished
 * @param waitMean mean queueing delay (arrival to start), seconds
 * @param waitP99 99th percentile queueing delay (nearest rank), seconds
 * @param jctMean mean job completion time (arrival to finish), seconds
 * @param slowdownMean mean {@linkplain SimResult.Finished#slowdown() bounded slowdown}
 * @param shareIndex the time-average, over the time the tenant had jobs waiting, of the fraction of
 *     its weighted fair share of the cluster it held (at most 1; 1 when it never waited): the
 *     {@code x} of {@link #jain(List)}
 */
public record TenantResult(
    String tenant,
    int jobs,
    double waitMean,
    double waitP99,
    double jctMean,
    double slowdownMean,
    double shareIndex) {

  /** The tenants of {@code finished}, by name, with their share indexes from {@code shares}. */
  public static List<TenantResult> of(
      List<SimResult.Finished> finished, ToDoubleFunction<String> shares) {
    Map<String, List<SimResult.Finished>> byTenant = new TreeMap<>();
    for (SimResult.Finished f : finished) {
      byTenant.computeIfAbsent(f.tenant(), t -> new ArrayList<>()).add(f);
    }
    List<TenantResult> out = new ArrayList<>();
    byTenant.forEach(
        (tenant, list) -> {
          double[] wait = list.stream().mapToDouble(SimResult.Finished::queueing).toArray();
          double[] jct = list.stream().mapToDouble(SimResult.Finished::jct).toArray();
          double[] slowdown = list.stream().mapToDouble(SimResult.Finished::slowdown).toArray();
          out.add(
              new TenantResult(
                  tenant,
                  list.size(),
                  Simulation.mean(wait),
                  Simulation.percentile(wait, 99),
                  Simulation.mean(jct),
                  Simulation.mean(slowdown),
                  shares.applyAsDouble(tenant)));
        });
    return out;
  }

  /**
   * Jain's fairness index of the tenants' {@linkplain #shareIndex() share indexes}: 1 when every
   * tenant held its weighted fair share whenever it waited (or the tenants were deprived alike),
   * towards 1/n when one tenant held the cluster while the others waited with nothing.
   *
   * <p>Why not equal slowdowns: a tenant that floods the queue waits behind its own jobs under any
   * policy; a fair policy does not make its slowdown equal to a light tenant's, it keeps the light
   * tenant from waiting behind the flood. The share index measures that.
   */
  public static double jain(List<TenantResult> tenants) {
    return jain(tenants.stream().mapToDouble(TenantResult::shareIndex).toArray());
  }

  /**
   * Jain's fairness index J = (Σx)² / (n·Σx²) (Jain, Chiu and Hawe, 1984): 1 when all {@code x} are
   * equal, 1/n when one holds everything and the rest nothing, 1 for no values or all zero (nothing
   * is unequal).
   *
   * @throws IllegalArgumentException when a value is negative or not finite
   */
  public static double jain(double[] x) {
    double sum = 0;
    double squares = 0;
    for (double v : x) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("Jain's index takes finite values >= 0, was given " + v);
      }
      sum += v;
      squares += v * v;
    }
    return squares == 0 ? 1 : sum * sum / (x.length * squares);
  }
}
