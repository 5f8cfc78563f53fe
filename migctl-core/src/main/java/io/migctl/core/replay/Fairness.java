package io.migctl.core.replay;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.tenant.FairShare;
import io.migctl.core.tenant.Tenant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fairness policy of the simulation: the order in which waiting jobs are offered slices, across
 * tenants. It is orthogonal to the placement {@link Policy}: the simulation hands every placement
 * policy its queue in this order ({@link Simulation#queue()}), and the placement policy decides
 * which slice, if any, each job gets. Within one tenant every fairness policy keeps arrival order.
 *
 * <p>Implementations are pure functions of the queue and of what each tenant holds.
 */
public interface Fairness {

  /** The names {@link #parse} accepts, in the order {@code all} runs them. */
  List<String> NAMES = List.of("fifo", "drf");

  /** The policy's name in reports: {@code fifo} or {@code drf}. */
  String name();

  /**
   * The waiting jobs in the order they are offered slices.
   *
   * @param waiting the queue in arrival order
   * @param node what each tenant holds now, and the node's capacity
   * @return a permutation of {@code waiting}
   */
  List<SimJob> order(List<SimJob> waiting, Node node);

  /**
   * The node as fairness sees it.
   *
   * @param held per tenant, the compute slices and memory of the instances its jobs run on or are
   *     reserved (a tenant holding nothing may be absent)
   * @param capacity the whole cluster's compute slices and memory (whole-GPU profile × GPUs)
   * @param profiles the simulation's profiles, to size a waiting job's demand
   */
  record Node(Map<String, FairShare.Usage> held, FairShare.Usage capacity, SimProfiles profiles) {

    public Node {
      held = Map.copyOf(held);
    }

    /**
     * What {@code job} would hold if started: the smallest simulated profile it fits (its compute
     * slices and memory), or nothing when it fits none; a multi-GPU job, that many whole GPUs.
     */
    public FairShare.Usage demand(SimJob job) {
      int slices = job.smallestFit();
      if (slices == 0) {
        return FairShare.Usage.ZERO;
      }
      GpuInstanceProfile p = profiles.bySlices(slices);
      int n = job.wholeGpus();
      return new FairShare.Usage(p.computeSlices() * n, p.memoryMiB() * n);
    }
  }

  /** Arrival order across all tenants: the simulator's behaviour before tenants. */
  static Fairness fifo() {
    return FirstComeFirstServed.INSTANCE;
  }

  /**
   * The policy named {@code text} ({@code fifo} or {@code drf}), with the tenants' weights ({@link
   * Tenant#DEFAULT_WEIGHT} for a tenant not in {@code weights}).
   *
   * @throws IllegalArgumentException naming the accepted names
   */
  static Fairness parse(String text, Map<String, Integer> weights) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "fifo" -> fifo();
      case "drf" -> new WeightedDrf(weights);
      default ->
          throw new IllegalArgumentException(
              "unknown fairness policy \""
                  + text.strip()
                  + "\"; use "
                  + String.join(", ", NAMES)
                  + " or all");
    };
  }

  /**
   * The waiting jobs by tenant, each tenant's in arrival order; tenants in order of their first
   * waiting job.
   */
  static Map<String, List<SimJob>> byTenant(List<SimJob> waiting) {
    Map<String, List<SimJob>> out = new LinkedHashMap<>();
    for (SimJob j : waiting) {
      out.computeIfAbsent(j.tenant(), t -> new ArrayList<>()).add(j);
    }
    return out;
  }
}
