package io.migctl.core.mig.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.LayoutAssertion;
import io.migctl.core.mig.change.Layouts;
import io.migctl.core.mig.change.Layouts.Ci;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveConfigTest {

  private static List<String> names(Map<ProfileName, Integer> devices) {
    return devices.keySet().stream().map(ProfileName::toString).toList();
  }

  private static ConfigEntry onlyEntry(MigPartedConfig config, String label) {
    assertThat(config.configs()).containsOnlyKeys(label);
    assertThat(config.configs().get(label)).hasSize(1);
    return config.configs().get(label).getFirst();
  }

  @Test
  void oneGpuIsOneEntryForAllGpusCountingMigDevicesInTheGpusProfileOrder() {
    GpuSnapshot gpu =
        new Layouts(Catalog.A100_40GB).gi("4g.20gb", 0).gi("2g.10gb", 4).gi("1g.5gb", 6).snapshot();

    ConfigEntry entry = onlyEntry(LiveConfig.export(List.of(gpu), "current"), "current");

    assertThat(entry.path()).isEqualTo("mig-configs.current[0]");
    assertThat(entry.deviceFilter()).isEmpty();
    assertThat(entry.devices()).isEqualTo(new DeviceSelection.All());
    assertThat(entry.migEnabled()).isTrue();
    assertThat(names(entry.migDevices())).containsExactly("1g.5gb", "2g.10gb", "4g.20gb");
    assertThat(entry.migDevices().values()).containsOnly(1);
  }

  @Test
  void instancesOfOneProfileAreCounted() {
    GpuSnapshot gpu = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 4).gi("3g.20gb", 0).snapshot();

    ConfigEntry entry = onlyEntry(LiveConfig.export(List.of(gpu), "x"), "x");

    assertThat(entry.migDevices()).isEqualTo(Map.of(ProfileName.parse("3g.20gb"), 2));
  }

  @Test
  void computeInstancesOfOneGpuInstanceAreListedLargestFirst() {
    GpuSnapshot gpu =
        new Layouts(Catalog.A100_40GB)
            .gi("3g.20gb", 0, List.of(new Ci("1c.3g.20gb", 2), new Ci("2c.3g.20gb", 0)))
            .snapshot();

    ConfigEntry entry = onlyEntry(LiveConfig.export(List.of(gpu), "x"), "x");

    assertThat(names(entry.migDevices())).containsExactly("2c.3g.20gb", "1c.3g.20gb");
  }

  @Test
  void aGpuWithMigOffHasNoDevicesEvenWhenItIsOnAfterAReset() {
    GpuSnapshot gpu = new Layouts(Catalog.A100_40GB, new MigMode(false, true)).snapshot();

    ConfigEntry entry = onlyEntry(LiveConfig.export(List.of(gpu), "x"), "x");

    assertThat(entry.migEnabled()).isFalse();
    assertThat(entry.migDevices()).isEmpty();
  }

  @Test
  void gpusThatLookTheSameShareOneEntryForAllGpus() {
    List<GpuSnapshot> node =
        List.of(
            new Layouts(Catalog.A100_40GB).index(0).gi("7g.40gb", 0).snapshot(),
            new Layouts(Catalog.A100_40GB).index(1).gi("7g.40gb", 0).snapshot());

    ConfigEntry entry = onlyEntry(LiveConfig.export(node, "x"), "x");

    assertThat(entry.devices()).isEqualTo(new DeviceSelection.All());
    assertThat(entry.migDevices()).isEqualTo(Map.of(ProfileName.parse("7g.40gb"), 1));
  }

  @Test
  void gpusThatDifferAreGroupedByIndexInOrderOfTheirFirstGpu() {
    List<GpuSnapshot> node =
        List.of(
            new Layouts(Catalog.A100_40GB).index(0).gi("7g.40gb", 0).snapshot(),
            new Layouts(Catalog.A100_40GB, MigMode.DISABLED).index(1).snapshot(),
            new Layouts(Catalog.A100_40GB).index(2).gi("7g.40gb", 0).snapshot());

    MigPartedConfig config = LiveConfig.export(node, "now");

    List<ConfigEntry> entries = config.configs().get("now");
    assertThat(entries)
        .containsExactly(
            new ConfigEntry(
                "mig-configs.now[0]",
                List.of(),
                new DeviceSelection.Indices(List.of(0, 2)),
                true,
                Map.of(ProfileName.parse("7g.40gb"), 1)),
            new ConfigEntry(
                "mig-configs.now[1]",
                List.of(),
                new DeviceSelection.Indices(List.of(1)),
                false,
                Map.of()));
  }

  @Test
  void gpusWithTheSameDevicesReadInAnotherOrderLookTheSame() {
    List<GpuSnapshot> node =
        List.of(
            new Layouts(Catalog.A100_40GB).index(0).gi("4g.20gb", 0).gi("3g.20gb", 4).snapshot(),
            new Layouts(Catalog.A100_40GB).index(1).gi("3g.20gb", 4).gi("4g.20gb", 0).snapshot());

    ConfigEntry entry = onlyEntry(LiveConfig.export(node, "x"), "x");

    assertThat(names(entry.migDevices())).containsExactly("3g.20gb", "4g.20gb");
  }

  @Test
  void applyingTheExportToTheSameNodeWouldChangeNothing() {
    List<GpuSnapshot> node =
        List.of(
            new Layouts(Catalog.A100_40GB)
                .index(0)
                .gi("3g.20gb", 0, List.of(new Ci("2c.3g.20gb", 0), new Ci("1c.3g.20gb", 2)))
                .gi("2g.10gb", 4)
                .gi("1g.5gb", 6)
                .snapshot(),
            new Layouts(Catalog.H100_80GB, MigMode.DISABLED).index(1).snapshot(),
            new Layouts(Catalog.H100_80GB).index(2).gi("1g.10gb", 0).gi("1g.10gb", 1).snapshot());

    MigPartedConfig config = LiveConfig.export(node, "current");
    Map<Integer, DesiredGpu> desired =
        DesiredLayouts.resolve(config.select(Optional.empty()), node);

    assertThat(desired).containsOnlyKeys(0, 1, 2);
    List<String> differences = new ArrayList<>();
    node.forEach(
        gpu ->
            differences.addAll(
                LayoutAssertion.differences(gpu, desired.get(gpu.device().index()))));
    assertThat(differences).isEmpty();
  }
}
