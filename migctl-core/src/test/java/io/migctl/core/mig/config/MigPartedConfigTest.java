package io.migctl.core.mig.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Choosing a config of a file, which GPUs an entry selects, and where an error is. */
class MigPartedConfigTest {

  private static ConfigEntry entry(String path) {
    return new ConfigEntry(path, List.of(), new DeviceSelection.All(), false, Map.of());
  }

  private static MigPartedConfig file(String... names) {
    Map<String, List<ConfigEntry>> configs = new LinkedHashMap<>();
    for (String n : names) {
      configs.put(n, List.of(entry("mig-configs." + n + "[0]")));
    }
    return new MigPartedConfig(configs);
  }

  @Test
  void theOnlyConfigIsChosenWithoutAName() {
    MigPartedConfig one = file("all-disabled");

    assertThat(one.select(Optional.empty())).containsExactly(entry("mig-configs.all-disabled[0]"));
    assertThat(one.selectedName(Optional.empty())).isEqualTo("all-disabled");
  }

  @Test
  void aNamedConfigIsChosenByItsName() {
    MigPartedConfig two = file("a", "b");

    assertThat(two.select(Optional.of("b"))).containsExactly(entry("mig-configs.b[0]"));
    assertThat(two.selectedName(Optional.of("b"))).isEqualTo("b");
  }

  @Test
  void severalConfigsNeedAName() {
    assertThatThrownBy(() -> file("a", "b").select(Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mig-configs: the file has 2 configs; choose one with -c NAME: a, b");
    assertThatThrownBy(() -> file().select(Optional.empty()))
        .hasMessage("mig-configs: the file has no config");
  }

  @Test
  void anUnknownNameIsRefusedListingTheNames() {
    assertThatThrownBy(() -> file("a", "b").selectedName(Optional.of("c")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mig-configs: there is no config \"c\"; the file has a, b");
    assertThatThrownBy(() -> file().select(Optional.of("c")))
        .hasMessage("mig-configs: there is no config \"c\"; the file has none");
  }

  @Test
  void devicesSelectAllOrTheListedIndices() {
    assertThat(new DeviceSelection.All().includes(5)).isTrue();
    assertThat(new DeviceSelection.Indices(List.of(0, 2)).includes(2)).isTrue();
    assertThat(new DeviceSelection.Indices(List.of(0, 2)).includes(1)).isFalse();
  }

  @Test
  void aDeviceFilterMatchesTheDeviceIdOrTheDeviceAndSubsystemIds() {
    DeviceFilter device = new DeviceFilter(" 0x20B010DE ");
    DeviceFilter both = new DeviceFilter("0x20B010DE:0x134F10DE");

    assertThat(device.matches(0x20B010DE, 0x145710DE)).isTrue();
    assertThat(device.matches(0x233010DE, 0x145710DE)).isFalse();
    assertThat(both.matches(0x20B010DE, 0x134F10DE)).isTrue();
    assertThat(both.matches(0x20B010DE, 0x145710DE)).isFalse();
    assertThat(both.matches(0x233010DE, 0x134F10DE)).isFalse();
  }

  @Test
  void aDeviceFilterKnowsWhetherItHasTheShapeOfAPciId() {
    assertThat(new DeviceFilter("0x20B010DE").isPciId()).isTrue();
    assertThat(new DeviceFilter("0x20b010de:0x134F10DE").isPciId()).isTrue();
    assertThat(new DeviceFilter("A100-SXM4-40GB").isPciId()).isFalse();
    assertThat(new DeviceFilter("0x20B010D").isPciId()).isFalse();
  }

  @Test
  void anEntryMatchesAGpuItSelectsThatPassesOneOfItsFilters() {
    ConfigEntry filtered =
        new ConfigEntry(
            "mig-configs.c[0]",
            List.of(new DeviceFilter("0x233010DE"), new DeviceFilter("0x20B010DE")),
            new DeviceSelection.Indices(List.of(1)),
            true,
            Map.of());

    assertThat(filtered.matches(1, 0x20B010DE, 0)).isTrue();
    assertThat(filtered.matches(0, 0x20B010DE, 0)).isFalse();
    assertThat(filtered.matches(1, 0x20F110DE, 0)).isFalse();
  }

  @Test
  void anErrorFoundAfterReadingNamesTheFileInFront() {
    ConfigException inEntry = new ConfigException("mig-configs.c[0].devices", "GPU 3 is absent");
    ConfigException whole = new ConfigException("", "the file is empty");

    ConfigException placed = inEntry.in("custom.yaml");
    assertThat(placed).hasMessage("custom.yaml: mig-configs.c[0].devices: GPU 3 is absent");
    assertThat(placed.path()).isEqualTo("custom.yaml: mig-configs.c[0].devices");
    assertThat(placed.problem()).isEqualTo("GPU 3 is absent");
    assertThat(placed).hasCause(inEntry);
    assertThat(whole.in("<stdin>")).hasMessage("<stdin>: the file is empty");
  }
}
