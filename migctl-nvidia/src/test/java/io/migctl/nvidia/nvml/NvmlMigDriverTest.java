package io.migctl.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Architecture;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.CatalogBoards;
import io.migctl.core.mig.CatalogRtxPro;
import io.migctl.core.mig.DriverError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the NVML driver decides without NVML: loading failures, error mapping, names. */
class NvmlMigDriverTest {

  @Test
  void openingALibraryThatDoesNotExistSaysSo() {
    Path missing = Path.of("/nonexistent/migctl/libnvidia-ml.so.1");
    assertThatThrownBy(() -> NvmlMigDriver.open(Optional.of(missing)))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage(
            "libnvidia-ml.so.1 was not found: /nonexistent/migctl/libnvidia-ml.so.1 does not exist");
  }

  @Test
  void openingAFileThatIsNotALibrarySaysItCouldNotBeLoaded(@TempDir Path dir) throws IOException {
    Path notALibrary = Files.writeString(dir.resolve("libnvidia-ml.so.1"), "not ELF\n");
    assertThatThrownBy(() -> NvmlMigDriver.open(Optional.of(notALibrary)))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessageStartingWith(notALibrary + " could not be loaded: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void probeAnswersUnavailableWithTheReason() {
    Path missing = Path.of("/nonexistent/migctl/libnvidia-ml.so.1");
    assertThat(NvmlMigDriver.probe(Optional.of(missing)))
        .isEqualTo(
            new NvmlProbe.Unavailable(
                "libnvidia-ml.so.1 was not found: " + missing + " does not exist"));
  }

  @Test
  void nvmlReturnCodesMapToDriverErrors() {
    assertThat(NvmlReturn.toDriverError(NvmlReturn.INVALID_ARGUMENT))
        .isEqualTo(DriverError.INVALID_ARGUMENT);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.NOT_SUPPORTED))
        .isEqualTo(DriverError.NOT_SUPPORTED);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.NO_PERMISSION))
        .isEqualTo(DriverError.NO_PERMISSION);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.NOT_FOUND)).isEqualTo(DriverError.NOT_FOUND);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.DRIVER_NOT_LOADED))
        .isEqualTo(DriverError.DRIVER_NOT_LOADED);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.RESET_REQUIRED))
        .isEqualTo(DriverError.RESET_REQUIRED);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.IN_USE)).isEqualTo(DriverError.IN_USE);
    assertThat(NvmlReturn.toDriverError(NvmlReturn.INSUFFICIENT_RESOURCES))
        .isEqualTo(DriverError.INSUFFICIENT_RESOURCES);
    for (int other :
        new int[] {
          NvmlReturn.UNINITIALIZED,
          NvmlReturn.INSUFFICIENT_SIZE,
          NvmlReturn.FUNCTION_NOT_FOUND,
          NvmlReturn.ARGUMENT_VERSION_MISMATCH,
          NvmlReturn.UNKNOWN
        }) {
      assertThat(NvmlReturn.toDriverError(other))
          .as("code %d", other)
          .isEqualTo(DriverError.UNKNOWN);
    }
  }

  @Test
  void nvidiaSmiResetFailuresAreReadFromItsWords() {
    assertThat(
            NvmlMigDriver.resetError(
                "GPU 00000000:07:00.0 is currently in use by another process.\n"))
        .isEqualTo(DriverError.IN_USE);
    assertThat(NvmlMigDriver.resetError("Unable to reset GPU: In use by another client"))
        .isEqualTo(DriverError.IN_USE);
    assertThat(NvmlMigDriver.resetError("Resetting GPU 00000000:00:03.0 is not supported."))
        .isEqualTo(DriverError.NOT_SUPPORTED);
    assertThat(NvmlMigDriver.resetError("Insufficient Permissions"))
        .isEqualTo(DriverError.NO_PERMISSION);
    assertThat(NvmlMigDriver.resetError("something else")).isEqualTo(DriverError.UNKNOWN);
  }

  @Test
  void modelKeysComeFromTheName() {
    assertThat(NvmlModelReader.key("A100-SXM4-40GB")).isEqualTo("nvml-a100-sxm4-40gb");
    assertThat(NvmlModelReader.key("H100 80GB HBM3")).isEqualTo("nvml-h100-80gb-hbm3");
    assertThat(NvmlModelReader.key("RTX PRO 6000 Blackwell Server Edition"))
        .isEqualTo("nvml-rtx-pro-6000-blackwell-server-edition");
  }

  @Test
  void architecturesAreNvmlsCodes() {
    assertThat(NvmlModelReader.architecture(7)).contains(Architecture.AMPERE);
    assertThat(NvmlModelReader.architecture(9)).contains(Architecture.HOPPER);
    assertThat(NvmlModelReader.architecture(10)).contains(Architecture.BLACKWELL);
    assertThat(NvmlModelReader.architecture(8)).isEmpty();
    assertThat(NvmlModelReader.architecture(0xFFFF_FFFF)).isEmpty();
  }

  @Test
  void theCatalogIsFoundByPciIdOrName() {
    assertThat(NvmlModelReader.catalogEntry(0x20B010DE, "whatever", "whatever"))
        .contains(Catalog.A100_40GB);
    assertThat(NvmlModelReader.catalogEntry(0x20F110DE, "A100-PCIE-40GB", "NVIDIA A100-PCIE-40GB"))
        .contains(CatalogBoards.A100_40GB_PCIE);
    assertThat(NvmlModelReader.catalogEntry(0x2BB510DE, "whatever", "whatever"))
        .contains(CatalogRtxPro.SERVER);
    assertThat(NvmlModelReader.catalogEntry(0x12345678, "A100-SXM4-40GB", "whatever"))
        .contains(Catalog.A100_40GB);
    assertThat(NvmlModelReader.catalogEntry(0x1EB810DE, "Tesla T4", "Tesla T4")).isEmpty();
  }
}
