package io.migctl.apply;

import static io.migctl.apply.WildFileExpectations.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.apply.WildFileExpectations.Expect;
import io.migctl.apply.WildFileExpectations.Hooks;
import io.migctl.apply.WildFileExpectations.Loads;
import io.migctl.apply.WildFileExpectations.LoadsThenFailsLater;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mig-parted files of {@code src/test/resources/wild-mig/} (sources in its README), found in
 * public repositories after {@code configs-in-the-wild/}: each one reads as mig-parted would read
 * it, and every loaded config whose profiles all belong to one catalog model applies on a simulated
 * node of that model (as many GPUs as its entries name), or is refused with a reason that names the
 * config.
 */
class WildMigConfigsTest implements WildFolderContract {

  private static final Map<String, Expect> EXPECTED = new TreeMap<>();

  static {
    Map<String, Expect> e = EXPECTED;
    String gpuOperator = "NVIDIA__gpu-operator__assets_state-mig-manager_0400_configmap__at-";
    e.put(gpuOperator + "183026b78.yaml", new Loads(49, "all-1g.23gb"));
    e.put(gpuOperator + "3e982ef06.yaml", new Loads(65, "all-1g.24gb.gfx"));
    e.put(gpuOperator + "711c31cb6.yaml", new Loads(30, "all-7g.94gb"));
    e.put(gpuOperator + "a46021cf4.yaml", new Loads(24, "all-balanced"));
    e.put(
        "NVIDIA__gpu-operator__issues_281__custom-mig-config-configmap.yaml",
        new Loads(1, "all-4g.20gb"));
    e.put("NVIDIA__k8s-dra-driver__demo_mig-parted-config.yaml", new Loads(1, "half-half"));
    e.put(
        "NVIDIA__k8s-dra-driver__demo_specs_mig+mps_sharing-demo-mig-parted-config.yaml",
        new Loads(2, "half-enabled"));
    e.put(
        "NVIDIA__k8s-dra-driver__demo_specs_quickstart_mig-parted-config.yaml",
        new Loads(2, "half-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_container_nvidia-mig-manager-example-hopper__at-407e0eab.yaml",
        new Loads(21, "all-1g.18gb"));
    // H100 NVL profiles as first shipped: mig-parted reads them; no GPU has 1g.11gb.
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-bcced065.yaml",
        new LoadsThenFailsLater(31, "all-1g.11gb", "1g.11gb is not a profile of the H100 NVL"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_hooks-default__at-aeca231f.yaml",
        new Hooks(List.of("apply-start", "pre-apply-mode", "pre-apply-config", "apply-exit")));
    // custom-config names GPUs 4-7 on a node with two.
    e.put(
        "NVIDIA__mig-parted__issues_97__a100-80gb-pcie-x2.yaml",
        new LoadsThenFailsLater(8, "custom-config", "GPUs 4-7 do not exist on the user's node"));
    e.put("index-1693279364__a30-example-configs.yaml", new Loads(6, "custom-config"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-bf4695a9.yaml",
        new Loads(29, "all-7g.94gb"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-9e0382f5.yaml",
        new Loads(64, "all-4g.96gb.gfx"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-ebab1f77.yaml",
        new Loads(68, "all-1g.24gb.gfx"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_hooks-default__at-e8770222.yaml",
        new Hooks(List.of("apply-start", "pre-apply-mode", "pre-apply-config", "apply-exit")));
    e.put(
        "NVIDIA__nv-ingest__helm_mig_nv-ingest-mig-config.yaml",
        new Loads(2, "single-gpu-nv-ingest"));
    e.put(
        "gianlucavinci98__k8s-mig-dra__manifests_custom-mig-config.yaml",
        new Loads(12, "three-2g.10gb-one-1g.10gb"));
    e.put("matsuolab__openpbs-gpu-system__mig_config.yaml", new Loads(4, "three-split"));
    e.put(
        "techlearn-center__gpu-infrastructure__manifests_mig-config.yaml",
        new Loads(6, "mixed-inference"));

    String bad = "invalid-or-failing/";
    e.put(
        bad + "NVIDIA__gpu-operator__issues_603__custom-mig-fragment.yaml",
        refused("not a mig-parted config", "\"custom-mig\"", "wrap it"));
    e.put(
        bad + "NVIDIA__k8s-dra-driver__README.md__heredoc-half-half.yaml",
        refused(":8:7: ", "expected <block end>"));
    e.put(
        bad + "index-47800134706__flattened-indentation.yaml",
        refused("all-disabled: unknown field", "indent it under mig-configs:"));
    e.put(
        bad + "index-54818241906__migenabled-typo-configmap.yaml",
        refused("mig-configs.all-1g.10gb[0]", "\"migenabled\""));
  }

  @TempDir Path home;

  @Override
  public Path folder() {
    try {
      return Path.of(WildMigConfigsTest.class.getResource("/wild-mig").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Map<String, Expect> expected() {
    return EXPECTED;
  }

  static Stream<String> loadedFiles() {
    return EXPECTED.entrySet().stream()
        .filter(
            e ->
                switch (e.getValue()) {
                  case Loads l -> true;
                  case LoadsThenFailsLater l -> true;
                  case Hooks h -> false;
                  case WildFileExpectations.Refused r -> false;
                })
        .map(Map.Entry::getKey);
  }

  @ParameterizedTest
  @MethodSource("loadedFiles")
  void everyConfigOfOneCatalogModelAppliesOnASimulatedNodeOfIt(String name) throws IOException {
    MigPartedConfig config = read(name);
    int tried = 0;
    int applied = 0;
    for (var c : config.configs().entrySet()) {
      for (GpuModel model : Catalog.models()) {
        if (namesOnly(c.getValue(), model)) {
          tried++;
          applied += applyOrRefuse(name, c.getKey(), config, model) ? 1 : 0;
        }
      }
    }
    if (tried > 0) {
      assertThat(applied).as("%s: configs applied out of %d tried", name, tried).isPositive();
    }
  }

  /** Whether every profile that the enabled entries name is one of the model's. */
  private static boolean namesOnly(List<ConfigEntry> entries, GpuModel model) {
    Set<ProfileName> known =
        model.profiles().stream().map(GpuInstanceProfile::name).collect(Collectors.toSet());
    List<ProfileName> named =
        entries.stream()
            .filter(ConfigEntry::migEnabled)
            .flatMap(entry -> entry.migDevices().keySet().stream())
            .map(ProfileName::gpuInstance)
            .toList();
    return !named.isEmpty() && known.containsAll(named);
  }

  /** The fewest GPUs a node needs for every index the entries name: one for devices: all. */
  private static int gpusNamed(List<ConfigEntry> entries) {
    int highest =
        entries.stream()
            .mapToInt(
                entry ->
                    switch (entry.devices()) {
                      case DeviceSelection.All all -> 0;
                      case DeviceSelection.Indices(List<Integer> indices) ->
                          indices.stream().mapToInt(Integer::intValue).max().orElse(0);
                    })
            .max()
            .orElse(0);
    return highest + 1;
  }

  /** Applies the config on a node of the model: true, or false when it is refused. */
  private boolean applyOrRefuse(String file, String name, MigPartedConfig config, GpuModel model) {
    return applyOrRefuse(
        file, name, config, node(model.key() + ":" + gpusNamed(config.select(Optional.of(name)))));
  }

  /** Applies the config on the simulated node: true, or false when it is refused. */
  private boolean applyOrRefuse(
      String file, String name, MigPartedConfig config, SimulatedMigDriver sim) {
    String model = GpuSnapshot.readAll(sim).getFirst().model().key();
    Map<Integer, DesiredGpu> desired;
    try {
      desired = resolve(config, name, sim);
    } catch (ConfigException e) {
      assertThat(e.getMessage())
          .as("%s %s on %s", file, name, model)
          .contains("mig-configs." + name);
      return false;
    }
    Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    LayoutApplier applier =
        new LayoutApplier(
            sim,
            new ApplyJournal(home.resolve(model + "/journal.jsonl"), clock),
            ApplyHooks.NONE,
            () -> "a1",
            line -> {});
    ApplyResult result = applier.apply(desired);
    assertThat(result.succeeded()).as("%s %s on %s: %s", file, name, model, result).isTrue();
    assertThat(applier.plan(desired, GpuSnapshot.readAll(sim)).operations())
        .as("%s %s on %s: applied again, nothing to do", file, name, model)
        .isZero();
    return true;
  }

  @Test
  void aMixedA100LayoutLandsWhereTheRealGpuPutIt() throws IOException {
    // The repo's ResourceSlice dump of the real A100-SXM4-40GB after applying this config:
    // 2g.10gb on memory slices 0-1, 2-3 and 4-5, 1g.10gb on 6-7.
    String name = "gianlucavinci98__k8s-mig-dra__manifests_custom-mig-config.yaml";
    MigPartedConfig config = read(name);
    SimulatedMigDriver sim = node("a100-40gb:1");
    assertThat(applyOrRefuse(name, "three-2g.10gb-one-1g.10gb", config, sim)).isTrue();
    assertThat(
            GpuSnapshot.readAll(sim).getFirst().instances().stream()
                .map(i -> i.profile().name() + "@" + i.gpuInstance().placement().start())
                .sorted()
                .toList())
        .containsExactly("1g.10gb@6", "2g.10gb@0", "2g.10gb@2", "2g.10gb@4");
  }

  @Test
  void theFirstH100NvlProfilesAreRefusedOnAnH100Nvl() throws IOException {
    String name = "NVIDIA__mig-parted__deployments_systemd_config-default__at-bcced065.yaml";
    MigPartedConfig config = read(name);
    assertThatThrownBy(() -> resolve(config, "all-1g.11gb", node("h100-94gb:1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mig-configs.all-1g.11gb[0]")
        .hasMessageContaining("1g.11gb");
  }

  @Test
  void aConfigForEightGpusIsRefusedOnANodeWithTwo() throws IOException {
    String name = "NVIDIA__mig-parted__issues_97__a100-80gb-pcie-x2.yaml";
    MigPartedConfig config = read(name);
    assertThatThrownBy(() -> resolve(config, "custom-config", node("a100-80gb-pcie:2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mig-configs.custom-config");
  }

  private MigPartedConfig read(String name) throws IOException {
    return MigPartedFiles.readConfig(Files.readString(folder().resolve(name)), name);
  }

  private static SimulatedMigDriver node(String spec) {
    return SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(spec));
  }

  private static Map<Integer, DesiredGpu> resolve(
      MigPartedConfig config, String name, SimulatedMigDriver sim) {
    return DesiredLayouts.resolve(config.select(Optional.of(name)), GpuSnapshot.readAll(sim));
  }
}
