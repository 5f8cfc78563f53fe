package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a node's GPUs are connected, pair by pair, as the driver reports it: the PCIe common ancestor
 * ({@link TopologyLevel}) and whether the pair has an NVLink peer-to-peer path. Either may be
 * unknown for a pair (the driver could not say); nothing is guessed.
 *
 * <p>{@link #pairs} holds every pair {@code (first, second)} with {@code first < second}, once, in
 * the order (0,1), (0,2), … (0,n-1), (1,2), …; {@link #of} fills the pairs a driver did not report
 * with unknowns.
 *
 * <p>Choosing GPUs for a multi-GPU job ({@link #closestSet}): the set whose farthest pair is
 * closest, then whose distances add up to the least, then the lowest indices. For up to {@link
 * #EXHAUSTIVE_BOUND} combinations every one is tried; beyond that a greedy search grows a set from
 * each candidate in turn, adding the GPU closest to the set so far, and keeps the best set (cost
 * O(m² · n²) distance look-ups for m candidates), which finds the best set when the GPUs fall into
 * groups closer inside than across, as NVLink domains and NUMA nodes do.
 *
 * @param gpuCount how many GPUs the node has
 * @param pairs every pair, in the order above
 */
public record GpuTopology(int gpuCount, List<Pair> pairs) {

  /** The most combinations {@link #closestSet} tries one by one before it searches greedily. */
  public static final int EXHAUSTIVE_BOUND = 20_000;

  /** The distance of a GPU to itself. */
  public static final int SAME_GPU = 0;

  /** The level an unknown common ancestor counts as: farther than {@link TopologyLevel#SYSTEM}. */
  private static final int UNKNOWN_LEVEL = 60;

  /** What a pair without NVLink adds to its distance, so that every NVLink pair is closer. */
  private static final int WITHOUT_NVLINK = 100;

  /** Whether two GPUs have an NVLink peer-to-peer path ({@code NVML_P2P_CAPS_INDEX_NVLINK}). */
  public enum NvLink {
    /** They have (the driver answered {@code NVML_P2P_STATUS_OK}). */
    PRESENT,
    /** They have not (the driver answered another status). */
    ABSENT,
    /** The driver could not say. */
    UNKNOWN
  }

  /**
   * Two GPUs and what connects them.
   *
   * @param first the lower GPU index
   * @param second the higher GPU index
   * @param commonAncestor their PCIe common ancestor; empty when the driver could not say
   * @param nvlink whether they have an NVLink peer-to-peer path
   */
  public record Pair(int first, int second, Optional<TopologyLevel> commonAncestor, NvLink nvlink) {

    public Pair {
      if (first < 0 || second <= first) {
        throw new IllegalArgumentException(
            "a GPU pair is two GPU indices, the lower first: not (" + first + ", " + second + ")");
      }
    }

    /** A pair the driver reported nothing about. */
    public static Pair unknown(int first, int second) {
      return new Pair(first, second, Optional.empty(), NvLink.UNKNOWN);
    }

    /**
     * Their entry in a matrix like {@code nvidia-smi topo -m}: {@code NV} for NVLink (the driver's
     * peer-to-peer status gives no link count), else the level's label, or {@code ?} when unknown.
     */
    public String matrixLabel() {
      if (nvlink == NvLink.PRESENT) {
        return "NV";
      }
      return commonAncestor.map(TopologyLevel::matrixLabel).orElse("?");
    }

    /** Plain words: {@code NVLink}, else the level's words, or {@code topology unknown}. */
    public String describe() {
      if (nvlink == NvLink.PRESENT) {
        return "NVLink";
      }
      return commonAncestor.map(TopologyLevel::words).orElse("topology unknown");
    }

    /**
     * How far apart: NVLink pairs 1–61, others 101–161, by the level's NVML value (an unknown level
     * counts as 60, past SYSTEM); lower is closer.
     */
    int distance() {
      int level = commonAncestor.map(TopologyLevel::nvmlValue).orElse(UNKNOWN_LEVEL);
      return 1 + level + (nvlink == NvLink.PRESENT ? 0 : WITHOUT_NVLINK);
    }
  }

  /**
   * GPUs chosen by {@link #closestSet}.
   *
   * @param gpus the GPU indices, ascending
   * @param worstDistance the distance of the farthest pair ({@link #SAME_GPU} for one GPU)
   * @param totalDistance the distances of all pairs added up
   * @param reason why these, in plain words, e.g. {@code GPUs 0, 1: every pair NVLink}
   */
  public record Choice(List<Integer> gpus, int worstDistance, long totalDistance, String reason) {

    public Choice {
      gpus = List.copyOf(gpus);
    }
  }

  public GpuTopology {
    pairs = List.copyOf(pairs);
    if (gpuCount < 0) {
      throw new IllegalArgumentException("a node has 0 or more GPUs, not " + gpuCount);
    }
    if (pairs.size() != pairCount(gpuCount)) {
      throw new IllegalArgumentException(
          gpuCount
              + " GPUs make "
              + pairCount(gpuCount)
              + " pairs, not "
              + pairs.size()
              + "; use GpuTopology.of to fill the missing ones");
    }
    int k = 0;
    for (int i = 0; i < gpuCount; i++) {
      for (int j = i + 1; j < gpuCount; j++) {
        Pair p = pairs.get(k++);
        if (p.first() != i || p.second() != j) {
          throw new IllegalArgumentException(
              "pair " + (k - 1) + " must be GPUs (" + i + ", " + j + "), not " + p);
        }
      }
    }
  }

  /** A node of {@code gpuCount} GPUs whose driver reports no topology. */
  public static GpuTopology unknown(int gpuCount) {
    return of(gpuCount, List.of());
  }

  /**
   * The topology from the pairs a driver reported, in any order; the others are unknown.
   *
   * @throws IllegalArgumentException for a pair outside the node or reported twice
   */
  public static GpuTopology of(int gpuCount, Collection<Pair> reported) {
    if (gpuCount < 0) {
      throw new IllegalArgumentException("a node has 0 or more GPUs, not " + gpuCount);
    }
    Pair[] all = new Pair[pairCount(gpuCount)];
    for (Pair p : reported) {
      if (p.second() >= gpuCount) {
        throw new IllegalArgumentException(
            "pair (" + p.first() + ", " + p.second() + ") is outside a node of " + gpuCount);
      }
      int k = index(gpuCount, p.first(), p.second());
      if (all[k] != null) {
        throw new IllegalArgumentException(
            "pair (" + p.first() + ", " + p.second() + ") is reported twice");
      }
      all[k] = p;
    }
    List<Pair> pairs = new ArrayList<>(all.length);
    int k = 0;
    for (int i = 0; i < gpuCount; i++) {
      for (int j = i + 1; j < gpuCount; j++) {
        pairs.add(all[k] != null ? all[k] : Pair.unknown(i, j));
        k++;
      }
    }
    return new GpuTopology(gpuCount, pairs);
  }

  /** Whether the driver reported anything about any pair. */
  public boolean isKnown() {
    return pairs.stream()
        .anyMatch(p -> p.commonAncestor().isPresent() || p.nvlink() != NvLink.UNKNOWN);
  }

  /** What connects GPUs {@code i} and {@code j}, in either order. */
  public Pair pair(int i, int j) {
    checkGpu(i);
    checkGpu(j);
    if (i == j) {
      throw new IllegalArgumentException("GPU " + i + " paired with itself");
    }
    return pairs.get(index(gpuCount, Math.min(i, j), Math.max(i, j)));
  }

  /**
   * How far apart GPUs {@code i} and {@code j} are: {@link #SAME_GPU} for one GPU, NVLink pairs
   * closest (1–61), then the others (101–161), each by their common ancestor's level; an unknown
   * level counts as farther than {@link TopologyLevel#SYSTEM}. Symmetric.
   */
  public int distance(int i, int j) {
    if (i == j) {
      checkGpu(i);
      return SAME_GPU;
    }
    return pair(i, j).distance();
  }

  /**
   * What connects GPUs {@code i} and {@code j} in plain words: {@code NVLink}, {@code same PCIe
   * switch}, {@code same NUMA node}, {@code across NUMA nodes}, … or {@code topology unknown}.
   */
  public String describe(int i, int j) {
    if (i == j) {
      checkGpu(i);
      return "same GPU";
    }
    return pair(i, j).describe();
  }

  /**
   * Chooses {@code n} of the {@code candidates} that are closest together: the farthest pair as
   * close as can be, then the least total distance, then the lowest indices (see the class note).
   *
   * @param candidates distinct GPU indices of this node, e.g. the free whole GPUs
   * @throws IllegalArgumentException for an index outside the node, a repeated candidate, or {@code
   *     n} outside 1..candidates
   */
  public Choice closestSet(Collection<Integer> candidates, int n) {
    List<Integer> sorted = candidates.stream().sorted().toList();
    for (int c : sorted) {
      checkGpu(c);
    }
    if (new HashSet<>(sorted).size() != sorted.size()) {
      throw new IllegalArgumentException("candidate GPUs repeat: " + sorted);
    }
    if (n < 1 || n > sorted.size()) {
      throw new IllegalArgumentException(
          "cannot choose "
              + n
              + " GPUs from "
              + sorted.size()
              + " candidates "
              + sorted
              + "; ask for 1.."
              + sorted.size());
    }
    int[] best =
        combinations(sorted.size(), n) <= EXHAUSTIVE_BOUND
            ? exhaustive(sorted, n)
            : greedy(sorted, n);
    List<Integer> gpus = new ArrayList<>();
    for (int g : best) {
      gpus.add(g);
    }
    return new Choice(gpus, worst(best), total(best), reason(gpus));
  }

  // ---------------------------------------------------------------- search

  private int[] exhaustive(List<Integer> sorted, int n) {
    int m = sorted.size();
    int[] at = new int[n];
    for (int i = 0; i < n; i++) {
      at[i] = i;
    }
    int[] best = null;
    while (true) {
      int[] set = new int[n];
      for (int i = 0; i < n; i++) {
        set[i] = sorted.get(at[i]);
      }
      if (best == null || better(set, best)) {
        best = set;
      }
      int i = n - 1;
      while (i >= 0 && at[i] == m - n + i) {
        i--;
      }
      if (i < 0) {
        return best;
      }
      at[i]++;
      for (int j = i + 1; j < n; j++) {
        at[j] = at[j - 1] + 1;
      }
    }
  }

  private int[] greedy(List<Integer> sorted, int n) {
    int[] best = null;
    for (int seed : sorted) {
      List<Integer> set = new ArrayList<>(List.of(seed));
      while (set.size() < n) {
        int pick = -1;
        int pickWorst = Integer.MAX_VALUE;
        long pickTotal = Long.MAX_VALUE;
        for (int c : sorted) {
          if (set.contains(c)) {
            continue;
          }
          int worst = 0;
          long total = 0;
          for (int s : set) {
            int d = distance(c, s);
            worst = Math.max(worst, d);
            total += d;
          }
          if (worst < pickWorst || (worst == pickWorst && total < pickTotal)) {
            pick = c;
            pickWorst = worst;
            pickTotal = total;
          }
        }
        set.add(pick);
      }
      int[] candidate = set.stream().sorted().mapToInt(Integer::intValue).toArray();
      if (best == null || better(candidate, best)) {
        best = candidate;
      }
    }
    return best;
  }

  /** Whether {@code a} beats {@code b}: a closer farthest pair, then a lower total. */
  private boolean better(int[] a, int[] b) {
    int wa = worst(a);
    int wb = worst(b);
    if (wa != wb) {
      return wa < wb;
    }
    long ta = total(a);
    long tb = total(b);
    if (ta != tb) {
      return ta < tb;
    }
    return Arrays.compare(a, b) < 0;
  }

  private int worst(int[] set) {
    int worst = SAME_GPU;
    for (int i = 0; i < set.length; i++) {
      for (int j = i + 1; j < set.length; j++) {
        worst = Math.max(worst, distance(set[i], set[j]));
      }
    }
    return worst;
  }

  private long total(int[] set) {
    long total = 0;
    for (int i = 0; i < set.length; i++) {
      for (int j = i + 1; j < set.length; j++) {
        total += distance(set[i], set[j]);
      }
    }
    return total;
  }

  private String reason(List<Integer> gpus) {
    String names =
        (gpus.size() == 1 ? "GPU " : "GPUs ")
            + gpus.stream().map(String::valueOf).collect(Collectors.joining(", "));
    if (gpus.size() == 1) {
      return names + ": a single GPU";
    }
    Set<String> words = new HashSet<>();
    int farA = gpus.get(0);
    int farB = gpus.get(1);
    for (int i = 0; i < gpus.size(); i++) {
      for (int j = i + 1; j < gpus.size(); j++) {
        int a = gpus.get(i);
        int b = gpus.get(j);
        words.add(describe(a, b));
        if (distance(a, b) > distance(farA, farB)) {
          farA = a;
          farB = b;
        }
      }
    }
    if (!isKnown()) {
      return names + ": the driver reports no topology, so the lowest indices";
    }
    if (words.size() == 1) {
      String every = gpus.size() == 2 ? "" : "every pair ";
      return names + ": " + every + words.iterator().next();
    }
    return names + ": at worst " + describe(farA, farB) + " (GPUs " + farA + " and " + farB + ")";
  }

  // ---------------------------------------------------------------- indices

  private void checkGpu(int gpu) {
    if (gpu < 0 || gpu >= gpuCount) {
      throw new IllegalArgumentException(
          "GPU "
              + gpu
              + " is not on this node"
              + (gpuCount == 0 ? "" : ": it has GPUs 0.." + (gpuCount - 1)));
    }
  }

  private static int pairCount(int gpuCount) {
    return gpuCount * (gpuCount - 1) / 2;
  }

  /** Where pair (i, j), i &lt; j, sits in {@link #pairs}. */
  private static int index(int gpuCount, int i, int j) {
    return i * gpuCount - i * (i + 1) / 2 + (j - i - 1);
  }

  /** C(m, n), or {@code Long.MAX_VALUE} once it passes {@link #EXHAUSTIVE_BOUND}. */
  private static long combinations(int m, int n) {
    long c = 1;
    for (int i = 1; i <= n; i++) {
      c = c * (m - n + i) / i;
      if (c > EXHAUSTIVE_BOUND) {
        return Long.MAX_VALUE;
      }
    }
    return c;
  }
}
