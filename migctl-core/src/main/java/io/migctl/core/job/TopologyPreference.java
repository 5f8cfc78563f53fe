package io.migctl.core.job;

import io.migctl.core.mig.GpuTopology;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which of the free whole GPUs a gang job gets: a pure function of the free GPUs, how many the job
 * asks and the node's topology as the driver reports it. {@link #CLOSEST} is the default.
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
   * @param reason why these, in plain words, e.g. {@code GPUs 2, 3: every pair NVLink}
   */
  record Choice(List<WholeGpu> gpus, String reason) {
    public Choice {
      gpus = List.copyOf(gpus);
    }
  }

  /**
   * The closest set, as {@link GpuTopology#closestSet} finds it (the farthest pair as close as can
   * be, then the least total distance, then the lowest indices); without a topology for the node,
   * the lowest indices.
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
          return new Choice(sorted, "the only " + count + " free");
        }
        boolean covered = sorted.getLast().index() < topology.gpuCount();
        if (!topology.isKnown() || !covered) {
          return new Choice(
              sorted.subList(0, count), "no topology reported: the lowest-numbered free");
        }
        Map<Integer, WholeGpu> byIndex =
            sorted.stream().collect(Collectors.toMap(WholeGpu::index, Function.identity()));
        GpuTopology.Choice closest = topology.closestSet(byIndex.keySet(), count);
        return new Choice(closest.gpus().stream().map(byIndex::get).toList(), closest.reason());
      };
}
