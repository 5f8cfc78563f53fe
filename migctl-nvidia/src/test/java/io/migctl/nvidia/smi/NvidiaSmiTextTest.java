package io.migctl.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parsers on real outputs from {@code shared/reference/mig/nvidia-smi-samples/}. */
class NvidiaSmiTextTest {

  private static String sample(String name) throws IOException {
    Path dir =
        Path.of(
            System.getProperty("migctl.shared.dir", "../../shared"),
            "reference/mig/nvidia-smi-samples");
    return Files.readString(dir.resolve(name));
  }

  @Test
  void readsTheProfileTable() throws IOException {
    List<NvidiaSmiText.ProfileRow> rows =
        NvidiaSmiText.profiles(sample("mig-user-guide_a100-40gb_mig-lgip.txt"));
    assertThat(rows)
        .extracting(NvidiaSmiText.ProfileRow::name)
        .containsExactly(
            "1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb");
    assertThat(rows)
        .extracting(NvidiaSmiText.ProfileRow::id)
        .containsExactly(19, 20, 15, 14, 9, 5, 0);
    assertThat(rows.get(4)).isEqualTo(new NvidiaSmiText.ProfileRow(0, "3g.20gb", 9, 2, 2, 19.5));

    List<NvidiaSmiText.ProfileRow> full =
        NvidiaSmiText.profiles(sample("a100-80gb-pcie_mig-lgip_7x1g-created.txt"));
    assertThat(full).extracting(NvidiaSmiText.ProfileRow::free).containsOnly(0);
  }

  @Test
  void readsPlacements() throws IOException {
    List<NvidiaSmiText.PlacementsRow> rows =
        NvidiaSmiText.placements(sample("h100-80gb-hbm3_mig-lgipp.txt"));
    assertThat(rows).hasSize(7);
    assertThat(rows.get(4))
        .isEqualTo(
            new NvidiaSmiText.PlacementsRow(
                0, 9, List.of(new Placement(0, 4), new Placement(4, 4))));
    assertThat(rows.get(6))
        .isEqualTo(new NvidiaSmiText.PlacementsRow(0, 0, List.of(new Placement(0, 8))));
  }

  @Test
  void readsGpuAndComputeInstances() throws IOException {
    String session = sample("h100-80gb-hbm3_cgi-7x19-C_lgi_lci_dci_dgi.txt");
    assertThat(NvidiaSmiText.gpuInstances(session))
        .hasSize(7)
        .contains(new NvidiaSmiText.GpuInstanceRow(0, "1g.10gb", 19, 13, new Placement(6, 1)));
    assertThat(NvidiaSmiText.computeInstances(session))
        .hasSize(7)
        .contains(
            new NvidiaSmiText.ComputeInstanceRow(
                0, 13, "1g.10gb", 0, 0, Optional.of(new Placement(0, 1))));
    assertThat(
            NvidiaSmiText.computeInstances(
                sample("mig-user-guide_a100-40gb_cci-and-lci_3x1c.3g.20gb.txt")))
        .extracting(NvidiaSmiText.ComputeInstanceRow::placement)
        .containsOnly(Optional.empty());
  }

  @Test
  void readsTheDeviceList() throws IOException {
    List<NvidiaSmiText.ListedGpu> gpus =
        NvidiaSmiText.list(sample("h100-80gb-hbm3_nvidia-smi-L_mixed_3g-2g-1g-1g.txt"));
    assertThat(gpus).hasSize(1);
    assertThat(gpus.getFirst().name()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(gpus.getFirst().uuid()).isEqualTo("GPU-b4895dbf-9350-2524-a89b-98161ddd9fe4");
    assertThat(gpus.getFirst().migDevices())
        .extracting(NvidiaSmiText.ListedMigDevice::profile)
        .containsExactly("3g.40gb", "2g.20gb", "1g.10gb", "1g.10gb");
  }
}
