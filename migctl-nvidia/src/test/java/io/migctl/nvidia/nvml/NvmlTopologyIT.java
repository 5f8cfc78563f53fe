package io.migctl.nvidia.nvml;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.GpuTopology.NvLink;
import io.migctl.core.mig.TopologyLevel;
import io.migctl.process.ScriptedToolRunner;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NvmlMigDriver#topology} over the C stand-in {@code src/test/c/fake_nvml.c} (two
 * A100-SXM4-40GB GPUs on one NUMA node, joined by NVLink until a test says otherwise), built here
 * with gcc into a copy of its own. Skipped when gcc is not installed.
 */
class NvmlTopologyIT {

  private static final int NVML_TOPOLOGY_SINGLE = 10;
  private static final int NVML_TOPOLOGY_NODE = 40;
  private static final int NVML_P2P_STATUS_OK = 0;
  private static final int NVML_P2P_STATUS_NOT_SUPPORTED = 5;
  private static final int NVML_P2P_STATUS_UNKNOWN = 6;

  /** What makes the stand-in's call fail with NOT_SUPPORTED. */
  private static final int FAILS = -1;

  private static Arena arena;
  private static MethodHandle setTopology;
  private static NvmlMigDriver driver;
  private static String notBuilt;

  @BeforeAll
  @SuppressWarnings("restricted")
  static void buildTheStandIn() throws IOException, InterruptedException {
    Path library;
    try {
      library = StandInBuild.ownCopy("topology");
    } catch (StandInBuild.GccMissing e) {
      notBuilt = e.getMessage();
      return;
    }
    arena = Arena.ofShared();
    setTopology =
        Linker.nativeLinker()
            .downcallHandle(
                SymbolLookup.libraryLookup(library, arena)
                    .find("fakeNvmlSetTopology")
                    .orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    driver = NvmlMigDriver.open(Optional.of(library), new ScriptedToolRunner());
  }

  @BeforeEach
  void needsTheStandIn() {
    RequiredTools.fromEnvironment().require(notBuilt == null, () -> notBuilt);
  }

  @AfterEach
  void leaveTheStandInAsItWas() throws Throwable {
    if (driver != null) {
      setTopology(NVML_TOPOLOGY_NODE, NVML_P2P_STATUS_OK);
    }
  }

  @AfterAll
  static void closeIt() {
    if (driver != null) {
      driver.close();
    }
    if (arena != null) {
      arena.close();
    }
  }

  private static void setTopology(int level, int nvlink) throws Throwable {
    assertThat((int) setTopology.invokeExact(level, nvlink)).isZero();
  }

  @Test
  void readsTheCommonAncestorAndNvlinkOfEachPair() {
    GpuTopology t = driver.topology();

    assertThat(t.gpuCount()).isEqualTo(2);
    assertThat(t.pairs())
        .containsExactly(
            new GpuTopology.Pair(0, 1, Optional.of(TopologyLevel.NODE), NvLink.PRESENT));
    assertThat(t.describe(0, 1)).isEqualTo("NVLink");
  }

  @Test
  void aPairWithoutNvlinkIsDescribedByItsPcieLevel() throws Throwable {
    setTopology(NVML_TOPOLOGY_SINGLE, NVML_P2P_STATUS_NOT_SUPPORTED);

    GpuTopology t = driver.topology();

    assertThat(t.pair(0, 1).commonAncestor()).contains(TopologyLevel.SINGLE);
    assertThat(t.pair(0, 1).nvlink()).isEqualTo(NvLink.ABSENT);
    assertThat(t.describe(0, 1)).isEqualTo("same PCIe switch");
  }

  @Test
  void failedCallsLeaveThePairUnknownInsteadOfGuessing() throws Throwable {
    setTopology(FAILS, FAILS);

    GpuTopology t = driver.topology();

    assertThat(t.isKnown()).isFalse();
    assertThat(t.pairs()).containsExactly(GpuTopology.Pair.unknown(0, 1));
    assertThat(t.closestSet(List.of(0, 1), 2).reason())
        .isEqualTo("GPUs 0, 1: the driver reports no topology, so the lowest indices");
  }

  @Test
  void aLevelOrStatusTheDriverDoesNotKnowIsUnknownToo() throws Throwable {
    setTopology(45, NVML_P2P_STATUS_UNKNOWN);

    assertThat(driver.topology().pairs()).containsExactly(GpuTopology.Pair.unknown(0, 1));
  }

  @Test
  void eachHalfFailsOnItsOwn() throws Throwable {
    setTopology(NVML_TOPOLOGY_NODE, FAILS);

    GpuTopology.Pair p = driver.topology().pair(0, 1);

    assertThat(p.commonAncestor()).contains(TopologyLevel.NODE);
    assertThat(p.nvlink()).isEqualTo(NvLink.UNKNOWN);
    assertThat(p.describe()).isEqualTo("same NUMA node");
  }
}
