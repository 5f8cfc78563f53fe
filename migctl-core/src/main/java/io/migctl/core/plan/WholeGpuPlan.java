package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plan for jobs that need whole GPUs beside jobs that need slices: which GPUs to leave with MIG
 * off, which job gets which of them, and the {@link DemandPlanner}'s slices on the other GPUs.
 *
 * <p>Whole-GPU jobs are placed first, highest priority first and, among equals, the job needing the
 * most GPUs first: a job needing N GPUs gets N GPUs of one model on which nothing must be kept
 * (every instance of a GPU with MIG off may go), the highest-numbered ones of the model with the
 * most such GPUs, so that slices pack onto the lowest GPUs as the planner numbers them. The slice
 * jobs are then planned on the GPUs left. A job for which there are not N such GPUs is unplaced,
 * with the count there is.
 *
 * @param slices the slice jobs' plan on the GPUs not left whole
 * @param whole one per placed whole-GPU job, in the order given
 * @param unplacedWhole the whole-GPU jobs that got no GPUs, in the order given
 * @param reasoning what was decided for the whole-GPU jobs, one sentence per line, then the
 *     planner's reasoning
 */
public record WholeGpuPlan(
    DemandPlan slices,
    List<WholeGpus> whole,
    List<UnplacedWhole> unplacedWhole,
    List<String> reasoning) {

  public WholeGpuPlan {
    whole = List.copyOf(whole);
    unplacedWhole = List.copyOf(unplacedWhole);
    reasoning = List.copyOf(reasoning);
  }

  /**
   * A workload's demands as the planners take them.
   *
   * @param slices the demands for one slice each; a job asking for K MIG devices appears K times,
   *     as {@code job#1} … {@code job#K}
   * @param whole the demands for whole GPUs
   */
  public record Split(List<Demand> slices, List<WholeGpuDemand> whole) {
    public Split {
      slices = List.copyOf(slices);
      whole = List.copyOf(whole);
    }
  }

  /** Sorts {@code demands} into slice and whole-GPU demands ({@link Split}). */
  public static Split split(List<Demand> demands) {
    List<Demand> slices = new ArrayList<>();
    List<WholeGpuDemand> whole = new ArrayList<>();
    for (Demand d : demands) {
      switch (d.need()) {
        case GpuNeed.WholeGpus w -> whole.add(new WholeGpuDemand(d.job(), w.count(), d.priority()));
        case GpuNeed.MigDevices m -> {
          for (int i = 1; i <= m.count(); i++) {
            slices.add(new Demand(d.job() + "#" + i, m.device(), d.priority(), d.tenant()));
          }
        }
        default -> slices.add(d);
      }
    }
    return new Split(slices, whole);
  }

  /**
   * A job that needs whole GPUs at once (a multi-GPU job, or one that needs a GPU without MIG).
   *
   * @param job its name, unique among the plan's jobs
   * @param gpus how many whole GPUs, at least 1
   * @param priority higher is placed first
   */
  public record WholeGpuDemand(String job, int gpus, int priority) {
    public WholeGpuDemand {
      if (job == null || job.isBlank()) {
        throw new IllegalArgumentException("a demand needs a job name, was \"" + job + "\"");
      }
      if (gpus < 1) {
        throw new IllegalArgumentException(
            "job " + job + ": whole GPUs must be at least 1, was " + gpus);
      }
    }
  }

  /**
   * The whole GPUs a job gets.
   *
   * @param job the job's name
   * @param gpus the GPUs' indices, lowest first
   */
  public record WholeGpus(String job, List<Integer> gpus) {
    public WholeGpus {
      gpus = List.copyOf(gpus);
    }
  }

  /**
   * A whole-GPU job the plan could not place.
   *
   * @param job the job's name
   * @param gpus the whole GPUs it asked for
   * @param reason why, with what would help
   */
  public record UnplacedWhole(String job, int gpus, String reason) {}

  /**
   * Plans {@code whole} on GPUs left with MIG off, then {@code slices} with {@code planner} on the
   * rest.
   *
   * @throws IllegalArgumentException when two jobs share a name
   */
  public static WholeGpuPlan plan(
      DemandPlanner planner,
      List<Demand> slices,
      List<WholeGpuDemand> whole,
      List<NodeGpu> gpus,
      TenantDirectory tenants) {
    Set<String> names = new HashSet<>();
    for (String n :
        concat(
            slices.stream().map(Demand::job).toList(),
            whole.stream().map(WholeGpuDemand::job).toList())) {
      if (!names.add(n)) {
        throw new IllegalArgumentException(
            "two entries have job name \"" + n + "\"; each must be unique");
      }
    }
    Map<GpuModel, TreeSet<Integer>> free = new LinkedHashMap<>();
    for (NodeGpu g : gpus) {
      if (g.keep().isEmpty()) {
        free.computeIfAbsent(g.model(), m -> new TreeSet<>()).add(g.index());
      }
    }
    List<WholeGpuDemand> order = new ArrayList<>(whole);
    order.sort(
        Comparator.comparingInt(WholeGpuDemand::priority)
            .thenComparingInt(WholeGpuDemand::gpus)
            .reversed());
    Map<String, WholeGpus> placed = new LinkedHashMap<>();
    Map<String, UnplacedWhole> unplaced = new LinkedHashMap<>();
    List<String> reasoning = new ArrayList<>();
    Set<Integer> taken = new TreeSet<>();
    for (WholeGpuDemand d : order) {
      Map.Entry<GpuModel, TreeSet<Integer>> best =
          free.entrySet().stream()
              .max(Comparator.comparingInt(e -> e.getValue().size()))
              .orElse(null);
      if (best == null || best.getValue().size() < d.gpus()) {
        int most = best == null ? 0 : best.getValue().size();
        unplaced.put(
            d.job(),
            new UnplacedWhole(
                d.job(),
                d.gpus(),
                "needs "
                    + d.gpus()
                    + " whole GPUs of one model and "
                    + most
                    + " are left with nothing in use; free GPUs or lower the job's gpus"));
        continue;
      }
      List<Integer> chosen = new ArrayList<>();
      for (int i = 0; i < d.gpus(); i++) {
        chosen.add(best.getValue().pollLast());
      }
      chosen.sort(null);
      taken.addAll(chosen);
      placed.put(d.job(), new WholeGpus(d.job(), chosen));
      reasoning.add(
          d.job()
              + ": "
              + d.gpus()
              + " whole "
              + best.getKey().key()
              + (d.gpus() > 1 ? " GPUs " : " GPU ")
              + chosen
              + ", MIG off (nothing kept there; the highest-numbered, so slices pack low)");
    }
    List<NodeGpu> rest = gpus.stream().filter(g -> !taken.contains(g.index())).toList();
    DemandPlan slicePlan = planner.plan(slices, rest, tenants);
    reasoning.addAll(slicePlan.reasoning());
    return new WholeGpuPlan(
        slicePlan,
        whole.stream().map(d -> placed.get(d.job())).filter(p -> p != null).toList(),
        whole.stream().map(d -> unplaced.get(d.job())).filter(u -> u != null).toList(),
        reasoning);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** The GPUs the plan leaves with MIG off, lowest first. */
  public List<Integer> migOff() {
    return whole.stream().flatMap(w -> w.gpus().stream()).sorted().toList();
  }

  /**
   * What the GPUs should look like, for the applier: the slices' GPUs as {@link
   * DemandPlan#desiredGpus} has them and each GPU left whole with MIG off and no instances.
   */
  public Map<Integer, DesiredGpu> desiredGpus() {
    Map<Integer, DesiredGpu> out = new LinkedHashMap<>(slices.desiredGpus());
    for (WholeGpus w : whole) {
      for (int gpu : w.gpus()) {
        out.put(gpu, new DesiredGpu(gpu, false, List.of(), "whole GPU for job " + w.job()));
      }
    }
    return out;
  }

  /** Whether every job, whole-GPU or slice, got what it needs. */
  public boolean placedAll() {
    return unplacedWhole.isEmpty() && slices.placedAll();
  }

  /**
   * The plan as a mig-parted {@code version: v1} config named {@code name}: the slices' entries
   * ({@link DemandPlan#migPartedConfig}) and one entry with {@code mig-enabled: false} for the GPUs
   * left whole.
   *
   * @throws IllegalArgumentException when {@code name} is not a plain config name or the plan
   *     touches no GPU and leaves none whole
   */
  public MigPartedConfig migPartedConfig(String name) {
    if (migOff().isEmpty()) {
      return slices.migPartedConfig(name);
    }
    List<ConfigEntry> entries = new ArrayList<>();
    DemandPlan.requireConfigName(name);
    if (slices.gpusUsed() > 0) {
      entries.addAll(slices.migPartedConfig(name).configs().get(name));
    }
    entries.add(
        new ConfigEntry(
            "mig-configs." + name + "[" + entries.size() + "]",
            List.of(),
            new DeviceSelection.Indices(migOff()),
            false,
            Map.of()));
    return new MigPartedConfig(Map.of(name, entries));
  }
}
