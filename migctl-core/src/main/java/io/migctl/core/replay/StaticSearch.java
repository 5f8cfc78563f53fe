package io.migctl.core.replay;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.plan.Demand;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.GpuLayout;
import io.migctl.core.plan.NodeGpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The best static layout a person who knows the trace's demand mix would pick, per GPU.
 *
 * <p>Candidates, in order: every uniform layout given (the same on each GPU), and, when the trace
 * has multi-GPU jobs, each of them with as many GPUs left whole as the largest such job needs (a
 * gang job runs only on whole GPUs); the mix the {@link DemandPlanner} ({@code mig plan}) chooses
 * for the trace's demand distribution scaled to the cluster ({@link #plannerMix}); then a local
 * search from the best uniform and from the planner's mix: change one GPU's layout to another of
 * the model's maximal layouts, keep the first change that lowers the mean job completion time
 * (averaged over the job lists), repeat until no change helps or the budget is spent. GPUs are
 * alike, so mixes are compared as multisets of layouts and none is simulated twice. The budget
 * counts simulation runs (one per job list and candidate); a candidate on which some job fits no
 * slice is dropped. Pure and deterministic.
 */
public final class StaticSearch {

  /**
   * What the search found.
   *
   * @param best the winning static policy
   * @param jctMean its mean job completion time, averaged over the job lists
   * @param foundBy how it was found: {@code uniform}, {@code planner mix} or {@code local search
   *     from ...} with the moves kept
   * @param simulations simulation runs spent
   * @param budget the budget in simulation runs
   * @param plannerMix the planner's mix, or null when no planner mix could run the trace
   * @param plannerJct the planner mix's mean job completion time (infinite when it could not run)
   */
  public record Result(
      MixedStaticPolicy best,
      double jctMean,
      String foundBy,
      int simulations,
      int budget,
      MixedStaticPolicy plannerMix,
      double plannerJct) {}

  private final Simulation.Config config;
  private final List<List<SimJob>> lists;
  private final SimProfiles profiles;
  private final int budget;
  private final Map<String, Double> seen = new HashMap<>();
  private int simulations;

  private StaticSearch(Simulation.Config config, List<List<SimJob>> lists, int budget) {
    this.config = config;
    this.lists = List.copyOf(lists);
    this.profiles = SimProfiles.of(config.model());
    this.budget = budget;
  }

  /**
   * Searches static layouts for {@code lists} on {@code config}'s cluster.
   *
   * @param uniform uniform layouts to try first (slice sizes); those the model cannot hold are left
   *     out
   * @param budget the most simulation runs to spend (the uniform layouts count too)
   * @throws IllegalArgumentException when the budget is below 1 or no candidate can run the trace
   */
  public static Result run(
      Simulation.Config config, List<List<SimJob>> lists, List<List<Integer>> uniform, int budget) {
    if (budget < 1) {
      throw new IllegalArgumentException("the search budget must be positive, was " + budget);
    }
    return new StaticSearch(config, lists, budget).search(uniform);
  }

  private Result search(List<List<Integer>> uniform) {
    MixedStaticPolicy bestUniform = null;
    double bestUniformJct = Double.POSITIVE_INFINITY;
    List<Integer> sizesOfModel = profiles.profiles().stream().map(q -> q.computeSlices()).toList();
    for (List<Integer> sizes : uniform) {
      if (!sizesOfModel.containsAll(sizes) || !profiles.fits(sizes)) {
        continue; // a layout of another model (MISO's list names A100 layouts)
      }
      for (MixedStaticPolicy p : uniformCandidates(sizes)) {
        double jct = evaluate(p);
        if (jct < bestUniformJct) {
          bestUniform = p;
          bestUniformJct = jct;
        }
      }
    }
    MixedStaticPolicy planner = plannerMix(config, lists);
    double plannerJct = evaluate(planner);
    MixedStaticPolicy best = bestUniform;
    double bestJct = bestUniformJct;
    String foundBy = "uniform";
    if (plannerJct < bestJct) {
      best = planner;
      bestJct = plannerJct;
      foundBy = "planner mix";
    }
    List<MixedStaticPolicy> starts = new ArrayList<>();
    if (bestUniform != null) {
      starts.add(bestUniform);
    }
    if (Double.isFinite(plannerJct)) {
      starts.add(planner);
    }
    List<List<Integer>> moves = profiles.maximalLayouts();
    for (int s = 0; s < starts.size(); s++) {
      int until = s == starts.size() - 1 ? budget : simulations + (budget - simulations) / 2;
      MixedStaticPolicy current = starts.get(s);
      double currentJct = seen.get(current.name());
      int kept = 0;
      boolean improved = true;
      while (improved && simulations + lists.size() <= until) {
        improved = false;
        for (MixedStaticPolicy n : neighbours(current, moves)) {
          if (seen.containsKey(n.name())) {
            continue;
          }
          if (simulations + lists.size() > until) {
            break;
          }
          double jct = evaluate(n);
          if (jct < currentJct) {
            current = n;
            currentJct = jct;
            kept++;
            improved = true;
            break;
          }
        }
      }
      if (currentJct < bestJct) {
        best = current;
        bestJct = currentJct;
        foundBy =
            "local search from "
                + starts.get(s).name()
                + (s == 0 && bestUniform != null ? " (best uniform)" : " (planner mix)")
                + ", "
                + kept
                + " moves kept";
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(
          "no static layout runs this trace: every candidate leaves some job without a slice");
    }
    return new Result(
        best,
        bestJct,
        foundBy,
        simulations,
        budget,
        Double.isFinite(plannerJct) ? planner : null,
        plannerJct);
  }

  /**
   * {@code sizes} on every GPU, and when some job needs several whole GPUs, {@code sizes} on all
   * GPUs but as many as the largest such job needs, those left whole.
   */
  private List<MixedStaticPolicy> uniformCandidates(List<Integer> sizes) {
    MixedStaticPolicy uniform = MixedStaticPolicy.uniform(sizes, config.gpus());
    int whole = largestGang(lists);
    List<Integer> full = List.of(profiles.full().computeSlices());
    if (whole < 2 || whole >= config.gpus() || sizes.equals(full)) {
      return List.of(uniform);
    }
    List<List<Integer>> perGpu = new ArrayList<>(uniform.perGpu());
    for (int g = 0; g < whole; g++) {
      perGpu.set(g, full);
    }
    return List.of(uniform, new MixedStaticPolicy(perGpu));
  }

  /** The most whole GPUs a job of {@code lists} needs at once. */
  static int largestGang(List<List<SimJob>> lists) {
    return lists.stream().flatMap(List::stream).mapToInt(SimJob::gpus).max().orElse(0);
  }

  /** Every mix that differs from {@code p} in one GPU's layout, one GPU per distinct layout. */
  private static List<MixedStaticPolicy> neighbours(
      MixedStaticPolicy p, List<List<Integer>> moves) {
    List<MixedStaticPolicy> out = new ArrayList<>();
    List<List<Integer>> layouts = p.perGpu();
    for (int g = 0; g < layouts.size(); g++) {
      if (g > 0 && layouts.get(g).equals(layouts.get(g - 1))) {
        continue;
      }
      for (List<Integer> m : moves) {
        if (!m.equals(layouts.get(g))) {
          List<List<Integer>> changed = new ArrayList<>(layouts);
          changed.set(g, m);
          out.add(new MixedStaticPolicy(changed));
        }
      }
    }
    return out;
  }

  /** Mean JCT over the lists, infinite when some job fits no slice; each candidate once. */
  private double evaluate(MixedStaticPolicy p) {
    Double known = seen.get(p.name());
    if (known != null) {
      return known;
    }
    double sum = 0;
    try {
      for (List<SimJob> jobs : lists) {
        simulations++;
        sum += Simulation.run(config, jobs, p).jctMean();
      }
    } catch (Simulation.Unrunnable e) {
      sum = Double.POSITIVE_INFINITY;
    }
    double jct = sum / lists.size();
    seen.put(p.name(), jct);
    return jct;
  }

  /**
   * The slice an administrator would ask for a job: the smallest on which it runs at least {@link
   * #WELL} of its best speed (a job that barely fits a 1g slice but crawls there is planned a
   * larger one), or 0 when it fits none.
   */
  static int wellRunningSlice(SimJob job) {
    double best = job.speeds().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return job.speeds().entrySet().stream()
        .filter(e -> e.getValue() >= WELL * best)
        .mapToInt(Map.Entry::getKey)
        .min()
        .orElse(0);
  }

  /** The share of its best speed a job should get on the slice planned for it. */
  static final double WELL = 0.5;

  /**
   * The mix {@code mig plan} chooses for the trace's demand distribution: each job asks for the
   * smallest slice on which it runs well ({@link #wellRunningSlice}); the counts per size, over all
   * lists, are scaled so that together they ask for the cluster's compute slices (each size asked
   * for at least once), and the {@link DemandPlanner} lays them out on the cluster's GPUs. Room a
   * GPU has left is filled with the largest slice that still fits, so that a GPU the plan leaves
   * untouched is whole. A gang job asks for whole GPUs, one per GPU it needs; the mix leaves at
   * least as many GPUs whole as the largest gang job needs (the GPUs with the most slices are made
   * whole).
   */
  public static MixedStaticPolicy plannerMix(Simulation.Config config, List<List<SimJob>> lists) {
    SimProfiles profiles = SimProfiles.of(config.model());
    Map<Integer, Integer> bySize = new TreeMap<>();
    double asked = 0;
    for (List<SimJob> jobs : lists) {
      for (SimJob j : jobs) {
        int size = wellRunningSlice(j);
        if (size > 0) {
          bySize.merge(size, j.wholeGpus(), Integer::sum);
          asked += size * j.wholeGpus();
        }
      }
    }
    double scale = config.gpus() * config.model().computeSlices() / Math.max(asked, 1);
    List<Demand> demands = new ArrayList<>();
    for (Map.Entry<Integer, Integer> e : bySize.entrySet()) {
      long n = Math.max(1, Math.round(e.getValue() * scale));
      for (int i = 0; i < n; i++) {
        demands.add(
            new Demand(
                e.getKey() + "g-" + i, new GpuNeed.Profile(profiles.bySlices(e.getKey()).name())));
      }
    }
    List<NodeGpu> gpus = new ArrayList<>();
    for (int g = 0; g < config.gpus(); g++) {
      gpus.add(new NodeGpu(g, config.model()));
    }
    DemandPlan plan = new DemandPlanner().plan(demands, gpus);
    List<List<Integer>> perGpu = new ArrayList<>();
    for (GpuLayout g : plan.gpus()) {
      List<Integer> sizes = new ArrayList<>();
      g.created().forEach(i -> sizes.add(i.profile().computeSlices()));
      for (int add = profiles.room(sizes); add > 0; add = profiles.room(sizes)) {
        sizes.add(add);
      }
      perGpu.add(sizes);
    }
    List<Integer> full = List.of(profiles.full().computeSlices());
    perGpu.sort(Comparator.comparingInt(List::size));
    int whole = (int) perGpu.stream().filter(full::equals).count();
    int need = Math.min(largestGang(lists), perGpu.size());
    for (int g = perGpu.size() - 1; g >= 0 && whole < need; g--) {
      if (!perGpu.get(g).equals(full)) {
        perGpu.set(g, full);
        whole++;
      }
    }
    return new MixedStaticPolicy(perGpu);
  }
}
