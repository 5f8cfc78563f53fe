package io.migctl.nvidia.sim;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.GpuTopology.NvLink;
import io.migctl.core.mig.TopologyLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The topology of a simulated node, from its GPUs' boards (see {@link SimulatedMigDriver}'s class
 * note for the rules). Pure.
 */
final class SimulatedTopology {

  /** How a board reaches its peers. */
  enum Board {
    /** SXM or superchip modules: every GPU of the node's same model on one NVSwitch fabric. */
    NVSWITCH,
    /** PCIe cards joined two by two with NVLink bridges (H100 NVL, H800 NVL, H200 NVL). */
    NVLINK_BRIDGED_PAIRS,
    /** PCIe cards without NVLink. */
    PCIE
  }

  /** PCIe boards whose product name does not say PCIe. */
  private static final Set<String> PCIE_KEYS =
      Set.of("a30-24gb", "a800-40gb", "rtx-pro-6000", "rtx-pro-6000-ws", "rtx-pro-6000-maxq");

  private SimulatedTopology() {}

  /** The board a model comes on. */
  static Board board(GpuModel model) {
    String name = model.productName().toUpperCase(Locale.ROOT);
    if (name.endsWith(" NVL")) {
      return Board.NVLINK_BRIDGED_PAIRS;
    }
    if (name.contains("PCIE") || PCIE_KEYS.contains(model.key())) {
      return Board.PCIE;
    }
    return Board.NVSWITCH;
  }

  /** The topology of GPUs of these models, in index order. */
  static GpuTopology of(List<GpuModel> gpus) {
    int n = gpus.size();
    List<GpuTopology.Pair> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        TopologyLevel level = half(i, n) == half(j, n) ? TopologyLevel.NODE : TopologyLevel.SYSTEM;
        NvLink nvlink = nvlinked(gpus, i, j) ? NvLink.PRESENT : NvLink.ABSENT;
        pairs.add(new GpuTopology.Pair(i, j, Optional.of(level), nvlink));
      }
    }
    return GpuTopology.of(n, pairs);
  }

  /**
   * Which NUMA node (CPU socket) GPU {@code i} of {@code n} hangs from: the first or second half.
   */
  private static int half(int i, int n) {
    return 2 * i / n;
  }

  private static boolean nvlinked(List<GpuModel> gpus, int i, int j) {
    GpuModel a = gpus.get(i);
    if (!a.key().equals(gpus.get(j).key())) {
      return false;
    }
    return switch (board(a)) {
      case NVSWITCH -> true;
      case NVLINK_BRIDGED_PAIRS -> i / 2 == j / 2;
      case PCIE -> false;
    };
  }
}
