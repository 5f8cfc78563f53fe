package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SimulatedMigDriverTest {

  private static final int P_1G_5GB = 19;
  private static final int P_1G_5GB_ME = 20;
  private static final int P_2G_10GB = 14;
  private static final int P_3G_20GB = 9;
  private static final int P_7G_40GB = 0;

  private final SimulatedMigDriver a100 =
      SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));

  @Test
  void startsWithMigEnabledAndNoInstancesOnEveryGpu() {
    assertThat(a100.gpus())
        .extracting(GpuDevice::index, GpuDevice::productName, GpuDevice::migMode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "NVIDIA A100-SXM4-40GB", MigMode.ENABLED),
            org.assertj.core.groups.Tuple.tuple(1, "NVIDIA A100-SXM4-40GB", MigMode.ENABLED));
    assertThat(a100.gpuInstances(0)).isEmpty();
    assertThat(a100.gpus().get(0).uuid())
        .startsWith("GPU-")
        .isNotEqualTo(a100.gpus().get(1).uuid());
  }

  @Test
  void gpuUuidsAreStableForTheSameSpec() {
    SimulatedMigDriver again = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    assertThat(again.gpus())
        .extracting(GpuDevice::uuid)
        .isEqualTo(a100.gpus().stream().map(GpuDevice::uuid).toList());
  }

  @Test
  void createsAtAnExplicitPlacementAndRefusesOverlapsWithInsufficientResources() {
    GpuInstance gi = a100.createGpuInstance(0, P_3G_20GB, Optional.of(new Placement(0, 4)));
    assertThat(gi.placement()).isEqualTo(new Placement(0, 4));
    assertThat(gi.id()).isEqualTo(1);

    expectError(
        () -> a100.createGpuInstance(0, P_2G_10GB, Optional.of(new Placement(2, 2))),
        DriverError.INSUFFICIENT_RESOURCES);
    expectError(
        () -> a100.createGpuInstance(0, P_7G_40GB, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    assertThat(a100.gpuInstances(0)).containsExactly(gi);
  }

  @Test
  void refusesPlacementsAndProfilesTheGpuDoesNotHave() {
    expectError(
        () -> a100.createGpuInstance(0, P_3G_20GB, Optional.of(new Placement(2, 4))),
        DriverError.INVALID_ARGUMENT);
    expectError(
        () -> a100.createGpuInstance(0, 42, Optional.empty()), DriverError.INVALID_ARGUMENT);
    expectError(
        () -> a100.createGpuInstance(7, P_3G_20GB, Optional.empty()), DriverError.INVALID_ARGUMENT);
  }

  @Test
  void mediaExtensionsExistOncePerGpu() {
    a100.createGpuInstance(0, P_1G_5GB_ME, Optional.empty());
    expectError(
        () -> a100.createGpuInstance(0, P_1G_5GB_ME, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    assertThat(a100.remainingCapacity(0, P_1G_5GB_ME)).isZero();
    assertThat(a100.remainingCapacity(0, P_1G_5GB)).isEqualTo(6);
  }

  @Test
  void besideAllMediaOnlyInstancesWithoutMediaFit() {
    int plain = 14;
    int allMedia = 65;
    int noMedia = 67;
    SimulatedMigDriver rtx = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("rtx-pro-6000:2"));

    rtx.createGpuInstance(0, allMedia, Optional.empty());
    expectError(
        () -> rtx.createGpuInstance(0, plain, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    rtx.createGpuInstance(0, noMedia, Optional.empty());
    assertThat(rtx.remainingCapacity(0, plain)).isZero();
    assertThat(rtx.remainingCapacity(0, noMedia)).isEqualTo(2);

    rtx.createGpuInstance(1, plain, Optional.empty());
    expectError(
        () -> rtx.createGpuInstance(1, allMedia, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    assertThat(rtx.remainingCapacity(1, allMedia)).isZero();
  }

  @Test
  void remainingCapacityFollowsOccupancy() {
    assertThat(a100.remainingCapacity(0, P_3G_20GB)).isEqualTo(2);
    a100.createGpuInstance(0, P_1G_5GB, Optional.of(new Placement(4, 1)));
    assertThat(a100.remainingCapacity(0, P_3G_20GB)).isEqualTo(1);
    assertThat(a100.remainingCapacity(0, P_7G_40GB)).isZero();
    assertThat(a100.remainingCapacity(0, P_2G_10GB)).isEqualTo(2);
  }

  @Test
  void aGpuInstanceWithComputeInstancesCannotBeDestroyed() {
    GpuInstance gi = a100.createGpuInstance(0, P_3G_20GB, Optional.empty());
    ComputeInstance ci = a100.createComputeInstance(0, gi.id(), 2, Optional.empty());
    expectError(() -> a100.destroyGpuInstance(0, gi.id()), DriverError.IN_USE);
    a100.destroyComputeInstance(0, gi.id(), ci.id());
    a100.destroyGpuInstance(0, gi.id());
    assertThat(a100.gpuInstances(0)).isEmpty();
  }

  @Test
  void aHeldMigDeviceIsInUseUntilReleased() {
    GpuInstance gi = a100.createGpuInstance(0, P_2G_10GB, Optional.empty());
    ComputeInstance ci = a100.createComputeInstance(0, gi.id(), 1, Optional.empty());
    assertThat(a100.hold(ci.uuid(), 4121)).isZero();
    assertThat(a100.processes(0)).containsExactly(new DeviceProcess(4121, ci.uuid(), 0));
    assertThat(a100.processes(1)).isEmpty();

    expectError(() -> a100.destroyComputeInstance(0, gi.id(), ci.id()), DriverError.IN_USE);
    expectError(() -> a100.resetGpu(0), DriverError.IN_USE);

    assertThat(a100.release(ci.uuid(), Optional.of(4121L))).isEqualTo(1);
    a100.destroyComputeInstance(0, gi.id(), ci.id());
    assertThat(a100.computeInstances(0, gi.id())).isEmpty();
  }

  @Test
  void unknownThingsAreNotFound() {
    expectError(
        () -> a100.hold("MIG-00000000-0000-0000-0000-000000000000", 1), DriverError.NOT_FOUND);
    expectError(() -> a100.destroyGpuInstance(0, 3), DriverError.NOT_FOUND);
    GpuInstance gi = a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> a100.destroyComputeInstance(0, gi.id(), 5), DriverError.NOT_FOUND);
  }

  @Test
  void computeInstancesFitTheirGpuInstance() {
    GpuInstance gi = a100.createGpuInstance(0, P_3G_20GB, Optional.empty());
    ComputeInstance c0 = a100.createComputeInstance(0, gi.id(), 0, Optional.empty());
    ComputeInstance c1 = a100.createComputeInstance(0, gi.id(), 0, Optional.empty());
    assertThat(c0.placement()).isEqualTo(new Placement(0, 1));
    assertThat(c1.placement()).isEqualTo(new Placement(1, 1));
    assertThat(c0.uuid()).startsWith("MIG-").isNotEqualTo(c1.uuid());
    // The 3-slice CI needs all three compute slices.
    expectError(
        () -> a100.createComputeInstance(0, gi.id(), 2, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    // A 4c profile does not exist in a 3g instance.
    expectError(
        () -> a100.createComputeInstance(0, gi.id(), 3, Optional.empty()),
        DriverError.INVALID_ARGUMENT);
    expectError(
        () -> a100.createComputeInstance(0, gi.id(), 0, Optional.of(new Placement(1, 1))),
        DriverError.INSUFFICIENT_RESOURCES);
  }

  @Test
  void aRecreatedMigDeviceGetsANewUuid() {
    GpuInstance gi = a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    String first = a100.createComputeInstance(0, gi.id(), 0, Optional.empty()).uuid();
    a100.destroyComputeInstance(0, gi.id(), 0);
    String second = a100.createComputeInstance(0, gi.id(), 0, Optional.empty()).uuid();
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void ampereModeChangesWaitForAReset() {
    GpuInstance gi = a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> a100.setMigMode(0, false), DriverError.IN_USE);
    a100.destroyGpuInstance(0, gi.id());

    assertThat(a100.setMigMode(0, false)).isEqualTo(new MigMode(true, false));
    assertThat(a100.gpus().get(0).migMode().isChangePending()).isTrue();
    a100.resetGpu(0);
    assertThat(a100.gpus().get(0).migMode()).isEqualTo(MigMode.DISABLED);
    assertThat(a100.gpus().get(1).migMode()).isEqualTo(MigMode.ENABLED);
    expectError(
        () -> a100.createGpuInstance(0, P_1G_5GB, Optional.empty()), DriverError.NOT_SUPPORTED);
    assertThat(a100.remainingCapacity(0, P_1G_5GB)).isZero();
  }

  @Test
  void hopperModeChangesApplyAtOnce() {
    SimulatedMigDriver h100 = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("h100-80gb:1"));
    assertThat(h100.setMigMode(0, false)).isEqualTo(MigMode.DISABLED);
    assertThat(h100.setMigMode(0, true)).isEqualTo(MigMode.ENABLED);
  }

  @Test
  void aResetDestroysTheInstances() {
    a100.createGpuInstance(0, P_3G_20GB, Optional.empty());
    a100.resetGpu(0);
    assertThat(a100.gpuInstances(0)).isEmpty();
  }

  @Test
  void injectedFaultsFailTheNextCallsOfTheirOperationOnly() {
    a100.failNext(SimOperation.CREATE_GI, DriverError.INSUFFICIENT_RESOURCES, 2);
    expectError(
        () -> a100.createGpuInstance(0, P_1G_5GB, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    assertThat(a100.gpuInstances(0)).isEmpty();
    expectError(
        () -> a100.createGpuInstance(1, P_1G_5GB, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    GpuInstance other = a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    assertThat(a100.gpuInstances(0)).containsExactly(other);

    a100.failNext(SimOperation.RESET, DriverError.UNKNOWN, 1);
    assertThatThrownBy(() -> a100.resetGpu(1))
        .isInstanceOf(MigDriverException.class)
        .hasMessageContaining("Unknown Error")
        .hasMessageContaining("sim fail-next");
    a100.resetGpu(1);
  }

  @Test
  void anInjectedFaultCanWaitForTheKthCallOfItsOperation() {
    // Fail the 3rd create-gi from now, once: the first two succeed, the third fails, then none.
    a100.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1, 2);
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> a100.createGpuInstance(0, P_1G_5GB, Optional.empty()), DriverError.UNKNOWN);
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    assertThat(a100.gpuInstances(0)).hasSize(3);
  }

  @Test
  void armedFaultsCountTheCallsOfTheirOperationEachOnItsOwn() {
    // One fault for the next call, another for the 3rd call from now: calls 1 and 3 fail,
    // although the first fault, not the second, failed call 1.
    a100.failNext(SimOperation.CREATE_GI, DriverError.IN_USE, 1, 0);
    a100.failNext(SimOperation.CREATE_GI, DriverError.NOT_FOUND, 1, 2);
    expectError(() -> a100.createGpuInstance(0, P_1G_5GB, Optional.empty()), DriverError.IN_USE);
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> a100.createGpuInstance(0, P_1G_5GB, Optional.empty()), DriverError.NOT_FOUND);
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    assertThat(a100.gpuInstances(0)).hasSize(2);
  }

  @Test
  void anInjectedFaultNeedsAtLeastOneCallAndNoNegativeWait() {
    assertThatThrownBy(() -> a100.failNext(SimOperation.RESET, DriverError.UNKNOWN, 1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after")
        .hasMessageContaining("-1");
  }

  @Test
  void resetStateForgetsEverything() {
    a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    a100.failNext(SimOperation.DESTROY_GI, DriverError.UNKNOWN, 1);
    a100.resetState();
    assertThat(a100.gpuInstances(0)).isEmpty();
    GpuInstance gi = a100.createGpuInstance(0, P_1G_5GB, Optional.empty());
    a100.destroyGpuInstance(0, gi.id());
  }

  private static void expectError(ThrowingCallable call, DriverError error) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            MigDriverException.class, e -> assertThat(e.error()).isEqualTo(error))
        .hasMessageContaining(error.text());
  }
}
