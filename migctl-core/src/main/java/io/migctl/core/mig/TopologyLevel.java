package io.migctl.core.mig;

import java.util.Optional;

/**
 * How far apart two GPUs sit on the PCIe tree: the closest thing both hang from, as NVML's {@code
 * nvmlDeviceGetTopologyCommonAncestor} reports it ({@code nvmlGpuTopologyLevel_t}). Declared from
 * the closest to the farthest.
 */
public enum TopologyLevel {
  /** Both on one board ({@code NVML_TOPOLOGY_INTERNAL}). */
  INTERNAL(0, "PIX", "same board"),
  /** Behind one PCIe switch ({@code NVML_TOPOLOGY_SINGLE}). */
  SINGLE(10, "PIX", "same PCIe switch"),
  /** Behind several PCIe switches, not through a host bridge ({@code NVML_TOPOLOGY_MULTIPLE}). */
  MULTIPLE(20, "PXB", "same PCIe switch tree"),
  /** Under one PCIe host bridge ({@code NVML_TOPOLOGY_HOSTBRIDGE}). */
  HOSTBRIDGE(30, "PHB", "same PCIe host bridge"),
  /** On one NUMA node, across its host bridges ({@code NVML_TOPOLOGY_NODE}). */
  NODE(40, "NODE", "same NUMA node"),
  /** On different NUMA nodes, across the CPUs' interconnect ({@code NVML_TOPOLOGY_SYSTEM}). */
  SYSTEM(50, "SYS", "across NUMA nodes");

  private final int nvmlValue;
  private final String matrixLabel;
  private final String words;

  TopologyLevel(int nvmlValue, String matrixLabel, String words) {
    this.nvmlValue = nvmlValue;
    this.matrixLabel = matrixLabel;
    this.words = words;
  }

  /** The {@code nvmlGpuTopologyLevel_t} value: 0, 10, … 50. */
  public int nvmlValue() {
    return nvmlValue;
  }

  /**
   * The label {@code nvidia-smi topo -m} prints for it: PIX, PXB, PHB, NODE or SYS (a board's two
   * GPUs print as PIX, the closest PCIe label).
   */
  public String matrixLabel() {
    return matrixLabel;
  }

  /** Plain words, e.g. {@code same NUMA node}. */
  public String words() {
    return words;
  }

  /** The level NVML reports as {@code value}; empty for a value this enum does not know. */
  public static Optional<TopologyLevel> fromNvml(int value) {
    for (TopologyLevel level : values()) {
      if (level.nvmlValue == value) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}
