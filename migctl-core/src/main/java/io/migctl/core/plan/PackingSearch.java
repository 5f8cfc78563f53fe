package io.migctl.core.plan;

import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.PlacementSearch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Distributes kinds of instances over a node's GPUs: the bin packing under the {@link
 * DemandPlanner}.
 *
 * <p>Model: kinds (jobs whose need resolves to the same profile on every GPU) with counts; GPUs,
 * each with a model and instances to keep; a GPU holds a multiset of profiles iff {@link
 * PlacementSearch} finds placements for it beside the kept instances. Objective, in order: fewest
 * GPUs touched (given new instances), then the most room left on the node — the largest profile
 * that still has a free placement on any GPU, then the sum of every GPU's {@link
 * PlacementSearch#roomLeft}, each GPU arranged by {@link PlacementSearch#placeLeavingMostRoom} — so
 * that, touching as many GPUs, new instances go beside kept ones rather than onto a free GPU.
 *
 * <p>Algorithm: branch and bound over kinds, largest first; for each kind, how many of it each GPU
 * takes, most first. A branch is cut when a GPU's multiset cannot be placed; when the compute or
 * memory slices still wanted exceed those still usable (free compute slices without the memory
 * slices any profile would need beside them are stranded, and the other way round); when the GPUs
 * it touches, plus the fewest more that the slices still wanted need, exceed the best
 * arrangement's; and when, touching as many, the room it leaves already is no better (room only
 * shrinks as instances are added). GPUs of the same model and kept instances that hold the same
 * multiset are interchangeable, so the later one never takes more of a kind than the earlier one.
 * First-fit decreasing gives the first incumbent. Feasibility and room of each (GPU type, multiset)
 * are memoised. Cost: exponential in the worst case, so each search counts its steps and stops at a
 * budget, keeping the best arrangement found.
 *
 * <p>Not thread-safe: one instance per plan.
 */
final class PackingSearch {

  /** What a search found. */
  enum Outcome {
    FOUND,
    NONE,
    GAVE_UP
  }

  /**
   * An arrangement: how many of each kind every GPU takes.
   *
   * @param outcome whether one was found, none exists, or the budget ran out before either
   * @param kindCounts [gpu][kind]; null when none was found
   */
  record Result(Outcome outcome, int[][] kindCounts) {}

  private final List<NodeGpu> gpus;
  private final int gpuCount;
  private final int kindCount;
  private final int[] type;
  private final List<PlacementSearch> placers;
  private final int[][] profileIndex;
  private final int[][] profileCompute;
  private final int[][] profileMemory;
  private final int[] kindMinCompute;
  private final int[] kindMinMemory;
  private final int[] keptCompute;
  private final int[] keptMemory;

  /** Whether every kind takes as many compute slices on each GPU where it has a profile. */
  private final boolean uniformCompute;

  /** Per GPU: the most compute slices per memory slice of any profile a kind needs there. */
  private final double[] computePerMemory;

  /** Per GPU: the most memory slices per compute slice of any profile a kind needs there. */
  private final double[] memoryPerCompute;

  private final int[] order;
  private final int budget;
  private final Map<Object, Boolean> feasibleCache = new HashMap<>();
  private final Map<Object, Optional<List<PlacedInstance>>> roomCache = new HashMap<>();

  // The state of one run.
  private int[] wanted;
  private int[][] counts;
  private int[][] kinds;
  private int[] freeCompute;
  private int[] freeMemory;
  private int[] room;
  private int[][] chosen;
  private int[][] twin;
  private long[] suffixCompute;
  private long[] suffixMemory;
  private int touched;
  private boolean firstOnly;
  private boolean stop;
  private int steps;
  private boolean gaveUp;
  private int[][] best;
  private Score bestScore;

  /**
   * @param gpus the node's GPUs
   * @param profiles [kind][gpu]: the profile a kind needs on each GPU, null where none satisfies it
   * @param size [kind]: a size to order kinds by, largest first
   * @param budget the most search steps per call
   */
  PackingSearch(List<NodeGpu> gpus, GpuInstanceProfile[][] profiles, long[] size, int budget) {
    this.gpus = List.copyOf(gpus);
    this.gpuCount = gpus.size();
    this.kindCount = profiles.length;
    this.budget = budget;
    this.type = new int[gpuCount];
    this.placers = new ArrayList<>();
    this.keptCompute = new int[gpuCount];
    this.keptMemory = new int[gpuCount];
    Map<List<Object>, Integer> types = new LinkedHashMap<>();
    for (int g = 0; g < gpuCount; g++) {
      NodeGpu gpu = gpus.get(g);
      type[g] = types.computeIfAbsent(List.of(gpu.model(), gpu.keep()), k -> types.size());
      placers.add(new PlacementSearch(gpu.model()));
      for (PlacedInstance p : gpu.keep()) {
        keptCompute[g] += p.profile().computeSlices();
        keptMemory[g] += p.profile().memorySlices();
      }
    }
    profileIndex = new int[kindCount][gpuCount];
    profileCompute = new int[kindCount][gpuCount];
    profileMemory = new int[kindCount][gpuCount];
    kindMinCompute = new int[kindCount];
    kindMinMemory = new int[kindCount];
    for (int k = 0; k < kindCount; k++) {
      kindMinCompute[k] = Integer.MAX_VALUE;
      kindMinMemory[k] = Integer.MAX_VALUE;
      for (int g = 0; g < gpuCount; g++) {
        GpuInstanceProfile p = profiles[k][g];
        profileIndex[k][g] = p == null ? -1 : gpus.get(g).model().profiles().indexOf(p);
        if (p != null) {
          profileCompute[k][g] = p.computeSlices();
          profileMemory[k][g] = p.memorySlices();
          kindMinCompute[k] = Math.min(kindMinCompute[k], p.computeSlices());
          kindMinMemory[k] = Math.min(kindMinMemory[k], p.memorySlices());
        }
      }
    }
    boolean uniform = true;
    for (int k = 0; k < kindCount; k++) {
      for (int g = 0; g < gpuCount; g++) {
        uniform &= profileIndex[k][g] >= 0 && profileCompute[k][g] == profileCompute[k][0];
      }
    }
    uniformCompute = uniform;
    computePerMemory = new double[gpuCount];
    memoryPerCompute = new double[gpuCount];
    for (int g = 0; g < gpuCount; g++) {
      for (int k = 0; k < kindCount; k++) {
        if (profileIndex[k][g] >= 0) {
          double c = profileCompute[k][g];
          double m = profileMemory[k][g];
          computePerMemory[g] = Math.max(computePerMemory[g], c / m);
          memoryPerCompute[g] = Math.max(memoryPerCompute[g], m / c);
        }
      }
    }
    Integer[] byDecreasingSize = new Integer[kindCount];
    for (int k = 0; k < kindCount; k++) {
      byDecreasingSize[k] = k;
    }
    Arrays.sort(byDecreasingSize, (a, b) -> Long.compare(size[b], size[a]));
    order = Arrays.stream(byDecreasingSize).mapToInt(Integer::intValue).toArray();
  }

  /** Whether {@code wanted} (count per kind) fits the node at all, and one arrangement. */
  Result feasible(int[] wanted) {
    start(wanted, true);
    int[][] greedy = firstFitDecreasing();
    if (greedy != null) {
      return new Result(Outcome.FOUND, greedy);
    }
    level(0);
    if (best != null) {
      return new Result(Outcome.FOUND, best);
    }
    return new Result(gaveUp ? Outcome.GAVE_UP : Outcome.NONE, null);
  }

  /**
   * The best arrangement of {@code wanted} (see the class note); {@link Outcome#GAVE_UP} with the
   * best found when the budget ran out first.
   */
  Result optimise(int[] wanted) {
    start(wanted, false);
    int[][] greedy = firstFitDecreasing();
    if (greedy != null) {
      best = greedy;
      bestScore = scoreOf(greedy);
      if (fillsEveryFreeSlice(greedy)) {
        return new Result(Outcome.FOUND, best);
      }
    }
    level(0);
    if (best == null) {
      return new Result(gaveUp ? Outcome.GAVE_UP : Outcome.NONE, null);
    }
    return new Result(gaveUp ? Outcome.GAVE_UP : Outcome.FOUND, best);
  }

  /** The new instances of GPU {@code g} holding {@code kindCounts}, placed leaving most room. */
  List<PlacedInstance> placements(int g, int[] kindCounts) {
    return mostRoom(g, profileCounts(g, kindCounts))
        .orElseThrow(() -> new IllegalStateException("GPU " + g + " cannot hold its arrangement"));
  }

  /**
   * Why one more {@code profile} does not fit GPU {@code g} beside {@code kindCounts}; empty when
   * it does fit.
   */
  Optional<String> whyNot(int g, int[] kindCounts, GpuInstanceProfile profile) {
    int[] counts = profileCounts(g, kindCounts);
    Map<GpuInstanceProfile, Integer> map = asMap(g, counts);
    map.merge(profile, 1, Integer::sum);
    return switch (placers.get(g).place(gpus.get(g).keep(), map)) {
      case Feasibility.Unplaceable(String reason) -> Optional.of(reason);
      case Feasibility.Placeable p -> Optional.empty();
    };
  }

  // ------------------------------------------------------------------------------------------

  private void start(int[] wanted, boolean firstOnly) {
    this.wanted = wanted.clone();
    this.counts = new int[gpuCount][];
    this.freeCompute = new int[gpuCount];
    this.freeMemory = new int[gpuCount];
    this.room = new int[gpuCount];
    for (int g = 0; g < gpuCount; g++) {
      counts[g] = new int[gpus.get(g).model().profiles().size()];
      freeCompute[g] = gpus.get(g).model().computeSlices() - keptCompute[g];
      freeMemory[g] = gpus.get(g).model().memorySlices() - keptMemory[g];
    }
    this.kinds = new int[gpuCount][kindCount];
    this.chosen = new int[kindCount][gpuCount];
    this.twin = new int[kindCount][gpuCount];
    this.suffixCompute = new long[kindCount + 1];
    this.suffixMemory = new long[kindCount + 1];
    for (int level = kindCount - 1; level >= 0; level--) {
      int k = order[level];
      suffixCompute[level] = suffixCompute[level + 1] + (long) wanted[k] * kindMinCompute[k];
      suffixMemory[level] = suffixMemory[level + 1] + (long) wanted[k] * kindMinMemory[k];
    }
    this.touched = 0;
    this.firstOnly = firstOnly;
    this.stop = false;
    this.steps = 0;
    this.gaveUp = false;
    this.best = null;
    this.bestScore = null;
    if (!firstOnly) {
      for (int g = 0; g < gpuCount; g++) {
        room[g] = roomOf(g, counts[g]);
      }
    }
  }

  private void level(int level) {
    if (stop) {
      return;
    }
    if (level == kindCount) {
      leaf();
      return;
    }
    for (int g = 0; g < gpuCount; g++) {
      twin[level][g] = -1;
      for (int h = 0; h < g; h++) {
        if (type[h] == type[g] && Arrays.equals(counts[h], counts[g])) {
          twin[level][g] = h;
          break;
        }
      }
    }
    gpu(level, 0, wanted[order[level]]);
  }

  private void gpu(int level, int g, int remaining) {
    if (stop) {
      return;
    }
    if (remaining == 0) {
      Arrays.fill(chosen[level], g, gpuCount, 0);
      level(level + 1);
      return;
    }
    if (g == gpuCount || cutBySlices(level, remaining)) {
      return;
    }
    if (++steps > budget) {
      gaveUp = true;
      stop = true;
      return;
    }
    int k = order[level];
    int p = profileIndex[k][g];
    int max = p < 0 ? 0 : remaining;
    if (twin[level][g] >= 0) {
      max = Math.min(max, chosen[level][twin[level][g]]);
    }
    boolean fresh = isEmpty(counts[g]);
    if (fresh && bestScore != null && touched + 1 > bestScore.touched()) {
      max = 0;
    }
    if (max > 0) {
      max = Math.min(max, freeCompute[g] / profileCompute[k][g]);
      max = Math.min(max, freeMemory[g] / profileMemory[k][g]);
    }
    while (max > 0 && !fits(g, p, max)) {
      max--;
    }
    if (fresh && max > 0) {
      touched++;
    }
    int roomBefore = room[g];
    for (int n = max; n > 0 && !stop; n--) {
      add(g, k, p, n);
      if (!firstOnly) {
        room[g] = roomOf(g, counts[g]);
      }
      chosen[level][g] = n;
      if (!cutByRoom()) {
        gpu(level, g + 1, remaining - n);
      }
      add(g, k, p, -n);
    }
    room[g] = roomBefore;
    if (fresh && max > 0) {
      touched--;
    }
    chosen[level][g] = 0;
    gpu(level, g + 1, remaining);
  }

  private void add(int g, int k, int p, int n) {
    counts[g][p] += n;
    kinds[g][k] += n;
    freeCompute[g] -= n * profileCompute[k][g];
    freeMemory[g] -= n * profileMemory[k][g];
  }

  /**
   * Whether the slices still wanted (at least each kind's smallest profile) exceed those free, or,
   * with an incumbent, need more GPUs than it touches.
   */
  private boolean cutBySlices(int level, int remaining) {
    int k = order[level];
    long needCompute = (long) remaining * kindMinCompute[k] + suffixCompute[level + 1];
    long needMemory = (long) remaining * kindMinMemory[k] + suffixMemory[level + 1];
    long freeComputeTouched = 0;
    long freeMemoryTouched = 0;
    long freeComputeOther = 0;
    long freeMemoryOther = 0;
    int widestCompute = 0;
    int widestMemory = 0;
    for (int h = 0; h < gpuCount; h++) {
      // What more instances could still use: every profile takes at most computePerMemory[h]
      // compute slices per memory slice, and at most memoryPerCompute[h] the other way round, so
      // free compute without the memory to go with it is stranded (3g.20gb + 3g.20gb on an A100
      // leaves one compute slice and no memory).
      int compute =
          (int) Math.min(freeCompute[h], Math.floor(freeMemory[h] * computePerMemory[h] + 1e-9));
      int memory =
          (int) Math.min(freeMemory[h], Math.floor(freeCompute[h] * memoryPerCompute[h] + 1e-9));
      if (isEmpty(counts[h])) {
        freeComputeOther += compute;
        freeMemoryOther += memory;
        widestCompute = Math.max(widestCompute, compute);
        widestMemory = Math.max(widestMemory, memory);
      } else {
        freeComputeTouched += compute;
        freeMemoryTouched += memory;
      }
    }
    if (needCompute > freeComputeTouched + freeComputeOther
        || needMemory > freeMemoryTouched + freeMemoryOther) {
      return true;
    }
    if (bestScore == null) {
      return false;
    }
    int more =
        Math.max(
            fresh(needCompute - freeComputeTouched, widestCompute),
            fresh(needMemory - freeMemoryTouched, widestMemory));
    return touched + more > bestScore.touched();
  }

  /** How many more GPUs of at most {@code widest} free slices {@code overflow} slices need. */
  private static int fresh(long overflow, int widest) {
    if (overflow <= 0) {
      return 0;
    }
    return widest <= 0 ? Integer.MAX_VALUE / 2 : (int) ((overflow + widest - 1) / widest);
  }

  private boolean fits(int g, int p, int n) {
    counts[g][p] += n;
    try {
      return feasible(g, counts[g]);
    } finally {
      counts[g][p] -= n;
    }
  }

  /** Whether this branch, touching as many GPUs as the best, can no longer leave more room. */
  private boolean cutByRoom() {
    if (firstOnly || bestScore == null || touched < bestScore.touched()) {
      return false;
    }
    return !scoreNow().isBetterThan(bestScore);
  }

  private void leaf() {
    if (firstOnly) {
      best = copy(kinds);
      stop = true;
      return;
    }
    Score s = scoreNow();
    if (bestScore == null || s.isBetterThan(bestScore)) {
      best = copy(kinds);
      bestScore = s;
      stop = fillsEveryFreeSlice(best);
    }
  }

  /**
   * Whether {@code kindCounts} uses every free compute slice of the node while each kind takes as
   * many compute slices on any GPU. Then every arrangement that places all uses every slice too, so
   * it touches the same GPUs and leaves no room: none is better, and the search may stop.
   */
  private boolean fillsEveryFreeSlice(int[][] kindCounts) {
    if (!uniformCompute) {
      return false;
    }
    long used = 0;
    long free = 0;
    for (int g = 0; g < gpuCount; g++) {
      free += gpus.get(g).model().computeSlices() - keptCompute[g];
      for (int k = 0; k < kindCount; k++) {
        used += (long) kindCounts[g][k] * profileCompute[k][g];
      }
    }
    return used == free;
  }

  private Score scoreNow() {
    int largest = 0;
    long sum = 0;
    for (int g = 0; g < gpuCount; g++) {
      largest = Math.max(largest, room[g] / 10_000);
      sum += room[g];
    }
    return new Score(touched, largest, sum);
  }

  /** First-fit decreasing: each instance, largest first, on the first GPU that takes it. */
  private int[][] firstFitDecreasing() {
    int[][] profileCounts = new int[gpuCount][];
    for (int g = 0; g < gpuCount; g++) {
      profileCounts[g] = new int[counts[g].length];
    }
    int[][] result = new int[gpuCount][kindCount];
    for (int k : order) {
      for (int i = 0; i < wanted[k]; i++) {
        int home = -1;
        for (int pass = 0; pass < 2 && home < 0; pass++) {
          for (int g = 0; g < gpuCount && home < 0; g++) {
            int p = profileIndex[k][g];
            if (p < 0 || isEmpty(profileCounts[g]) == (pass == 0)) {
              continue;
            }
            profileCounts[g][p]++;
            if (feasible(g, profileCounts[g])) {
              home = g;
            } else {
              profileCounts[g][p]--;
            }
          }
        }
        if (home < 0) {
          return null;
        }
        result[home][k]++;
      }
    }
    return result;
  }

  private Score scoreOf(int[][] kindCounts) {
    int used = 0;
    int largest = 0;
    long sum = 0;
    for (int g = 0; g < gpuCount; g++) {
      int[] profileCounts = profileCounts(g, kindCounts[g]);
      if (!isEmpty(profileCounts)) {
        used++;
      }
      int r = roomOf(g, profileCounts);
      largest = Math.max(largest, r / 10_000);
      sum += r;
    }
    return new Score(used, largest, sum);
  }

  private int[] profileCounts(int g, int[] kindCounts) {
    int[] profileCounts = new int[gpus.get(g).model().profiles().size()];
    for (int k = 0; k < kindCount; k++) {
      if (kindCounts[k] > 0) {
        profileCounts[profileIndex[k][g]] += kindCounts[k];
      }
    }
    return profileCounts;
  }

  private boolean feasible(int g, int[] profileCounts) {
    Object key = key(g, profileCounts);
    Boolean known = feasibleCache.get(key);
    if (known == null) {
      known = placers.get(g).place(gpus.get(g).keep(), asMap(g, profileCounts)).isPlaceable();
      feasibleCache.put(key, known);
    }
    return known;
  }

  private int roomOf(int g, int[] profileCounts) {
    List<PlacedInstance> placed = mostRoom(g, profileCounts).orElseThrow();
    long mask = 0;
    for (PlacedInstance p : gpus.get(g).keep()) {
      mask |= p.placement().mask();
    }
    for (PlacedInstance p : placed) {
      mask |= p.placement().mask();
    }
    return placers.get(g).roomLeft(mask);
  }

  private Optional<List<PlacedInstance>> mostRoom(int g, int[] profileCounts) {
    Object key = key(g, profileCounts);
    Optional<List<PlacedInstance>> known = roomCache.get(key);
    if (known == null) {
      known =
          switch (placers
              .get(g)
              .placeLeavingMostRoom(gpus.get(g).keep(), asMap(g, profileCounts))) {
            case Feasibility.Placeable(List<PlacedInstance> placed) -> Optional.of(placed);
            case Feasibility.Unplaceable u -> Optional.empty();
          };
      roomCache.put(key, known);
    }
    return known;
  }

  /**
   * A memo key for a GPU type and profile counts: a long (the type above 50 bits of counts, 5 bits
   * each) when they fit, else a list.
   */
  private Object key(int g, int[] profileCounts) {
    if (profileCounts.length <= 10 && type[g] < (1 << 13)) {
      long key = 0;
      boolean small = true;
      for (int c : profileCounts) {
        small &= c >= 0 && c < 32;
        key = (key << 5) | (c & 31);
      }
      if (small) {
        return ((long) type[g] << 50) | key;
      }
    }
    List<Integer> key = new ArrayList<>(profileCounts.length + 1);
    key.add(type[g]);
    for (int c : profileCounts) {
      key.add(c);
    }
    return key;
  }

  private Map<GpuInstanceProfile, Integer> asMap(int g, int[] profileCounts) {
    Map<GpuInstanceProfile, Integer> map = new LinkedHashMap<>();
    List<GpuInstanceProfile> profiles = gpus.get(g).model().profiles();
    for (int p = 0; p < profileCounts.length; p++) {
      if (profileCounts[p] > 0) {
        map.put(profiles.get(p), profileCounts[p]);
      }
    }
    return map;
  }

  private static boolean isEmpty(int[] a) {
    for (int x : a) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static int[][] copy(int[][] a) {
    int[][] c = new int[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  /**
   * How good an arrangement is: fewer GPUs touched, then a larger largest free profile, then more
   * room summed over all GPUs.
   */
  private record Score(int touched, int largest, long sum) {
    boolean isBetterThan(Score o) {
      if (touched != o.touched) {
        return touched < o.touched;
      }
      if (largest != o.largest) {
        return largest > o.largest;
      }
      return sum > o.sum;
    }
  }
}
