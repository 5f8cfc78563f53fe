package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.DeviceFilter;
import io.migctl.core.mig.config.DeviceSelection;
import java.util.LinkedHashMap;
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

  private static ConfigEntry entry(
      String path, DeviceSelection devices, Map<String, Integer> wish) {
    Map<ProfileName, Integer> devicesByName = new LinkedHashMap<>();
    wish.forEach((k, v) -> devicesByName.put(ProfileName.parse(k), v));
    return new ConfigEntry(path, List.of(), devices, true, devicesByName);
  }

  private static ConfigEntry all(Map<String, Integer> wish) {
    return entry("mig-configs.c[0]", new DeviceSelection.All(), wish);
  }

  /** Each desired GPU instance as text: {@code 3g.20gb [1c.3g.20gb, 1c.3g.20gb]}. */
  private static List<String> instances(DesiredGpu gpu) {
    return gpu.instances().stream().map(DesiredInstance::toString).toList();
  }

  private static DesiredGpu only(List<ConfigEntry> entries, List<GpuSnapshot> gpus) {
    Map<Integer, DesiredGpu> desired = DesiredLayouts.resolve(entries, gpus);
    assertThat(desired).hasSize(1);
    return desired.values().iterator().next();
  }

  @Test
  void gpuInstanceProfilesAreOneGpuInstanceEachWithItsDefaultComputeInstance() {
    DesiredGpu gpu = only(List.of(all(ordered("3g.20gb", 1, "2g.10gb", 2))), node);

    assertThat(gpu.gpu()).isZero();
    assertThat(gpu.migEnabled()).isTrue();
    assertThat(gpu.source()).isEqualTo("mig-configs.c[0]");
    assertThat(instances(gpu)).containsExactly("3g.20gb", "2g.10gb", "2g.10gb");
    assertThat(gpu.instances())
        .allSatisfy(
            i -> assertThat(i.computeInstances()).singleElement().matches(c -> c.isDefault()));
  }

  @Test
  void computeInstanceProfilesFillOneGpuInstanceBeforeTheNextIsMade() {
    DesiredGpu gpu = only(List.of(all(Map.of("1c.3g.20gb", 4))), node);

    assertThat(instances(gpu))
        .containsExactly("3g.20gb [1c.3g.20gb, 1c.3g.20gb, 1c.3g.20gb]", "3g.20gb [1c.3g.20gb]");
  }

  @Test
  void largerComputeInstancesArePackedFirst() {
    DesiredGpu gpu = only(List.of(all(ordered("1c.3g.20gb", 3, "2c.3g.20gb", 1))), node);

    assertThat(instances(gpu))
        .containsExactly("3g.20gb [2c.3g.20gb, 1c.3g.20gb]", "3g.20gb [1c.3g.20gb, 1c.3g.20gb]");
  }

  @Test
  void migOffWantsNoInstancesWhateverTheEntryLists() {
    ConfigEntry off =
        new ConfigEntry(
            "mig-configs.off[0]",
            List.of(),
            new DeviceSelection.All(),
            false,
            Map.of(ProfileName.parse("7g.40gb"), 1));

    assertThat(DesiredLayouts.resolve(List.of(off), node))
        .containsExactly(Map.entry(0, new DesiredGpu(0, false, List.of(), "mig-configs.off[0]")));
  }

  @Test
  void aProfileTheGpuLacksIsRefusedListingItsProfiles() {
    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(all(Map.of("1g.10gb+gfx", 1))), node))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mig-configs.c[0].mig-devices: \"1g.10gb+gfx\" is not a profile of NVIDIA"
                + " A100-SXM4-40GB (GPU 0); its profiles are "
                + Catalog.A100_40GB.profileNamesText());
  }

  @Test
  void aComputeInstanceProfileTheGpuInstanceLacksIsRefusedListingItsOwn() {
    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(all(Map.of("3c.4g.20gb", 1))), node))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mig-configs.c[0].mig-devices: \"3c.4g.20gb\" is not a compute-instance profile of"
                + " 4g.20gb on NVIDIA A100-SXM4-40GB (GPU 0); its compute-instance profiles are"
                + " [1c.4g.20gb, 2c.4g.20gb, 4g.20gb]");
  }

  @Test
  void countsThatCannotBePlacedAreRefusedNamingTheWholeWish() {
    assertThatThrownBy(
            () -> DesiredLayouts.resolve(List.of(all(ordered("4g.20gb", 1, "3g.20gb", 2))), node))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "mig-configs.c[0].mig-devices: 4g.20gb ×1 + 3g.20gb ×2 cannot be placed on NVIDIA"
                + " A100-SXM4-40GB (GPU 0): ");
  }

  @Test
  void aGpuClaimedByTwoEntriesIsRefusedNamingBoth() {
    List<GpuSnapshot> two = twoGpus();
    ConfigEntry first =
        entry("mig-configs.c[0]", new DeviceSelection.Indices(List.of(1)), Map.of());
    ConfigEntry second = entry("mig-configs.c[1]", new DeviceSelection.All(), Map.of());

    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(first, second), two))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mig-configs.c[1]: GPU 1 (NVIDIA H100 80GB HBM3) is already claimed by"
                + " mig-configs.c[0]; give each GPU one entry (narrow 'devices' or"
                + " 'device-filter')");
  }

  @Test
  void entriesForOtherGpusAndFiltersTellGpusApart() {
    List<GpuSnapshot> two = twoGpus();
    ConfigEntry a100 =
        new ConfigEntry(
            "mig-configs.c[0]",
            List.of(new DeviceFilter(Catalog.A100_40GB.pciDeviceIdText())),
            new DeviceSelection.All(),
            true,
            Map.of(ProfileName.parse("7g.40gb"), 1));
    ConfigEntry second =
        entry("mig-configs.c[1]", new DeviceSelection.Indices(List.of(1)), Map.of("1g.10gb", 7));

    Map<Integer, DesiredGpu> desired = DesiredLayouts.resolve(List.of(a100, second), two);

    assertThat(desired).containsOnlyKeys(0, 1);
    assertThat(instances(desired.get(0))).containsExactly("7g.40gb");
    assertThat(desired.get(0).source()).isEqualTo("mig-configs.c[0]");
    assertThat(instances(desired.get(1))).hasSize(7).containsOnly("1g.10gb");
    assertThat(desired.get(1).source()).isEqualTo("mig-configs.c[1]");
  }

  @Test
  void aGpuNoEntryMatchesIsAbsent() {
    ConfigEntry second =
        entry("mig-configs.c[0]", new DeviceSelection.Indices(List.of(1)), Map.of());

    assertThat(DesiredLayouts.resolve(List.of(second), twoGpus())).containsOnlyKeys(1);
  }

  @Test
  void anExplicitIndexOnANodeOfSeveralGpusListsThemAll() {
    ConfigEntry entry =
        entry("mig-configs.c[0]", new DeviceSelection.Indices(List.of(2)), Map.of());

    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(entry), twoGpus()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mig-configs.c[0].devices: GPU 2 is not on this node; this node has GPUs 0 (NVIDIA"
                + " A100-SXM4-40GB), 1 (NVIDIA H100 80GB HBM3); name only GPUs it has, or write"
                + " devices: all");
  }

  @Test
  void anExplicitIndexOnANodeWithoutGpusSaysSo() {
    ConfigEntry entry =
        entry("mig-configs.c[0]", new DeviceSelection.Indices(List.of(0)), Map.of());

    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(entry), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("GPU 0 is not on this node; this node has no GPU;");
  }

  @Test
  void anExplicitIndexIsCheckedBeforeAnyEntryIsResolved() {
    // The first entry alone would be refused for its profile; the missing GPU is named first.
    ConfigEntry bad = all(Map.of("9g.99gb", 1));
    ConfigEntry missing =
        entry("mig-configs.c[1]", new DeviceSelection.Indices(List.of(5)), Map.of());

    assertThatThrownBy(() -> DesiredLayouts.resolve(List.of(bad, missing), node))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mig-configs.c[1].devices: GPU 5 is not on this node");
  }

  @Test
  void aWishIsDescribedByItsGpuInstanceCounts() {
    DesiredGpu gpu = only(List.of(all(ordered("4g.20gb", 1, "1g.5gb", 2))), node);

    assertThat(DesiredLayouts.describe(gpu)).isEqualTo("4g.20gb ×1 + 1g.5gb ×2");
    assertThat(DesiredLayouts.describe(new DesiredGpu(0, true, List.of(), "s")))
        .isEqualTo("no instances");
  }

  private static List<GpuSnapshot> twoGpus() {
    return List.of(
        new Layouts(Catalog.A100_40GB).index(0).snapshot(),
        new Layouts(Catalog.H100_80GB).index(1).snapshot());
  }

  private static Map<String, Integer> ordered(String a, int countA, String b, int countB) {
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put(a, countA);
    out.put(b, countB);
    return out;
  }
}
