package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.TenantLoad;
import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.tenant.Quotas;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the GPU needs of jobs that should run at the same time into MIG layouts: which instances to
 * create on which GPU, which job runs on which instance, and why.
 *
 * <p>Model: demands (one per job replica) with a {@link GpuNeed} and a priority; the node's GPUs,
 * each with a model and instances that must stay. Rules, in order:
 *
 * <ol>
 *   <li>Each job gets, on each GPU model, the smallest profile that satisfies its need (see {@link
 *       ProfileChoice}); a job no model can satisfy can never run here and is reported so.
 *   <li>No tenant is planned more than its {@link io.migctl.core.tenant.Quota} lets it hold at
 *       once, by the arithmetic the scheduler enforces ({@link Quotas#check}): each tenant's jobs
 *       are taken by priority, then as given, each counting the smallest instance it gets here (or
 *       one running job without a GPU); a job that would pass a limit beside those taken before it
 *       is left out and queues ({@link QuotaCut}); a job the limit refuses even alone can never
 *       run. A tenant without a record has no limits.
 *   <li>Every job is placed when some arrangement fits them all. Otherwise jobs are taken in order
 *       of priority, then size (largest first), then as given, and each is placed when it fits
 *       together with those taken before it (checked exactly, over every arrangement); the rest
 *       queue, each with the reason.
 *   <li>The placed jobs go on the fewest GPUs, then where they leave the node the most room: the
 *       largest profile that still fits on some GPU, then the most free placements over all GPUs
 *       ({@link PackingSearch}). Touching as many GPUs, new instances therefore go beside kept ones
 *       rather than onto a free GPU.
 *   <li>On each GPU the instances sit where {@link PlacementSearch#placeLeavingMostRoom} puts them;
 *       jobs of one profile take its instances in order of placement, in the order they were given.
 * </ol>
 *
 * <p>Every search counts its steps; past the budget the plan is the best found and says so ({@link
 * DemandPlan#optimal()} false). Pure and deterministic: the same input gives the same plan.
 * Instances are immutable; {@link #plan} is thread-safe.
 */
public final class DemandPlanner {

  /** The default number of steps per search; node-sized inputs need far fewer. */
  public static final int DEFAULT_SEARCH_BUDGET = 100_000;

  private final int searchBudget;

  /** A planner with {@link #DEFAULT_SEARCH_BUDGET}. */
  public DemandPlanner() {
    this(DEFAULT_SEARCH_BUDGET);
  }

  /**
   * @param searchBudget the most steps one search may take before it settles for the best found
   */
  public DemandPlanner(int searchBudget) {
    if (searchBudget < 1) {
      throw new IllegalArgumentException("the search budget must be positive, was " + searchBudget);
    }
    this.searchBudget = searchBudget;
  }

  /**
   * Plans layouts for {@code demands} on {@code gpus}.
   *
   * @param demands the jobs that should run at the same time, one per replica
   * @param gpus the node's GPUs
   * @throws IllegalArgumentException when two demands share a job name or two GPUs an index
   */
  public DemandPlan plan(List<Demand> demands, List<NodeGpu> gpus) {
    return plan(demands, gpus, TenantDirectory.of(List.of()));
  }

  /**
   * Plans layouts for {@code demands} on {@code gpus}, within each tenant's quota.
   *
   * @param demands the jobs that should run at the same time, one per replica
   * @param gpus the node's GPUs
   * @param tenants the tenants' records; a demand whose tenant has none has no limits
   * @throws IllegalArgumentException when two demands share a job name or two GPUs an index
   */
  public DemandPlan plan(List<Demand> demands, List<NodeGpu> gpus, TenantDirectory tenants) {
    requireUnique(demands.stream().map(Demand::job).toList(), "job name");
    requireUnique(gpus.stream().map(g -> Integer.toString(g.index())).toList(), "GPU index");
    return new Run(List.copyOf(demands), List.copyOf(gpus), tenants).plan();
  }

  private static void requireUnique(List<String> values, String what) {
    Set<String> seen = new HashSet<>();
    for (String v : values) {
      if (!seen.add(v)) {
        throw new IllegalArgumentException(
            "two entries have " + what + " \"" + v + "\"; each must be unique");
      }
    }
  }

  /** One planning run. */
  private final class Run {
    private final List<Demand> demands;
    private final List<NodeGpu> gpus;
    private final List<GpuModel> models;
    private final ProfileChoice[][] choices;
    private final int[] kindOf;
    private final List<GpuInstanceProfile[]> kinds = new ArrayList<>();
    private final Map<Integer, UnplacedJob> unplaced = new LinkedHashMap<>();
    private final TenantDirectory tenants;
    private final Map<Integer, QuotaReached> cut = new TreeMap<>();

    Run(List<Demand> demands, List<NodeGpu> gpus, TenantDirectory tenants) {
      this.demands = demands;
      this.gpus = gpus;
      this.tenants = tenants;
      this.models = gpus.stream().map(NodeGpu::model).distinct().toList();
      this.choices = new ProfileChoice[demands.size()][];
      this.kindOf = new int[demands.size()];
    }

    DemandPlan plan() {
      resolve();
      withinQuotas();
      int kindCount = kinds.size();
      long[] size = new long[kindCount];
      for (int k = 0; k < kindCount; k++) {
        size[k] = size(kinds.get(k));
      }
      PackingSearch search =
          new PackingSearch(gpus, kinds.toArray(new GpuInstanceProfile[0][]), size, searchBudget);
      boolean optimal = true;
      int[] all = new int[kindCount];
      for (int k : kindOf) {
        if (k >= 0) {
          all[k]++;
        }
      }
      PackingSearch.Result whole = search.feasible(all);
      int[] accepted = all;
      int[][] fallback = whole.kindCounts();
      Set<Integer> queued = new HashSet<>();
      Set<Integer> gaveUpKinds = new HashSet<>();
      if (whole.outcome() != PackingSearch.Outcome.FOUND) {
        accepted = new int[kindCount];
        fallback = new int[gpus.size()][kindCount];
        boolean[] rejected = new boolean[kindCount];
        for (int i : selectionOrder()) {
          int k = kindOf[i];
          if (rejected[k]) {
            // Once a kind does not fit, it never will: the placed set only grows.
            queued.add(i);
            continue;
          }
          accepted[k]++;
          PackingSearch.Result r = search.feasible(accepted);
          if (r.outcome() == PackingSearch.Outcome.FOUND) {
            fallback = r.kindCounts();
          } else {
            accepted[k]--;
            rejected[k] = true;
            queued.add(i);
            if (r.outcome() == PackingSearch.Outcome.GAVE_UP) {
              optimal = false;
              gaveUpKinds.add(k);
            }
          }
        }
      }
      PackingSearch.Result best = search.optimise(accepted);
      if (best.outcome() != PackingSearch.Outcome.FOUND) {
        optimal = false;
      }
      int[][] arrangement = best.kindCounts() != null ? best.kindCounts() : fallback;
      return assemble(search, arrangement, queued, gaveUpKinds, optimal);
    }

    /** Chooses each demand's profile per GPU and groups demands into kinds. */
    private void resolve() {
      Map<List<GpuInstanceProfile>, Integer> kindIds = new LinkedHashMap<>();
      for (int i = 0; i < demands.size(); i++) {
        Demand d = demands.get(i);
        kindOf[i] = -1;
        if (d.need() instanceof GpuNeed.None) {
          continue;
        }
        Map<GpuModel, ProfileChoice> perModel = new LinkedHashMap<>();
        choices[i] = new ProfileChoice[gpus.size()];
        GpuInstanceProfile[] profiles = new GpuInstanceProfile[gpus.size()];
        boolean any = false;
        for (int g = 0; g < gpus.size(); g++) {
          choices[i][g] =
              perModel.computeIfAbsent(
                  gpus.get(g).model(), m -> ProfileChoice.of(d.need(), m, models));
          profiles[g] = choices[i][g].profile().orElse(null);
          any |= profiles[g] != null;
        }
        if (!any) {
          unplaced.put(i, new UnplacedJob(d.job(), d.need(), false, never(d.need())));
          continue;
        }
        kindOf[i] =
            kindIds.computeIfAbsent(
                Arrays.asList(profiles),
                key -> {
                  kinds.add(profiles);
                  return kinds.size() - 1;
                });
      }
    }

    /**
     * Leaves out, tenant by tenant, the jobs its quota would not let run beside those taken before
     * them (by priority, then as given), as the scheduler would keep them waiting; a job the quota
     * refuses even alone can never run.
     */
    private void withinQuotas() {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < demands.size(); i++) {
        if (!unplaced.containsKey(i)) {
          order.add(i);
        }
      }
      order.sort(
          Comparator.<Integer>comparingInt(i -> -demands.get(i).priority())
              .thenComparingInt(i -> i));
      Map<String, TenantLoad> held = new HashMap<>();
      for (int i : order) {
        Demand d = demands.get(i);
        Tenant tenant = tenants.resolve(d.tenant());
        TenantLoad adding = adding(i);
        Optional<QuotaReached> alone = Quotas.check(tenant, TenantLoad.ZERO, adding);
        if (alone.isPresent()) {
          kindOf[i] = -1;
          unplaced.put(
              i, new UnplacedJob(d.job(), d.need(), false, QuotaText.neverWithin(alone.get())));
          continue;
        }
        TenantLoad before = held.getOrDefault(tenant.name(), TenantLoad.ZERO);
        Optional<QuotaReached> over = Quotas.check(tenant, before, adding);
        if (over.isPresent()) {
          kindOf[i] = -1;
          cut.put(i, over.get());
          unplaced.put(i, new UnplacedJob(d.job(), d.need(), true, QuotaText.waitsFor(over.get())));
        } else {
          held.put(tenant.name(), before.plus(adding));
        }
      }
    }

    /** What a job adds to its tenant's load: the smallest instance it gets on this node. */
    private TenantLoad adding(int i) {
      if (kindOf[i] < 0) {
        return new TenantLoad(0, 0, 1);
      }
      GpuInstanceProfile smallest =
          Arrays.stream(kinds.get(kindOf[i]))
              .filter(p -> p != null)
              .min(ProfileChoice.SMALLEST)
              .orElseThrow();
      return TenantLoad.ofDevice(smallest.computeSlices(), smallest.memoryMiB());
    }

    /** Demands that need a GPU, by priority, then size (largest first), then as given. */
    private List<Integer> selectionOrder() {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < demands.size(); i++) {
        if (kindOf[i] >= 0) {
          order.add(i);
        }
      }
      order.sort(
          Comparator.<Integer>comparingInt(i -> -demands.get(i).priority())
              .thenComparingLong(i -> -minimum(i)[0])
              .thenComparingLong(i -> -minimum(i)[1])
              .thenComparingInt(i -> i));
      return order;
    }

    private long[] minimum(int i) {
      return ProfileChoice.minimum(demands.get(i).need(), models).orElse(new long[] {0, 0});
    }

    /**
     * A kind's size for ordering the search: its largest share of a GPU's memory slices, then of
     * its compute slices.
     */
    private long size(GpuInstanceProfile[] profiles) {
      long size = 0;
      for (int g = 0; g < profiles.length; g++) {
        GpuInstanceProfile p = profiles[g];
        if (p != null) {
          GpuModel m = gpus.get(g).model();
          long memory = 1000L * p.memorySlices() / m.memorySlices();
          long compute = 1000L * p.computeSlices() / m.computeSlices();
          size = Math.max(size, memory * 10_000 + compute);
        }
      }
      return size;
    }

    private DemandPlan assemble(
        PackingSearch search,
        int[][] arrangement,
        Set<Integer> queued,
        Set<Integer> gaveUpKinds,
        boolean optimal) {
      List<GpuLayout> layouts = new ArrayList<>();
      Map<Integer, Assignment> assigned = new LinkedHashMap<>();
      Map<Integer, List<Integer>> placedOfKind = new LinkedHashMap<>();
      for (int i = 0; i < demands.size(); i++) {
        if (kindOf[i] >= 0 && !queued.contains(i)) {
          placedOfKind.computeIfAbsent(kindOf[i], k -> new ArrayList<>()).add(i);
        }
      }
      for (int g = 0; g < gpus.size(); g++) {
        NodeGpu gpu = gpus.get(g);
        List<PlacedInstance> created = search.placements(g, arrangement[g]);
        layouts.add(new GpuLayout(gpu.index(), gpu.model(), gpu.keep(), created));
        // The jobs this GPU takes, in the order given, each onto its profile's next instance.
        List<Integer> jobs = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
          List<Integer> ofKind = placedOfKind.getOrDefault(k, new ArrayList<>());
          for (int n = 0; n < arrangement[g][k]; n++) {
            jobs.add(ofKind.removeFirst());
          }
        }
        jobs.sort(Comparator.naturalOrder());
        List<PlacedInstance> free = new ArrayList<>(created);
        free.sort(Comparator.comparing(PlacedInstance::placement));
        for (int i : jobs) {
          GpuInstanceProfile profile = kinds.get(kindOf[i])[g];
          PlacedInstance instance =
              free.stream().filter(p -> p.profile().equals(profile)).findFirst().orElseThrow();
          free.remove(instance);
          Demand d = demands.get(i);
          assigned.put(i, new Assignment(d.job(), d.need(), gpu.index(), instance));
        }
      }
      for (int i : queued) {
        Demand d = demands.get(i);
        String reason = queues(search, arrangement, kindOf[i], gaveUpKinds.contains(kindOf[i]));
        unplaced.put(i, new UnplacedJob(d.job(), d.need(), true, reason));
      }
      List<String> reasoning = new ArrayList<>();
      List<String> withoutGpu = new ArrayList<>();
      List<Assignment> assignments = new ArrayList<>();
      List<UnplacedJob> unplacedJobs = new ArrayList<>();
      for (int i = 0; i < demands.size(); i++) {
        Demand d = demands.get(i);
        if (d.need() instanceof GpuNeed.None && !unplaced.containsKey(i)) {
          withoutGpu.add(d.job());
          reasoning.add(d.job() + " needs no GPU: it runs without a MIG device.");
        } else if (assigned.containsKey(i)) {
          Assignment a = assigned.get(i);
          assignments.add(a);
          reasoning.add(explain(i, a));
        } else {
          UnplacedJob u = unplaced.get(i);
          unplacedJobs.add(u);
          reasoning.add(
              d.job()
                  + (d.need() instanceof GpuNeed.None ? " needs no GPU" : " needs " + d.need())
                  + (u.queues() ? " and will queue: " : " and can never run here: ")
                  + u.reason());
        }
      }
      reasoning.addAll(tenantsText());
      summarise(layouts, assignments.size(), optimal, reasoning);
      List<QuotaCut> cuts = new ArrayList<>();
      cut.forEach((i, q) -> cuts.add(new QuotaCut(demands.get(i).job(), q)));
      return new DemandPlan(
          layouts, assignments, withoutGpu, unplacedJobs, optimal, reasoning, cuts);
    }

    /** {@code train-1 needs 2g.10gb → GPU 0, 2g.10gb@0:2.} */
    private String explain(int i, Assignment a) {
      ProfileChoice choice = choices[i][positionOf(a.gpu())];
      String how =
          choice.how().isEmpty()
              ? ""
              : "; " + choice.how() + " is " + a.instance().profile().name();
      return a.job() + " needs " + a.need() + how + " → GPU " + a.gpu() + ", " + a.instance() + ".";
    }

    private void summarise(
        List<GpuLayout> layouts, int placed, boolean optimal, List<String> reasoning) {
      long needing = demands.stream().filter(d -> !(d.need() instanceof GpuNeed.None)).count();
      int used = (int) layouts.stream().filter(GpuLayout::touched).count();
      if (needing == 0) {
        reasoning.add("No job needs a GPU, so no GPU is touched.");
      } else {
        reasoning.add(
            "Placed "
                + placed
                + " of "
                + needing
                + (needing == 1 ? " job that needs" : " jobs that need")
                + " a GPU on "
                + used
                + " of "
                + layouts.size()
                + " GPU"
                + ProfileChoice.plural(layouts.size())
                + (optimal
                    ? " (the fewest possible, leaving the most room)."
                    : " (the best arrangement found; the search stopped at its budget of "
                        + searchBudget
                        + " steps)."));
      }
      for (GpuLayout l : layouts) {
        String what = "GPU " + l.gpu() + " (" + l.model().name() + ")";
        String kept =
            l.kept().isEmpty()
                ? ""
                : "keeps " + String.join(", ", l.kept().stream().map(Object::toString).toList());
        if (!l.touched()) {
          reasoning.add(
              what + " is left as it is" + (kept.isEmpty() ? "" : " (it " + kept + ")") + ".");
          continue;
        }
        reasoning.add(
            what
                + ": creates "
                + String.join(", ", l.created().stream().map(Object::toString).toList())
                + (kept.isEmpty() ? "" : "; " + kept)
                + "; "
                + roomText(l)
                + ".");
      }
    }

    private int positionOf(int index) {
      for (int g = 0; g < gpus.size(); g++) {
        if (gpus.get(g).index() == index) {
          return g;
        }
      }
      throw new IllegalStateException("no GPU " + index);
    }

    /** The largest profile that still fits beside the layout, in words. */
    private static String roomText(GpuLayout l) {
      PlacementSearch search = new PlacementSearch(l.model());
      return l.model().profiles().stream()
          .filter(p -> p.name().attributes().isEmpty())
          .filter(p -> search.place(l.layout().instances(), Map.of(p, 1)).isPlaceable())
          .max(ProfileChoice.SMALLEST)
          .map(p -> "room is left for a " + p.name())
          .orElse("no room is left");
    }

    /** Why a job of {@code kind} queues, GPU by GPU. */
    private String queues(
        PackingSearch search, int[][] arrangement, int kind, boolean searchGaveUp) {
      List<String> perGpu = new ArrayList<>();
      for (int g = 0; g < gpus.size(); g++) {
        GpuInstanceProfile p = kinds.get(kind)[g];
        String what = "GPU " + gpus.get(g).index();
        if (p == null) {
          perGpu.add(what + " (" + gpus.get(g).model().name() + ") has no profile that suffices");
          continue;
        }
        Optional<String> why = search.whyNot(g, arrangement[g], p);
        perGpu.add(
            what
                + ", one more "
                + p.name()
                + ": "
                + why.orElse("it would fit, but the search did not get to try it"));
      }
      return (searchGaveUp
              ? "the search stopped at its budget of "
                  + searchBudget
                  + " steps before it found room for it beside the jobs placed before it"
              : "no arrangement of the jobs placed before it (by priority, then size) leaves room"
                  + " for it")
          + " ("
          + String.join("; ", perGpu)
          + "). It starts when a slice frees up.";
    }

    /**
     * One sentence per tenant whose quota cut its demand (which limit left out which jobs, and how
     * much more they ask), then one per tenant that jobs name but has no record while others do.
     */
    private List<String> tenantsText() {
      Map<String, List<Integer>> byTenant = new LinkedHashMap<>();
      for (int i = 0; i < demands.size(); i++) {
        byTenant.computeIfAbsent(demands.get(i).tenant(), t -> new ArrayList<>()).add(i);
      }
      List<String> out = new ArrayList<>();
      byTenant.forEach(
          (tenant, jobs) -> {
            List<Integer> cutJobs = jobs.stream().filter(cut::containsKey).toList();
            if (cutJobs.isEmpty()) {
              return;
            }
            long runnable =
                jobs.stream()
                    .filter(i -> !unplaced.containsKey(i) || unplaced.get(i).queues())
                    .count();
            Map<QuotaLimit, List<Integer>> byLimit = new LinkedHashMap<>();
            cutJobs.forEach(
                i -> byLimit.computeIfAbsent(cut.get(i).limit(), l -> new ArrayList<>()).add(i));
            List<String> limits = new ArrayList<>();
            byLimit.forEach(
                (limit, ofLimit) ->
                    limits.add(
                        limit.option()
                            + " "
                            + cut.get(ofLimit.getFirst()).max()
                            + " leaves out "
                            + ofLimit.stream()
                                .map(i -> demands.get(i).job())
                                .collect(Collectors.joining(", "))
                            + " ("
                            + QuotaText.amount(
                                limit, ofLimit.stream().mapToLong(i -> cut.get(i).wouldUse()).sum())
                            + " more)"));
            out.add(
                "Tenant "
                    + tenant
                    + "'s quota lets "
                    + (runnable - cutJobs.size())
                    + " of its "
                    + runnable
                    + " job"
                    + ProfileChoice.plural(runnable)
                    + " run at once: "
                    + String.join("; ", limits)
                    + ". They queue until its planned jobs end.");
          });
      if (!tenants.all().isEmpty()) {
        byTenant.forEach(
            (tenant, jobs) -> {
              if (!tenant.equals(JobSpec.DEFAULT_TENANT) && tenants.find(tenant).isEmpty()) {
                out.add(
                    "Tenant "
                        + tenant
                        + " (of "
                        + jobs.stream()
                            .map(i -> demands.get(i).job())
                            .collect(Collectors.joining(", "))
                        + ") is not among the declared tenants, so its jobs are planned without"
                        + " limits.");
              }
            });
      }
      return out;
    }

    /** Why no GPU of the node can ever satisfy {@code need}. */
    private String never(GpuNeed need) {
      if (gpus.isEmpty()) {
        return "the node has no MIG-capable GPU.";
      }
      Optional<long[]> min = ProfileChoice.minimum(need, models);
      if (min.isEmpty()) {
        return "\""
            + need
            + "\" is not a profile of any GPU here, nor of any model migctl knows; the profiles"
            + " here are "
            + String.join(
                "; ", models.stream().map(m -> m.name() + ": " + m.profileNamesText()).toList())
            + ".";
      }
      GpuModel largestModel = models.getFirst();
      GpuInstanceProfile largest = null;
      for (GpuModel m : models) {
        for (GpuInstanceProfile p : m.profiles()) {
          if (largest == null || p.memoryMiB() > largest.memoryMiB()) {
            largest = p;
            largestModel = m;
          }
        }
      }
      long compute = min.get()[1];
      return "no GPU here has a profile with at least "
          + min.get()[0]
          + " MiB and "
          + compute
          + " compute slice"
          + ProfileChoice.plural(compute)
          + (largest == null
              ? ""
              : "; the largest is "
                  + largest.name()
                  + " ("
                  + largest.memoryMiB()
                  + " MiB, "
                  + largest.computeSlices()
                  + " compute slices) on "
                  + largestModel.name())
          + ". Ask for less, or run it on a node with larger GPUs.";
    }
  }
}
