package io.migctl.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real NVML, read-only: runs only where {@code libnvidia-ml.so.1} loads and reports a GPU. It never
 * changes MIG mode, never creates or destroys an instance and never resets a GPU — it only reads.
 */
class NvmlHwIT {

  private static NvmlMigDriver driver;

  @BeforeAll
  static void openRealNvml() {
    NvmlProbe probe = NvmlMigDriver.probe(Optional.empty());
    assumeTrue(
        probe instanceof NvmlProbe.Available,
        () -> "no real NVML here: " + ((NvmlProbe.Unavailable) probe).reason());
    driver = ((NvmlProbe.Available) probe).driver();
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void everyGpuReadsWithItsIdentityAndMode() {
    List<GpuDevice> gpus = driver.gpus();
    assertThat(gpus).isNotEmpty();
    for (GpuDevice g : gpus) {
      assertThat(g.uuid()).startsWith("GPU-");
      assertThat(g.productName()).startsWith("NVIDIA");
      assertThat(g.memoryMiB()).isPositive();
    }
    assertThat(GpuSnapshot.readAll(driver)).hasSameSizeAs(gpus);
  }

  @Test
  void migEnabledGpusReportTheCatalogsIdsPlacementsAndCounts() {
    for (GpuDevice g : driver.gpus()) {
      if (!g.migMode().current()) {
        continue;
      }
      GpuModel model = driver.migModel(g.index());
      assertThat(model.profiles()).as("GPU %d profiles", g.index()).isNotEmpty();
      Optional<GpuModel> known =
          Catalog.models().stream().filter(m -> m.pciDeviceId() == g.pciDeviceId()).findFirst();
      if (known.isEmpty()) {
        continue;
      }
      for (GpuInstanceProfile p : model.profiles()) {
        known
            .get()
            .profile(p.id())
            .ifPresent(
                c -> {
                  assertThat(p.placements())
                      .as("%s placements on GPU %d", p.name(), g.index())
                      .isEqualTo(c.placements());
                  assertThat(p.maxCount()).as("%s max count", p.name()).isEqualTo(c.maxCount());
                  assertThat(p.computeSlices())
                      .as("%s compute slices", p.name())
                      .isEqualTo(c.computeSlices());
                });
      }
    }
  }
}
