package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.CatalogBoards;
import io.migctl.core.mig.CatalogRtxPro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedNodeSpecTest {

  @Test
  void listsGpusInTheOrderWritten() {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse("a100-40gb:2, h100-80gb");
    assertThat(spec.gpus())
        .containsExactly(Catalog.A100_40GB, Catalog.A100_40GB, Catalog.H100_80GB);
    assertThat(spec.canonical()).isEqualTo("a100-40gb:2,h100-80gb:1");
  }

  @Test
  void startsTheGpusOfAMigOffEntryWithMigOff() {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse("a100-40gb:2, a100-40gb:2:MIG-OFF");
    assertThat(spec.gpus()).hasSize(4);
    assertThat(spec.migOnAtStart()).containsExactly(true, true, false, false);
    assertThat(spec.canonical()).isEqualTo("a100-40gb:2,a100-40gb:2:mig-off");
    assertThat(SimulatedNodeSpec.parse("h100-80gb:mig-off").migOnAtStart()).containsExactly(false);

    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(spec);
    assertThat(driver.gpus())
        .extracting(g -> g.migMode().current())
        .containsExactly(true, true, false, false);
  }

  @Test
  void acceptsAliasesInAnyCase() {
    assertThat(SimulatedNodeSpec.parse("H100-NVL:1,a30").canonical())
        .isEqualTo("h100-94gb:1,a30-24gb:1");
  }

  @Test
  void namesAPciBoardOfAFamily() {
    SimulatedNodeSpec spec =
        SimulatedNodeSpec.parse("a100-40gb-pcie:2,A100-PCIE-80GB,rtx-pro-6000");
    assertThat(spec.gpus())
        .containsExactly(
            CatalogBoards.A100_40GB_PCIE,
            CatalogBoards.A100_40GB_PCIE,
            CatalogBoards.A100_80GB_PCIE,
            CatalogRtxPro.SERVER);
    assertThat(spec.gpus().getFirst().pciDeviceIdText()).isEqualTo("0x20F110DE");
    assertThat(spec.canonical()).isEqualTo("a100-40gb-pcie:2,a100-80gb-pcie:1,rtx-pro-6000:1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a100-41gb:1|unknown GPU model \"a100-41gb\"; known models: a100-40gb",
        "a100-40gb:x|count \"x\" is not a number",
        "a100-40gb:0|count must be at least 1",
        "a100-40gb:1,,h100|has an empty entry",
        "a100-40gb:65|1..64 GPUs",
      })
  void rejectsBadSpecsSayingWhatIsWrong(String spec, String message) {
    assertThatThrownBy(() -> SimulatedNodeSpec.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsAnEmptySpec() {
    assertThatThrownBy(() -> SimulatedNodeSpec.parse(" ")).hasMessageContaining("e.g. a100-40gb:2");
  }
}
