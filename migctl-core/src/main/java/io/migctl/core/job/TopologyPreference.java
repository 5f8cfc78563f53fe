package io.migctl.core.job;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which of the free whole GPUs a gang job gets: a pure function of the free GPUs, how many the job
 * asks and the node's topology. {@link #CLOSEST} is the default.
 */
@FunctionalInterface
public interface TopologyPreference {

  /**
   * Chooses {@code count} of {@code free} (which holds at least that many).
   *
   * @param free the GPUs the job may get, in index order
   */
  Choice choose(List<WholeGpu> free, int count, GpuTopology topology);

  /**
   * The GPUs chosen and why.
   *
   * @param gpus in index order
   * @param why how they were chosen
   * @param worstLevel the farthest common-ancestor level between two of them ({@link GpuTopology});
   *     {@link GpuTopology#SYSTEM} when the topology is not known
   */
  record Choice(List<WholeGpu> gpus, Why why, int worstLevel) {
    public Choice {
      gpus = List.copyOf(gpus);
    }
  }

  /** Why the GPUs were chosen. */
  enum Why {
    /** Exactly as many were free as the job asks. */
    ONLY_ONES_FREE,
    /** No topology is known for them: the lowest indices. */
    NO_TOPOLOGY,
    /** The set whose farthest pair is closest, then whose pairs are closest in sum. */
    CLOSEST
  }

  /**
   * The closest set: from each free GPU in turn, add the GPU whose farthest level to those taken is
   * lowest (then lowest sum, then lowest index) until the job has its count; keep the set whose
   * farthest pair is closest, then whose sum of levels is lowest, then the first. Cost: free³ — a
   * node has at most a few dozen GPUs. Without a topology for them, the lowest indices.
   */
  TopologyPreference CLOSEST =
      (free, count, topology) -> {
        if (free.size() < count || count < 1) {
          throw new IllegalArgumentException(
              "choose " + count + " GPUs out of " + free.size() + " free");
        }
        List<WholeGpu> sorted =
            free.stream().sorted(Comparator.comparingInt(WholeGpu::index)).toList();
        if (sorted.size() == count) {
          return new Choice(sorted, Why.ONLY_ONES_FREE, worst(sorted, topology));
        }
        boolean known =
            sorted.stream()
                .allMatch(a -> sorted.stream().allMatch(b -> topology.knows(a.index(), b.index())));
        if (!known) {
          List<WholeGpu> first = sorted.subList(0, count);
          return new Choice(first, Why.NO_TOPOLOGY, worst(first, topology));
        }
        List<WholeGpu> best = null;
        long[] bestScore = null;
        for (WholeGpu seed : sorted) {
          List<WholeGpu> set = grow(seed, sorted, count, topology);
          long[] score = {worst(set, topology), sum(set, topology)};
          if (best == null
              || score[0] < bestScore[0]
              || (score[0] == bestScore[0] && score[1] < bestScore[1])) {
            best = set;
            bestScore = score;
          }
        }
        List<WholeGpu> chosen =
            best.stream().sorted(Comparator.comparingInt(WholeGpu::index)).toList();
        return new Choice(chosen, Why.CLOSEST, (int) bestScore[0]);
      };

  private static List<WholeGpu> grow(
      WholeGpu seed, List<WholeGpu> free, int count, GpuTopology topology) {
    List<WholeGpu> set = new ArrayList<>(List.of(seed));
    while (set.size() < count) {
      WholeGpu next = null;
      long[] nextScore = null;
      for (WholeGpu g : free) {
        if (set.contains(g)) {
          continue;
        }
        long far = 0;
        long total = 0;
        for (WholeGpu s : set) {
          int level = topology.level(g.index(), s.index());
          far = Math.max(far, level);
          total += level;
        }
        if (next == null || far < nextScore[0] || (far == nextScore[0] && total < nextScore[1])) {
          next = g;
          nextScore = new long[] {far, total};
        }
      }
      set.add(next);
    }
    return set;
  }

  private static int worst(List<WholeGpu> set, GpuTopology topology) {
    int far = GpuTopology.INTERNAL;
    for (WholeGpu a : set) {
      for (WholeGpu b : set) {
        far = Math.max(far, topology.level(a.index(), b.index()));
      }
    }
    return far;
  }

  private static long sum(List<WholeGpu> set, GpuTopology topology) {
    long total = 0;
    for (WholeGpu a : set) {
      for (WholeGpu b : set) {
        total += topology.level(a.index(), b.index());
      }
    }
    return total;
  }
}
