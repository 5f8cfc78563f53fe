package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.GpuTopology.NvLink;
import io.migctl.core.mig.TopologyLevel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedTopologyTest {

  private static GpuTopology topologyOf(String spec) {
    return SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(spec)).topology();
  }

  @Test
  void anSxmNodeIsOneNvSwitchFabricOverTwoNumaNodes() {
    GpuTopology t = topologyOf("a100-40gb:8");

    assertThat(t.gpuCount()).isEqualTo(8);
    assertThat(t.pairs()).allMatch(p -> p.nvlink() == NvLink.PRESENT);
    assertThat(t.pair(0, 3).commonAncestor()).contains(TopologyLevel.NODE);
    assertThat(t.pair(3, 4).commonAncestor()).contains(TopologyLevel.SYSTEM);
    assertThat(t.pair(4, 7).commonAncestor()).contains(TopologyLevel.NODE);
    assertThat(t.closestSet(List.of(2, 3, 4, 5, 6), 3).gpus()).containsExactly(4, 5, 6);
  }

  @Test
  void pcieCardsHaveNoNvlinkAndPreferTheirNumaNode() {
    GpuTopology t = topologyOf("h100-80gb-pcie:4");

    assertThat(t.pairs()).allMatch(p -> p.nvlink() == NvLink.ABSENT);
    assertThat(t.describe(0, 1)).isEqualTo("same NUMA node");
    assertThat(t.describe(1, 2)).isEqualTo("across NUMA nodes");
    assertThat(t.closestSet(List.of(1, 2, 3), 2).reason()).isEqualTo("GPUs 2, 3: same NUMA node");
  }

  @Test
  void nvlCardsAreBridgedInPairs() {
    GpuTopology t = topologyOf("h100-nvl:4");

    assertThat(t.pair(0, 1).nvlink()).isEqualTo(NvLink.PRESENT);
    assertThat(t.pair(2, 3).nvlink()).isEqualTo(NvLink.PRESENT);
    assertThat(t.pair(1, 2).nvlink()).isEqualTo(NvLink.ABSENT);
    assertThat(t.pair(0, 2).nvlink()).isEqualTo(NvLink.ABSENT);
  }

  @Test
  void nvlinkJoinsOnlyGpusOfTheSameModel() {
    GpuTopology t = topologyOf("a100-40gb:2,h100-80gb:2");

    assertThat(t.pair(0, 1).nvlink()).isEqualTo(NvLink.PRESENT);
    assertThat(t.pair(1, 2).nvlink()).isEqualTo(NvLink.ABSENT);
    assertThat(t.pair(2, 3).nvlink()).isEqualTo(NvLink.PRESENT);
  }

  @Test
  void migOffGpusKeepTheirLinks() {
    assertThat(topologyOf("a100-40gb:2,a100-40gb:2:mig-off")).isEqualTo(topologyOf("a100-40gb:4"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a100-40gb, NVSWITCH",
    "a800-80gb, NVSWITCH",
    "h100-80gb, NVSWITCH",
    "h200-141gb, NVSWITCH",
    "gh200-144gb, NVSWITCH",
    "b200-180gb, NVSWITCH",
    "gb200-186gb, NVSWITCH",
    "h100-94gb, NVLINK_BRIDGED_PAIRS",
    "h800-94gb, NVLINK_BRIDGED_PAIRS",
    "h200-141gb-nvl, NVLINK_BRIDGED_PAIRS",
    "a100-40gb-pcie, PCIE",
    "a100-40gb-20b1, PCIE",
    "a800-40gb, PCIE",
    "a100-80gb-pcie, PCIE",
    "h100-80gb-pcie, PCIE",
    "h800-80gb-pcie, PCIE",
    "a30-24gb, PCIE",
    "rtx-pro-6000, PCIE",
    "rtx-pro-6000-ws, PCIE",
    "rtx-pro-6000-maxq, PCIE"
  })
  void boardsOfTheCatalog(String key, SimulatedTopology.Board board) {
    GpuModel model = Catalog.find(key).orElseThrow();

    assertThat(SimulatedTopology.board(model)).isEqualTo(board);
  }
}
