package io.migctl.core.mig.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.DeviceFilter;
import io.migctl.core.mig.config.DeviceSelection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredLayoutsTest {

  private final List<GpuSnapshot> node = List.of(new Layouts(Catalog.A100_40GB).snapshot());

  @Test
  void anExplicitIndexTheNodeLacksIsRefusedNamingItAndTheNodesGpus() {
    ConfigEntry entry =
        new ConfigEntry(
            "mig-configs.c[0]",
            List.of(),
            new DeviceSelection.Indices(List.of(0, 99)),
            true,
            Map.of(ProfileName.parse("7g.40gb"), 1));

    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(entry), node))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mig-configs.c[0].devices: ")
        .hasMessageContaining("GPU 99 is not on this node")
        .hasMessageContaining("this node has GPU 0 (NVIDIA A100-SXM4-40GB)");
  }

  @Test
  void aDeviceFilterThatMatchesNothingIsNoError() {
    ConfigEntry entry =
        new ConfigEntry(
            "mig-configs.c[0]",
            List.of(new DeviceFilter("0x233010DE")),
            new DeviceSelection.All(),
            true,
            Map.of(ProfileName.parse("1g.10gb"), 7));

    assertThat(DesiredLayouts.resolve(List.of(entry), node)).isEmpty();
  }
}
