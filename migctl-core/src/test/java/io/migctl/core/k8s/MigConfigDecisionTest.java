package io.migctl.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.Layouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigConfigDecisionTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Duration DEADLINE = Duration.ofMinutes(30);

  private static final MigPartedConfig FILE =
      new MigPartedConfig(
          Map.of(
              "all-3g",
              List.of(entry("mig-configs.all-3g[0]", Map.of("3g.20gb", 2))),
              "all-1g",
              List.of(entry("mig-configs.all-1g[0]", Map.of("1g.5gb", 7))),
              "too-big",
              List.of(entry("mig-configs.too-big[0]", Map.of("7g.40gb", 2))),
              "off",
              List.of(
                  new ConfigEntry(
                      "mig-configs.off[0]",
                      List.of(),
                      new DeviceSelection.All(),
                      false,
                      Map.of()))));

  private static ConfigEntry entry(String path, Map<String, Integer> wish) {
    Map<ProfileName, Integer> devices = new LinkedHashMap<>();
    wish.forEach((k, v) -> devices.put(ProfileName.parse(k), v));
    return new ConfigEntry(path, List.of(), new DeviceSelection.All(), true, devices);
  }

  private static MigConfigAction decide(
      String config, List<GpuSnapshot> gpus, List<PodAllocation> pods, Optional<Instant> since) {
    return MigConfigDecision.decide(
        new MigConfigDecision.Request(
            Optional.ofNullable(config), FILE, gpus, pods, since, NOW, DEADLINE));
  }

  private static GpuSnapshot twoThreeG(int index, long... pidsOnSecond) {
    return new Layouts(Catalog.A100_40GB)
        .index(index)
        .gi("3g.20gb", 0)
        .gi("3g.20gb", 4, pidsOnSecond)
        .snapshot();
  }

  @Test
  void noLabelOrABlankOneAsksForNothing() {
    assertThat(decide(null, List.of(twoThreeG(0)), List.of(), Optional.empty()))
        .isInstanceOf(MigConfigAction.NoConfig.class);
    assertThat(decide(" ", List.of(twoThreeG(0)), List.of(), Optional.empty()))
        .isInstanceOf(MigConfigAction.NoConfig.class);
  }

  @Test
  void aConfigTheFileLacksIsInvalidAndNamesTheOnesItHas() {
    MigConfigAction a = decide("all-2g", List.of(twoThreeG(0)), List.of(), Optional.empty());
    assertThat(a).isInstanceOf(MigConfigAction.Invalid.class);
    assertThat(((MigConfigAction.Invalid) a).reason())
        .contains("no config \"all-2g\"")
        .contains("all-3g")
        .contains("label the node with one of them");
  }

  @Test
  void aConfigTheGpusCannotTakeIsInvalidWithThePlannerReason() {
    MigConfigAction a = decide("too-big", List.of(twoThreeG(0)), List.of(), Optional.empty());
    assertThat(a).isInstanceOf(MigConfigAction.Invalid.class);
    assertThat(((MigConfigAction.Invalid) a).reason()).contains("mig-configs.too-big[0]");
  }

  @Test
  void gpusThatAlreadyMatchAreAsDesiredWhateverThePlacements() {
    assertThat(decide("all-3g", List.of(twoThreeG(0), twoThreeG(1)), List.of(), Optional.empty()))
        .isEqualTo(new MigConfigAction.AsDesired("all-3g"));
  }

  @Test
  void aChangePlansEveryCoveredGpuAndCountsItsOperations() {
    MigConfigAction a = decide("all-1g", List.of(twoThreeG(0)), List.of(), Optional.empty());
    assertThat(a).isInstanceOf(MigConfigAction.Change.class);
    MigConfigAction.Change c = (MigConfigAction.Change) a;
    assertThat(c.changedGpus()).containsExactly(0);
    assertThat(c.resetGpus()).isEmpty();
    // two 3g destroyed (CI + GI each), seven 1g created (GI + CI each)
    assertThat(c.operations()).isEqualTo(4 + 14);
    assertThat(c.desired()).containsKey(0);
  }

  @Test
  void aGpuAlreadyAsDesiredIsPlannedWithoutStepsAndNotCountedAsChanged() {
    Layouts sevenOnes = new Layouts(Catalog.A100_40GB).index(1);
    for (int start = 0; start < 7; start++) {
      sevenOnes.gi("1g.5gb", start);
    }
    MigConfigAction.Change c =
        (MigConfigAction.Change)
            decide(
                "all-1g", List.of(twoThreeG(0), sevenOnes.snapshot()), List.of(), Optional.empty());
    assertThat(c.plans()).hasSize(2);
    assertThat(c.changedGpus()).containsExactly(0);
  }

  @Test
  void turningMigOffOnAmpereResetsThatGpu() {
    MigConfigAction.Change c =
        (MigConfigAction.Change) decide("off", List.of(twoThreeG(0)), List.of(), Optional.empty());
    assertThat(c.resetGpus()).containsExactly(0);
  }

  @Test
  void aDeviceHeldByAProcessBlocksAndIsNamedWithItsPid() {
    GpuSnapshot gpu = twoThreeG(0, 4242);
    MigConfigAction a = decide("all-1g", List.of(gpu), List.of(), Optional.empty());
    MigConfigAction.Blocked b = (MigConfigAction.Blocked) a;
    assertThat(b.gaveUp()).isFalse();
    assertThat(b.holders())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.gpu()).isZero();
              assertThat(h.instance()).isEqualTo("3g.20gb@4:4");
              assertThat(h.by()).isEqualTo("pid 4242");
            });
    assertThat(b.reason()).startsWith("GPU 0: ");
  }

  @Test
  void aDeviceOnlyAllocatedToAPodBlocksAndThePodIsNamed() {
    GpuSnapshot gpu = twoThreeG(0);
    String second = gpu.instances().get(1).computeInstances().getFirst().computeInstance().uuid();
    PodAllocation pod =
        new PodAllocation("ml", "train", "main", "nvidia.com/mig-3g.20gb", List.of(second));

    MigConfigAction.Blocked b =
        (MigConfigAction.Blocked) decide("all-1g", List.of(gpu), List.of(pod), Optional.empty());

    assertThat(b.holdersText())
        .isEqualTo("GPU 0 " + second + " (3g.20gb@4:4): pod ml/train (container main)");
    assertThat(b.reason()).contains("the pod it is allocated to").doesNotContain("pid 0");
  }

  @Test
  void anAllocationOfADeviceTheChangeKeepsDoesNotBlock() {
    GpuSnapshot gpu = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 4).snapshot();
    String kept = gpu.instances().getFirst().computeInstances().getFirst().computeInstance().uuid();
    PodAllocation pod = new PodAllocation("ml", "a", "c", "r", List.of(kept));

    assertThat(decide("all-3g", List.of(gpu), List.of(pod), Optional.empty()))
        .isInstanceOf(MigConfigAction.Change.class);
  }

  @Test
  void aWholeGpuAllocatedToAPodMayNotChangeAtAll() {
    GpuSnapshot whole = new Layouts(Catalog.A100_40GB, MigMode.DISABLED).snapshot();
    PodAllocation pod =
        new PodAllocation("ml", "full", "c", "nvidia.com/gpu", List.of(whole.device().uuid()));

    MigConfigAction.Blocked b =
        (MigConfigAction.Blocked) decide("all-3g", List.of(whole), List.of(pod), Optional.empty());

    assertThat(b.reason()).contains("allocated whole to pod ml/full (container c)");
    assertThat(b.holders()).singleElement().satisfies(h -> assertThat(h.instance()).isEmpty());
    // and a whole-GPU allocation on a GPU that stays does not block
    assertThat(decide("off", List.of(whole), List.of(pod), Optional.empty()))
        .isInstanceOf(MigConfigAction.AsDesired.class);
  }

  @Test
  void aBlockedChangeGivesUpExactlyAtTheDeadline() {
    List<GpuSnapshot> gpus = List.of(twoThreeG(0, 9));
    Instant since = NOW.minus(DEADLINE);
    assertThat(
            ((MigConfigAction.Blocked) decide("all-1g", gpus, List.of(), Optional.of(since)))
                .gaveUp())
        .isTrue();
    assertThat(
            ((MigConfigAction.Blocked)
                    decide("all-1g", gpus, List.of(), Optional.of(since.plusSeconds(1))))
                .gaveUp())
        .isFalse();
  }

  @Test
  void theOperatorsClientsArePausedWhenTrueOrAlreadyPausedAndNeverWhenFalseOrAbsent() {
    Map<String, String> labels =
        Map.of(
            "nvidia.com/gpu.deploy.device-plugin", "true",
            "nvidia.com/gpu.deploy.gpu-feature-discovery", MigManagerLabels.PAUSED,
            "nvidia.com/gpu.deploy.dcgm-exporter", "false");

    List<OperatorClient> paused = MigManagerLabels.toPause(labels);

    assertThat(paused)
        .extracting(OperatorClient::component)
        .containsExactly("device-plugin", "gpu-feature-discovery");
    assertThat(MigManagerLabels.pause(paused))
        .containsExactly(
            Map.entry("nvidia.com/gpu.deploy.device-plugin", MigManagerLabels.PAUSED),
            Map.entry("nvidia.com/gpu.deploy.gpu-feature-discovery", MigManagerLabels.PAUSED));
    assertThat(MigManagerLabels.restore(labels))
        .containsExactly(Map.entry("nvidia.com/gpu.deploy.gpu-feature-discovery", "true"));
    assertThat(MigManagerLabels.paused(labels))
        .extracting(OperatorClient::app)
        .containsExactly("gpu-feature-discovery");
  }

  @Test
  void statesAreOnlyTheManagersOwnValues() {
    assertThat(MigConfigState.of("success")).hasValue(MigConfigState.SUCCESS);
    assertThat(MigConfigState.of("rebooting")).hasValue(MigConfigState.REBOOTING);
    assertThat(MigConfigState.of("done")).isEmpty();
    assertThat(MigConfigState.PENDING.value()).isEqualTo("pending");
    assertThat(OperatorClient.ALL.getFirst().deployLabel())
        .isEqualTo("nvidia.com/gpu.deploy.device-plugin");
  }
}
