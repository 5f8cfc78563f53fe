package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.GpuTopology.Choice;
import io.migctl.core.mig.GpuTopology.NvLink;
import io.migctl.core.mig.GpuTopology.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GpuTopologyTest {

  /** A node of {@code n} GPUs where {@code link} says what connects each pair. */
  private static GpuTopology node(int n, BiFunction<Integer, Integer, Pair> link) {
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        pairs.add(link.apply(i, j));
      }
    }
    return GpuTopology.of(n, pairs);
  }

  private static Pair pair(int i, int j, TopologyLevel level, boolean nvlink) {
    return new Pair(i, j, Optional.of(level), nvlink ? NvLink.PRESENT : NvLink.ABSENT);
  }

  /** Eight SXM GPUs on an NVSwitch, 0-3 on one NUMA node and 4-7 on the other. */
  private static GpuTopology hgx() {
    return node(
        8, (i, j) -> pair(i, j, i / 4 == j / 4 ? TopologyLevel.NODE : TopologyLevel.SYSTEM, true));
  }

  /** Four PCIe GPUs: 0-1 and 2-3 each behind a switch, the two switches on different sockets. */
  private static GpuTopology pcie() {
    return node(
        4,
        (i, j) -> pair(i, j, i / 2 == j / 2 ? TopologyLevel.SINGLE : TopologyLevel.SYSTEM, false));
  }

  private static List<Integer> all(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void nvlinkIsCloserThanAnyPcieLevelAndUnknownIsFarthest() {
    GpuTopology t =
        GpuTopology.of(
            4,
            List.of(
                pair(0, 1, TopologyLevel.SYSTEM, true),
                pair(0, 2, TopologyLevel.INTERNAL, false),
                pair(0, 3, TopologyLevel.SYSTEM, false),
                new Pair(1, 2, Optional.of(TopologyLevel.NODE), NvLink.PRESENT)));

    assertThat(t.distance(0, 0)).isEqualTo(GpuTopology.SAME_GPU);
    assertThat(t.distance(1, 2)).isLessThan(t.distance(0, 1));
    assertThat(t.distance(0, 1)).isLessThan(t.distance(0, 2));
    assertThat(t.distance(0, 2)).isLessThan(t.distance(0, 3));
    assertThat(t.distance(0, 3)).as("unknown level past SYSTEM").isLessThan(t.distance(1, 3));
    assertThat(t.distance(2, 0)).isEqualTo(t.distance(0, 2));
  }

  @Test
  void levelsFollowNvmlTheirOrderAndNvidiaSmiLabels() {
    assertThat(TopologyLevel.values())
        .extracting(TopologyLevel::nvmlValue)
        .containsExactly(0, 10, 20, 30, 40, 50);
    assertThat(TopologyLevel.values())
        .extracting(TopologyLevel::matrixLabel)
        .containsExactly("PIX", "PIX", "PXB", "PHB", "NODE", "SYS");
    assertThat(TopologyLevel.fromNvml(40)).contains(TopologyLevel.NODE);
    assertThat(TopologyLevel.fromNvml(45)).isEmpty();
  }

  @Test
  void describesPairsInPlainWords() {
    GpuTopology t =
        GpuTopology.of(
            3,
            List.of(
                pair(0, 1, TopologyLevel.SYSTEM, true), pair(0, 2, TopologyLevel.SINGLE, false)));

    assertThat(t.describe(1, 0)).isEqualTo("NVLink");
    assertThat(t.describe(0, 2)).isEqualTo("same PCIe switch");
    assertThat(t.describe(1, 2)).isEqualTo("topology unknown");
    assertThat(t.describe(2, 2)).isEqualTo("same GPU");
    assertThat(t.pair(0, 1).matrixLabel()).isEqualTo("NV");
    assertThat(t.pair(0, 2).matrixLabel()).isEqualTo("PIX");
    assertThat(t.pair(1, 2).matrixLabel()).isEqualTo("?");
    assertThat(pcie().describe(1, 2)).isEqualTo("across NUMA nodes");
    assertThat(hgx().pair(0, 3).commonAncestor().orElseThrow().words()).isEqualTo("same NUMA node");
  }

  @Test
  void onAnNvSwitchNodeFourGpusComeFromOneNumaNode() {
    Choice c = hgx().closestSet(all(8), 4);

    assertThat(c.gpus()).containsExactly(0, 1, 2, 3);
    assertThat(c.reason()).isEqualTo("GPUs 0, 1, 2, 3: every pair NVLink");
  }

  @Test
  void freeGpusOfOneNumaNodeWinOverLowerIndices() {
    Choice c = hgx().closestSet(List.of(7, 1, 2, 5, 6), 3);

    assertThat(c.gpus()).containsExactly(5, 6, 7);
  }

  @Test
  void onPcieTwoGpusBehindOneSwitchWin() {
    Choice c = pcie().closestSet(List.of(0, 2, 3), 2);

    assertThat(c.gpus()).containsExactly(2, 3);
    assertThat(c.reason()).isEqualTo("GPUs 2, 3: same PCIe switch");
  }

  @Test
  void aSetThatMustCrossSaysWhereItsFarthestPairIs() {
    Choice c = pcie().closestSet(List.of(0, 2, 3), 3);

    assertThat(c.gpus()).containsExactly(0, 2, 3);
    assertThat(c.reason()).isEqualTo("GPUs 0, 2, 3: at worst across NUMA nodes (GPUs 0 and 2)");
    assertThat(c.worstDistance()).isEqualTo(pcie().distance(0, 2));
    assertThat(c.totalDistance())
        .isEqualTo((long) pcie().distance(0, 2) + pcie().distance(0, 3) + pcie().distance(2, 3));
  }

  @Test
  void nvlinkBridgedPairsWinOnAnNvlNode() {
    GpuTopology nvl = node(4, (i, j) -> pair(i, j, TopologyLevel.NODE, i / 2 == j / 2));

    Choice c = nvl.closestSet(List.of(1, 2, 3), 2);

    assertThat(c.gpus()).containsExactly(2, 3);
    assertThat(c.reason()).isEqualTo("GPUs 2, 3: NVLink");
  }

  @Test
  void withoutTopologyTheLowestIndicesAndSaysSo() {
    Choice c = GpuTopology.unknown(4).closestSet(List.of(3, 1, 2), 2);

    assertThat(GpuTopology.unknown(4).isKnown()).isFalse();
    assertThat(c.gpus()).containsExactly(1, 2);
    assertThat(c.reason())
        .isEqualTo("GPUs 1, 2: the driver reports no topology, so the lowest indices");
  }

  @Test
  void oneGpuNeedsNoPair() {
    Choice c = pcie().closestSet(List.of(3), 1);

    assertThat(c.gpus()).containsExactly(3);
    assertThat(c.worstDistance()).isEqualTo(GpuTopology.SAME_GPU);
    assertThat(c.reason()).isEqualTo("GPU 3: a single GPU");
  }

  @Test
  void exhaustiveSearchMatchesBruteForceOnRandomNodes() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int n = 2 + random.nextInt(7);
      GpuTopology t = randomNode(random, n);
      List<Integer> candidates = randomSubset(random, n);
      int k = 1 + random.nextInt(candidates.size());

      Choice c = t.closestSet(candidates, k);

      int[] best = bruteForce(t, candidates, k);
      assertThat(new int[] {c.worstDistance(), (int) c.totalDistance()})
          .as("seed %d round %d: %s choose %d", seed, round, candidates, k)
          .containsExactly(best);
    }
  }

  @Test
  void greedySearchBeyondTheBoundFindsTheClosestGroup() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      // 64 GPUs in 8 NVLink domains of 8; across domains, PCIe levels at random.
      TopologyLevel[][] across = new TopologyLevel[64][64];
      for (int i = 0; i < 64; i++) {
        for (int j = i + 1; j < 64; j++) {
          across[i][j] = TopologyLevel.values()[random.nextInt(TopologyLevel.values().length)];
        }
      }
      GpuTopology t =
          node(
              64,
              (i, j) ->
                  i / 8 == j / 8
                      ? pair(i, j, TopologyLevel.NODE, true)
                      : pair(i, j, across[i][j], false));
      int full = random.nextInt(8);
      List<Integer> candidates = new ArrayList<>();
      for (int g = 0; g < 64; g++) {
        if (g / 8 == full || random.nextInt(3) == 0) {
          candidates.add(g);
        }
      }

      Choice c = t.closestSet(candidates, 6);

      assertThat(c.gpus())
          .as("seed %d round %d", seed, round)
          .hasSize(6)
          .allMatch(g -> g / 8 == c.gpus().getFirst() / 8);
      assertThat(c.worstDistance()).isEqualTo(t.distance(0, 1));
    }
  }

  @Test
  void badQuestionsAreRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> pcie().closestSet(List.of(0, 1), 3))
        .hasMessage("cannot choose 3 GPUs from 2 candidates [0, 1]; ask for 1..2");
    assertThatThrownBy(() -> pcie().closestSet(List.of(0, 0), 1))
        .hasMessage("candidate GPUs repeat: [0, 0]");
    assertThatThrownBy(() -> pcie().closestSet(List.of(4), 1))
        .hasMessage("GPU 4 is not on this node: it has GPUs 0..3");
    assertThatThrownBy(
            () ->
                GpuTopology.of(
                    3,
                    List.of(
                        pair(0, 1, TopologyLevel.NODE, true),
                        pair(0, 1, TopologyLevel.NODE, true))))
        .hasMessage("pair (0, 1) is reported twice");
    assertThatThrownBy(() -> GpuTopology.of(2, List.of(pair(0, 2, TopologyLevel.NODE, true))))
        .hasMessage("pair (0, 2) is outside a node of 2");
    assertThatThrownBy(() -> new Pair(1, 1, Optional.empty(), NvLink.UNKNOWN))
        .hasMessageContaining("not (1, 1)");
    assertThatThrownBy(() -> new GpuTopology(3, List.of(Pair.unknown(0, 1))))
        .hasMessageContaining("3 GPUs make 3 pairs, not 1");
  }

  // ---------------------------------------------------------------- helpers

  private static GpuTopology randomNode(Random random, int n) {
    return node(
        n,
        (i, j) -> {
          Optional<TopologyLevel> level =
              random.nextInt(5) == 0
                  ? Optional.empty()
                  : Optional.of(
                      TopologyLevel.values()[random.nextInt(TopologyLevel.values().length)]);
          NvLink nvlink = NvLink.values()[random.nextInt(NvLink.values().length)];
          return new Pair(i, j, level, nvlink);
        });
  }

  private static List<Integer> randomSubset(Random random, int n) {
    List<Integer> out = new ArrayList<>();
    for (int g = 0; g < n; g++) {
      if (random.nextBoolean()) {
        out.add(g);
      }
    }
    return out.isEmpty() ? List.of(random.nextInt(n)) : out;
  }

  /** The best (worst pair, total) over every subset of size k, by bit masks. */
  private static int[] bruteForce(GpuTopology t, List<Integer> candidates, int k) {
    int[] best = {Integer.MAX_VALUE, Integer.MAX_VALUE};
    for (int mask = 0; mask < 1 << candidates.size(); mask++) {
      if (Integer.bitCount(mask) != k) {
        continue;
      }
      List<Integer> set = new ArrayList<>();
      for (int b = 0; b < candidates.size(); b++) {
        if ((mask & 1 << b) != 0) {
          set.add(candidates.get(b));
        }
      }
      int worst = 0;
      int total = 0;
      for (int i = 0; i < set.size(); i++) {
        for (int j = i + 1; j < set.size(); j++) {
          int d = t.distance(set.get(i), set.get(j));
          worst = Math.max(worst, d);
          total += d;
        }
      }
      if (worst < best[0] || (worst == best[0] && total < best[1])) {
        best = new int[] {worst, total};
      }
    }
    return best;
  }
}
