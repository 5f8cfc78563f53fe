package io.migctl.cli;

import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.TopologyLevel;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code migctl gpus --topo}: the GPU topology as a matrix in the manner of {@code nvidia-smi topo
 * -m}, or as JSON.
 */
final class TopologyView {

  private static final int CELL = 6;

  private TopologyView() {}

  /** The topology in {@code gpus --topo --json}. */
  record TopologyJson(int gpus, boolean known, List<PairJson> pairs) {}

  /**
   * One pair in {@code gpus --topo --json}: {@code commonAncestor} is NVML's level name ({@code
   * SINGLE}, {@code NODE}, …) or null when unknown; {@code nvlink} is {@code present}, {@code
   * absent} or {@code unknown}; {@code distance} is what multi-GPU placement minimises.
   */
  record PairJson(
      List<Integer> gpus,
      String commonAncestor,
      String nvlink,
      String label,
      String description,
      int distance) {}

  static TopologyJson toJson(GpuTopology t) {
    return new TopologyJson(
        t.gpuCount(),
        t.isKnown(),
        t.pairs().stream()
            .map(
                p ->
                    new PairJson(
                        List.of(p.first(), p.second()),
                        p.commonAncestor().map(TopologyLevel::name).orElse(null),
                        p.nvlink().name().toLowerCase(Locale.ROOT),
                        p.matrixLabel(),
                        p.describe(),
                        t.distance(p.first(), p.second())))
            .toList());
  }

  static void printText(PrintWriter out, GpuTopology t) {
    int n = t.gpuCount();
    StringBuilder head = new StringBuilder(" ".repeat(CELL));
    for (int j = 0; j < n; j++) {
      head.append(cell("GPU" + j));
    }
    out.println(head.toString().stripTrailing());
    for (int i = 0; i < n; i++) {
      StringBuilder row = new StringBuilder(cell("GPU" + i));
      for (int j = 0; j < n; j++) {
        row.append(cell(i == j ? "X" : t.pair(i, j).matrixLabel()));
      }
      out.println(row.toString().stripTrailing());
    }
    out.println();
    if (n > 1 && !t.isKnown()) {
      out.println("The driver reports no topology for these GPUs.");
      out.println();
    }
    out.println("Legend:");
    out.println("  X    = the same GPU");
    out.println("  NV   = an NVLink peer-to-peer path (NVSwitch or bridge; no link count)");
    out.println("  PIX  = at most one PCIe switch, or one board");
    out.println("  PXB  = several PCIe switches, no host bridge");
    out.println("  PHB  = one PCIe host bridge");
    out.println("  NODE = one NUMA node, across its PCIe host bridges");
    out.println("  SYS  = across NUMA nodes");
    out.println("  ?    = the driver did not say");
    out.flush();
  }

  private static String cell(String text) {
    return String.format(Locale.ROOT, "%-" + CELL + "s", text);
  }
}
