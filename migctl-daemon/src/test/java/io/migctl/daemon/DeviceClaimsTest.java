package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.PlanOutcome;
import io.migctl.core.mig.change.ReconfigurationPlanner;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * On a real driver a job's device is busy only once its process opens it; the daemon's claims make
 * it busy from the moment the job is placed. The simulated node stands in for the real driver here:
 * it sees no process, as a GPU would not before CUDA starts.
 */
class DeviceClaimsTest {

  @Test
  void aClaimedDeviceIsBusyInTheViewAndAPlanThatDestroysItIsRefused() {
    SimulatedMigDriver gpu = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    int profile = gpu.migModel(1).profile(ProfileName.parse("3g.20gb")).orElseThrow().id();
    GpuInstance gi = gpu.createGpuInstance(1, profile, Optional.empty());
    int ciProfile =
        gpu
            .migModel(1)
            .computeInstanceProfiles(gpu.migModel(1).profile(profile).orElseThrow())
            .stream()
            .filter(ComputeInstanceProfile::isDefault)
            .findFirst()
            .orElseThrow()
            .id();
    ComputeInstance ci = gpu.createComputeInstance(1, gi.id(), ciProfile, Optional.empty());
    DeviceClaims.Recorded claims = new DeviceClaims.Recorded(gpu);
    MigDriver view = claims.view();
    DesiredGpu empty = new DesiredGpu(1, true, List.of(), "test");

    assertThat(busy(view, 1)).isFalse();
    assertThat(ReconfigurationPlanner.plan(GpuSnapshot.readAll(view).get(1), empty))
        .isInstanceOf(PlanOutcome.Planned.class);

    claims.hold(ci.uuid(), 4242);
    assertThat(view.processes(1))
        .anyMatch(p -> p.pid() == 4242 && p.deviceUuid().equals(ci.uuid()));
    assertThat(view.processes(0)).isEmpty();
    assertThat(busy(view, 1)).isTrue();
    assertThat(ReconfigurationPlanner.plan(GpuSnapshot.readAll(view).get(1), empty))
        .isInstanceOf(PlanOutcome.Refused.class);
    assertThat(claims.holders()).hasSize(1);

    claims.release(ci.uuid(), 4242);
    assertThat(busy(view, 1)).isFalse();
    assertThat(claims.holders()).isEmpty();
  }

  private static boolean busy(MigDriver driver, int gpu) {
    return GpuSnapshot.readAll(driver).get(gpu).instances().stream()
        .anyMatch(GpuSnapshot.Instance::isBusy);
  }
}
