package io.migctl.core.job;

import java.util.ArrayList;
import java.util.List;

/**
 * How close the node's GPUs are to each other: for each pair, the level of their closest common
 * ancestor as NVML's {@code nvmlDeviceGetTopologyCommonAncestor} reports it (lower is closer).
 * Indexed by GPU index; a GPU is at level {@link #INTERNAL} to itself.
 *
 * @param levels a square, symmetric matrix of levels; empty when the topology is not known
 */
public record GpuTopology(List<List<Integer>> levels) {

  /** The same board ({@code NVML_TOPOLOGY_INTERNAL}). */
  public static final int INTERNAL = 0;

  /** One PCIe switch, or an NVLink/NVSwitch domain ({@code NVML_TOPOLOGY_SINGLE}). */
  public static final int SINGLE = 10;

  /** Several PCIe switches without the host bridge ({@code NVML_TOPOLOGY_MULTIPLE}). */
  public static final int MULTIPLE = 20;

  /** One host bridge ({@code NVML_TOPOLOGY_HOSTBRIDGE}). */
  public static final int HOST_BRIDGE = 30;

  /** One NUMA node ({@code NVML_TOPOLOGY_NODE}). */
  public static final int NODE = 40;

  /** Across NUMA nodes ({@code NVML_TOPOLOGY_SYSTEM}). */
  public static final int SYSTEM = 50;

  /** No topology known: every set of GPUs is as good as another. */
  public static final GpuTopology UNKNOWN = new GpuTopology(List.of());

  public GpuTopology {
    List<List<Integer>> copy = new ArrayList<>();
    for (List<Integer> row : levels) {
      if (row.size() != levels.size()) {
        throw new IllegalArgumentException(
            "a topology is a square matrix; a row has "
                + row.size()
                + " levels for "
                + levels.size()
                + " GPUs");
      }
      copy.add(List.copyOf(row));
    }
    for (int a = 0; a < copy.size(); a++) {
      for (int b = 0; b < copy.size(); b++) {
        int level = copy.get(a).get(b);
        if (level < 0 || level != copy.get(b).get(a)) {
          throw new IllegalArgumentException(
              "GPUs "
                  + a
                  + " and "
                  + b
                  + ": levels must be symmetric and not negative, were "
                  + level
                  + " and "
                  + copy.get(b).get(a));
        }
      }
    }
    levels = List.copyOf(copy);
  }

  /** Whether levels are known for both GPUs. */
  public boolean knows(int a, int b) {
    return a < levels.size() && b < levels.size();
  }

  /** The level between two GPUs; {@link #SYSTEM} when not known. */
  public int level(int a, int b) {
    return knows(a, b) ? levels.get(a).get(b) : SYSTEM;
  }
}
