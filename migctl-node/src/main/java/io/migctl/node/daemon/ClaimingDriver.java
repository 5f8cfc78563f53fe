package io.migctl.node.daemon;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real driver as the daemon sees it: every call goes to the driver, and each GPU's processes also
 * list the daemon's claims on its MIG devices ({@link DeviceClaims.Recorded}), so that a job whose
 * process has not opened its device yet still makes it busy.
 */
final class ClaimingDriver implements MigDriver {

  private final MigDriver driver;
  private final DeviceClaims.Recorded claims;

  ClaimingDriver(MigDriver driver, DeviceClaims.Recorded claims) {
    this.driver = driver;
    this.claims = claims;
  }

  @Override
  public List<GpuDevice> gpus() {
    return driver.gpus();
  }

  @Override
  public GpuModel migModel(int gpu) {
    return driver.migModel(gpu);
  }

  @Override
  public List<GpuInstance> gpuInstances(int gpu) {
    return driver.gpuInstances(gpu);
  }

  @Override
  public List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId) {
    return driver.computeInstances(gpu, gpuInstanceId);
  }

  @Override
  public int remainingCapacity(int gpu, int profileId) {
    return driver.remainingCapacity(gpu, profileId);
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    return driver.createGpuInstance(gpu, profileId, placement);
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return driver.createComputeInstance(gpu, gpuInstanceId, profileId, placement);
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    driver.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    driver.destroyGpuInstance(gpu, gpuInstanceId);
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    return driver.setMigMode(gpu, enabled);
  }

  @Override
  public void resetGpu(int gpu) {
    driver.resetGpu(gpu);
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    List<DeviceProcess> seen = driver.processes(gpu);
    List<DeviceProcess> claimed = claims.on(gpu);
    if (claimed.isEmpty()) {
      return seen;
    }
    List<DeviceProcess> out = new ArrayList<>(seen);
    out.addAll(claimed);
    return out;
  }
}
