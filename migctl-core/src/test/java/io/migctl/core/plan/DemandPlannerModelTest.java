package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.Seeds;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the {@link DemandPlanner} against an exhaustive search on small random nodes and demands:
 * every assignment of jobs to GPUs is tried, so the oracle knows which jobs the rules place, the
 * fewest GPUs they fit on and the most room they can leave. Replay a failure with {@code
 * -Dmigctl.seed=<seed>}.
 */
class DemandPlannerModelTest {

  private static final int CASES = 400;
  private static final List<GpuModel> MODELS =
      List.of(Catalog.A100_40GB, Catalog.A100_80GB, Catalog.A30_24GB, Catalog.H100_80GB);

  @Test
  void agreesWithExhaustiveSearch() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    DemandPlanner planner = new DemandPlanner();
    int partial = 0;
    int multiGpu = 0;
    for (int n = 0; n < CASES; n++) {
      List<NodeGpu> gpus = randomNode(random);
      List<Demand> demands = randomDemands(random, gpus);
      String what = String.format("seed %d, case %d: %s on %s", seed, n, demands, describe(gpus));

      DemandPlan plan = planner.plan(demands, gpus);
      Oracle oracle = new Oracle(demands, gpus);

      DemandPlannerTest.assertValid(plan);
      assertThat(plan.optimal()).as(what).isTrue();
      assertThat(plan.assignments())
          .as(what + "\n" + plan.explain())
          .extracting(Assignment::job)
          .containsExactlyElementsOf(oracle.placedJobs());
      for (Assignment a : plan.assignments()) {
        int g = indexOf(gpus, a.gpu());
        assertThat(a.instance().profile())
            .as("%s: %s gets the smallest profile that satisfies it", what, a.job())
            .isEqualTo(oracle.profile(demands.indexOf(demandOf(demands, a.job())), g));
      }
      long[] expected = oracle.bestScore();
      long[] actual = scoreOf(plan, gpus);
      assertThat(actual)
          .as("%s: (GPUs touched, largest free, room) of\n%s", what, plan.explain())
          .containsExactly(expected);
      partial += plan.placedAll() ? 0 : 1;
      multiGpu += plan.gpusUsed() > 1 ? 1 : 0;
    }
    // The generator must produce both cases that fit and cases that do not, on one and more GPUs.
    assertThat(partial)
        .as("seed %d: cases where not all fit", seed)
        .isBetween(CASES / 20, CASES * 19 / 20);
    assertThat(multiGpu).as("seed %d: cases on more than one GPU", seed).isGreaterThan(CASES / 20);
  }

  // --- the generator ------------------------------------------------------------------------

  private static List<NodeGpu> randomNode(Random random) {
    int count = 1 + random.nextInt(3);
    boolean mixed = random.nextInt(3) == 0;
    GpuModel first = MODELS.get(random.nextInt(MODELS.size()));
    List<NodeGpu> gpus = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GpuModel model = mixed ? MODELS.get(random.nextInt(MODELS.size())) : first;
      List<PlacedInstance> keep = random.nextInt(4) == 0 ? randomKeep(model, random) : List.of();
      gpus.add(new NodeGpu(i, model, keep));
    }
    return gpus;
  }

  /** One or two instances that fit together, as busy ones would sit. */
  private static List<PlacedInstance> randomKeep(GpuModel model, Random random) {
    List<PlacedInstance> keep = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(2); i++) {
      GpuInstanceProfile p = plain(model).get(random.nextInt(plain(model).size()));
      if (p.computeSlices() == model.computeSlices()) {
        continue;
      }
      Placement at = p.placements().get(random.nextInt(p.placements().size()));
      List<PlacedInstance> candidate = new ArrayList<>(keep);
      candidate.add(new PlacedInstance(p, at));
      if (new io.migctl.core.mig.Layout(candidate).checkOn(model).isValid()) {
        keep = candidate;
      }
    }
    return keep;
  }

  private static List<Demand> randomDemands(Random random, List<NodeGpu> gpus) {
    int count = 1 + random.nextInt(6);
    List<Demand> demands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GpuModel model = gpus.get(random.nextInt(gpus.size())).model();
      GpuNeed need =
          switch (random.nextInt(10)) {
            case 0 -> GpuNeed.NONE;
            case 1, 2 ->
                new GpuNeed.Memory(
                    1024L * (1 + random.nextInt(48)), 1 + random.nextInt(random.nextInt(4) + 1));
            case 3 -> // a profile of another model, maybe missing here
                new GpuNeed.Profile(
                    randomProfile(MODELS.get(random.nextInt(MODELS.size())), random).name());
            default -> new GpuNeed.Profile(randomProfile(model, random).name());
          };
      demands.add(new Demand("j" + i, need, random.nextInt(4) == 0 ? 1 : 0));
    }
    return demands;
  }

  private static GpuInstanceProfile randomProfile(GpuModel model, Random random) {
    List<GpuInstanceProfile> plain = plain(model);
    // Favour the small profiles so that several share a GPU.
    int i = Math.min(random.nextInt(plain.size()), random.nextInt(plain.size()));
    return plain.get(i);
  }

  private static List<GpuInstanceProfile> plain(GpuModel model) {
    return model.profiles().stream().filter(p -> p.name().attributes().isEmpty()).toList();
  }

  // --- the oracle ---------------------------------------------------------------------------

  /** Brute force over every assignment of jobs to GPUs. */
  private static final class Oracle {
    private final List<Demand> demands;
    private final List<NodeGpu> gpus;
    private final GpuInstanceProfile[][] profiles;
    private final Map<String, Boolean> fits = new HashMap<>();
    private final List<Integer> placed = new ArrayList<>();

    Oracle(List<Demand> demands, List<NodeGpu> gpus) {
      this.demands = demands;
      this.gpus = gpus;
      this.profiles = new GpuInstanceProfile[demands.size()][gpus.size()];
      List<GpuModel> models = gpus.stream().map(NodeGpu::model).distinct().toList();
      for (int i = 0; i < demands.size(); i++) {
        for (int g = 0; g < gpus.size(); g++) {
          profiles[i][g] = smallest(demands.get(i).need(), gpus.get(g).model(), models);
        }
      }
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < demands.size(); i++) {
        boolean anywhere = false;
        for (int g = 0; g < gpus.size(); g++) {
          anywhere |= profiles[i][g] != null;
        }
        if (anywhere) {
          candidates.add(i);
        }
      }
      candidates.sort(
          Comparator.<Integer>comparingInt(i -> -demands.get(i).priority())
              .thenComparingLong(i -> -minimum(i, models)[0])
              .thenComparingLong(i -> -minimum(i, models)[1])
              .thenComparingInt(i -> i));
      for (int i : candidates) {
        placed.add(i);
        if (best(placed) == null) {
          placed.remove(placed.size() - 1);
        }
      }
      placed.sort(Comparator.naturalOrder());
    }

    List<String> placedJobs() {
      return placed.stream().map(i -> demands.get(i).job()).toList();
    }

    GpuInstanceProfile profile(int demand, int gpu) {
      return profiles[demand][gpu];
    }

    long[] bestScore() {
      return best(placed);
    }

    /** The best score of any assignment of {@code jobs}, or null when none fits. */
    private long[] best(List<Integer> jobs) {
      int[] choice = new int[jobs.size()];
      long[] best = null;
      long total = (long) Math.pow(gpus.size(), jobs.size());
      for (long code = 0; code < total; code++) {
        long c = code;
        for (int j = 0; j < jobs.size(); j++) {
          choice[j] = (int) (c % gpus.size());
          c /= gpus.size();
        }
        long[] score = score(jobs, choice);
        if (score != null && (best == null || better(score, best))) {
          best = score;
        }
      }
      return best;
    }

    /** (touched, largest free, sum of room) of one assignment, or null when it does not fit. */
    private long[] score(List<Integer> jobs, int[] choice) {
      long touched = 0;
      long largest = 0;
      long sum = 0;
      for (int g = 0; g < gpus.size(); g++) {
        Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
        for (int j = 0; j < jobs.size(); j++) {
          if (choice[j] == g) {
            GpuInstanceProfile p = profiles[jobs.get(j)][g];
            if (p == null) {
              return null;
            }
            counts.merge(p, 1, Integer::sum);
          }
        }
        NodeGpu gpu = gpus.get(g);
        PlacementSearch search = new PlacementSearch(gpu.model());
        Feasibility f = search.placeLeavingMostRoom(gpu.keep(), counts);
        if (!(f instanceof Feasibility.Placeable(List<PlacedInstance> created))) {
          return null;
        }
        touched += counts.isEmpty() ? 0 : 1;
        int room = search.roomLeft(mask(gpu.keep(), created));
        largest = Math.max(largest, room / 10_000);
        sum += room;
      }
      return new long[] {touched, largest, sum};
    }

    private static boolean better(long[] a, long[] b) {
      if (a[0] != b[0]) {
        return a[0] < b[0];
      }
      if (a[1] != b[1]) {
        return a[1] > b[1];
      }
      return a[2] > b[2];
    }

    private long[] minimum(int i, List<GpuModel> models) {
      return need(demands.get(i).need(), models).orElse(new long[] {0, 0});
    }

    /** The rule, written out again: the named profile, else the smallest plain one with enough. */
    private static GpuInstanceProfile smallest(
        GpuNeed need, GpuModel model, List<GpuModel> models) {
      if (need instanceof GpuNeed.None) {
        return null;
      }
      if (need instanceof GpuNeed.Profile p) {
        Optional<GpuInstanceProfile> named = model.profile(p.name());
        if (named.isPresent()) {
          return named.get();
        }
      }
      Optional<long[]> min = need(need, models);
      if (min.isEmpty()) {
        return null;
      }
      GpuInstanceProfile best = null;
      for (GpuInstanceProfile q : plain(model)) {
        if (q.memoryMiB() < min.get()[0] || q.computeSlices() < min.get()[1]) {
          continue;
        }
        if (best == null
            || q.memorySlices() < best.memorySlices()
            || (q.memorySlices() == best.memorySlices()
                && (q.computeSlices() < best.computeSlices()
                    || (q.computeSlices() == best.computeSlices()
                        && q.memoryMiB() < best.memoryMiB())))) {
          best = q;
        }
      }
      return best;
    }

    private static Optional<long[]> need(GpuNeed need, List<GpuModel> models) {
      return switch (need) {
        case GpuNeed.None n -> Optional.empty();
        case GpuNeed.WholeGpus w -> Optional.empty();
        case GpuNeed.MigDevices d -> need(d.device(), models);
        case GpuNeed.Memory m -> Optional.of(new long[] {m.memoryMiB(), m.computeSlices()});
        case GpuNeed.Profile p -> {
          List<GpuModel> where =
              models.stream().anyMatch(m -> m.profile(p.name()).isPresent())
                  ? models
                  : Catalog.models();
          yield where.stream()
              .flatMap(m -> m.profile(p.name()).stream())
              .mapToLong(GpuInstanceProfile::memoryMiB)
              .min()
              .stream()
              .mapToObj(mib -> new long[] {mib, p.name().gpuSlices()})
              .findFirst();
        }
      };
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  /** The planner's plan scored as the oracle scores assignments. */
  private static long[] scoreOf(DemandPlan plan, List<NodeGpu> gpus) {
    long largest = 0;
    long sum = 0;
    for (GpuLayout l : plan.gpus()) {
      int room = new PlacementSearch(l.model()).roomLeft(mask(l.kept(), l.created()));
      largest = Math.max(largest, room / 10_000);
      sum += room;
    }
    return new long[] {plan.gpusUsed(), largest, sum};
  }

  private static long mask(List<PlacedInstance> a, List<PlacedInstance> b) {
    long mask = 0;
    for (PlacedInstance p : a) {
      mask |= p.placement().mask();
    }
    for (PlacedInstance p : b) {
      mask |= p.placement().mask();
    }
    return mask;
  }

  private static int indexOf(List<NodeGpu> gpus, int index) {
    for (int g = 0; g < gpus.size(); g++) {
      if (gpus.get(g).index() == index) {
        return g;
      }
    }
    throw new AssertionError("no GPU " + index);
  }

  private static Demand demandOf(List<Demand> demands, String job) {
    return demands.stream().filter(d -> d.job().equals(job)).findFirst().orElseThrow();
  }

  private static String describe(List<NodeGpu> gpus) {
    return gpus.stream()
        .map(
            g ->
                g.index() + ":" + g.model().key() + (g.keep().isEmpty() ? "" : g.keep().toString()))
        .toList()
        .toString();
  }
}
