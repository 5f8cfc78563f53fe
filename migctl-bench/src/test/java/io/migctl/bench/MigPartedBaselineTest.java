package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigPartedBaselineTest {

  private static final GpuModel A100 = Catalog.A100_40GB;

  private final SimulatedMigDriver node =
      SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));

  @Test
  void createsTheMixedLayoutOnAnEmptyA100() {
    MigPartedBaseline.Result r =
        new MigPartedBaseline(node).apply(0, counts("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.APPLIED);
    assertThat(devices()).isEqualTo(counts("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
    // Largest first works at once: 4 GPU instances, 4 compute instances.
    assertThat(r.orderingsTried()).isEqualTo(1);
    assertThat(r.operations()).isEqualTo(8);
    // The second 1g.5gb first tries to fit into the first one's GPU instance, as mig-parted does.
    assertThat(r.failedCalls()).isEqualTo(1);
  }

  @Test
  void triesFurtherOrderingsWhenTheDriverChosenPlacementsOfTheFirstLeaveNoRoom() {
    // Largest first: 4g at 0:4, the +me 1g lands on slice 6, the 1g.10gb on 4:2 and the last 1g
    // finds no slice; other orderings clear the GPU and start again.
    Map<MigDeviceProfile, Integer> target =
        counts("4g.20gb", 1, "1g.5gb+me", 1, "1g.10gb", 1, "1g.5gb", 1);

    MigPartedBaseline.Result r = new MigPartedBaseline(node).apply(0, target);

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.APPLIED);
    assertThat(r.orderingsTried()).isGreaterThan(1);
    assertThat(r.failedCalls()).isGreaterThanOrEqualTo(r.orderingsTried() - 1);
    assertThat(r.operations()).isGreaterThan(8);
    assertThat(devices()).isEqualTo(target);
  }

  @Test
  void aBusyDeviceFailsTheApplyAfterTheIdleInstancesWalkedBeforeItAreDestroyed() {
    String oneA = create("1g.5gb", new Placement(2, 1));
    create("1g.5gb", new Placement(3, 1));
    create("2g.10gb", new Placement(0, 2));
    String busy = create("3g.20gb", new Placement(4, 4));
    node.hold(busy, 4121);

    MigPartedBaseline.Result r = new MigPartedBaseline(node).apply(0, counts("7g.40gb", 1));

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.FAILED);
    // 1g, 1g and 2g come before 3g in the walk: their compute and GPU instances are destroyed.
    assertThat(r.operations()).isEqualTo(6);
    // One ordering's clear and the final clear each stop at the busy device.
    assertThat(r.failedCalls()).isEqualTo(2);
    assertThat(r.lastError()).get().asString().contains("In use");
    assertThat(devices()).isEqualTo(counts("3g.20gb", 1));
    assertThat(uuids()).containsExactly(busy).doesNotContain(oneA);
  }

  @Test
  void aBusyDeviceStopsTheClearWalkSoInstancesAfterItInWalkOrderSurvive() {
    String busy = create("1g.5gb", new Placement(0, 1));
    String idle = create("3g.20gb", new Placement(4, 4));
    node.hold(busy, 4121);

    MigPartedBaseline.Result r = new MigPartedBaseline(node).apply(0, counts("7g.40gb", 1));

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.FAILED);
    assertThat(r.operations()).isZero();
    assertThat(uuids()).containsExactlyInAnyOrder(busy, idle);
  }

  @Test
  void withABusyDeviceEveryDistinctOrderingIsTriedOnce() {
    node.hold(create("1g.5gb", new Placement(0, 1)), 4121);

    // 3g, 2g, 1g, 1g: 4! / 2! = 12 distinct orderings, each failing at its clear, then the final
    // clear.
    MigPartedBaseline.Result r =
        new MigPartedBaseline(node).apply(0, counts("3g.20gb", 1, "2g.10gb", 1, "1g.5gb", 2));

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.FAILED);
    assertThat(r.orderingsTried()).isEqualTo(12);
    assertThat(r.failedCalls()).isEqualTo(13);
    assertThat(r.operations()).isZero();
  }

  @Test
  void aGpuWhoseCountsAlreadyMatchIsNotTouchedWhateverThePlacements() {
    create("2g.10gb", new Placement(4, 2));
    create("1g.5gb", new Placement(6, 1));
    String busy = create("3g.20gb", new Placement(0, 4));
    node.hold(busy, 4121);
    List<String> before = uuids();

    MigPartedBaseline.Result r =
        new MigPartedBaseline(node)
            .apply(0, counts("3g.20gb", 1, "2g.10gb", 1, "1g.5gb", 1, "7g.40gb", 0));

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.UNCHANGED);
    assertThat(r.operations()).isZero();
    assertThat(r.failedCalls()).isZero();
    assertThat(r.orderingsTried()).isZero();
    assertThat(uuids()).isEqualTo(before);
  }

  @Test
  void computeInstancesOfOneProfileShareAGpuInstanceUntilItIsFull() {
    GpuInstanceProfile threeG = profile("3g.20gb");
    ComputeInstanceProfile oneC =
        ComputeInstanceProfile.of(threeG).stream()
            .filter(p -> p.computeSlices() == 1)
            .findFirst()
            .orElseThrow();
    Map<MigDeviceProfile, Integer> target = Map.of(new MigDeviceProfile(threeG, oneC), 4);

    MigPartedBaseline.Result r = new MigPartedBaseline(node).apply(0, target);

    assertThat(r.outcome()).isEqualTo(MigPartedBaseline.Outcome.APPLIED);
    assertThat(node.gpuInstances(0)).hasSize(2);
    // Two GPU instances, four compute instances; the fourth first tried the full GPU instance.
    assertThat(r.operations()).isEqualTo(6);
    assertThat(r.failedCalls()).isEqualTo(1);
    assertThat(devices()).isEqualTo(target);
  }

  @Test
  void flattensLargestFirstWithMediaExtensionsBeforeTheirPlainProfile() {
    List<MigDeviceProfile> order =
        MigPartedBaseline.flatten(
            counts("1g.5gb", 2, "1g.10gb", 1, "1g.5gb+me", 1, "2g.10gb", 1, "3g.20gb", 1));

    assertThat(order.stream().map(MigDeviceProfile::toString))
        .containsExactly("3g.20gb", "2g.10gb", "1g.5gb+me", "1g.10gb", "1g.5gb", "1g.5gb");
  }

  @Test
  void walksGpuInstancesInNvmlProfileOrder() {
    assertThat(
            A100.profiles().stream()
                .sorted(Comparator.comparingInt(MigPartedBaseline::nvmlProfileIndex))
                .map(p -> p.name().toString()))
        .containsExactly(
            "1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb", "1g.5gb+me", "1g.10gb");
  }

  @Test
  void rejectsANegativeCountAndAForeignProfile() {
    MigPartedBaseline baseline = new MigPartedBaseline(node);

    assertThatThrownBy(() -> baseline.apply(0, counts("3g.20gb", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3g.20gb");
    GpuInstanceProfile h100 = Catalog.H100_80GB.profiles().getFirst();
    assertThatThrownBy(() -> baseline.apply(0, Map.of(MigDeviceProfile.whole(h100), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a profile of A100-SXM4-40GB");
  }

  // ------------------------------------------------------------------------------------------

  private static GpuInstanceProfile profile(String name) {
    return A100.profile(ProfileName.parse(name)).orElseThrow();
  }

  /** Whole-GPU-instance devices from name, count pairs. */
  private static Map<MigDeviceProfile, Integer> counts(Object... nameCount) {
    Map<MigDeviceProfile, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < nameCount.length; i += 2) {
      out.put(MigDeviceProfile.whole(profile((String) nameCount[i])), (Integer) nameCount[i + 1]);
    }
    return out;
  }

  /** Creates a GPU instance with its default compute instance; returns the MIG UUID. */
  private String create(String name, Placement at) {
    GpuInstanceProfile p = profile(name);
    GpuInstance gi = node.createGpuInstance(0, p.id(), Optional.of(at));
    ComputeInstance ci =
        node.createComputeInstance(
            0, gi.id(), MigDeviceProfile.defaultComputeInstance(p).id(), Optional.empty());
    return ci.uuid();
  }

  private Map<MigDeviceProfile, Integer> devices() {
    return TransitionRunner.observe(node).devices();
  }

  private List<String> uuids() {
    return node.gpuInstances(0).stream()
        .flatMap(gi -> node.computeInstances(0, gi.id()).stream())
        .map(ComputeInstance::uuid)
        .sorted()
        .toList();
  }
}
