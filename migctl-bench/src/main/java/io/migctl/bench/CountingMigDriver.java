package io.migctl.bench;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link MigDriver} that passes every call on and counts the calls that change the GPU: creating
 * and destroying GPU and compute instances, setting MIG mode, resetting. A call counts as an
 * operation when it returns and as a failed call when the driver throws; reads are not counted.
 * Both tools of the benchmark go through one of these, so their counts mean the same thing.
 *
 * <p>Not thread-safe: one counter per run.
 */
final class CountingMigDriver implements MigDriver {

  private final MigDriver driver;
  private int operations;
  private int failedCalls;

  CountingMigDriver(MigDriver driver) {
    this.driver = driver;
  }

  /** Calls that changed the GPU and succeeded. */
  int operations() {
    return operations;
  }

  /** Calls that would have changed the GPU but the driver refused. */
  int failedCalls() {
    return failedCalls;
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
    return counted(() -> driver.createGpuInstance(gpu, profileId, placement));
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return counted(() -> driver.createComputeInstance(gpu, gpuInstanceId, profileId, placement));
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    counted(
        () -> {
          driver.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
          return null;
        });
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    counted(
        () -> {
          driver.destroyGpuInstance(gpu, gpuInstanceId);
          return null;
        });
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    return counted(() -> driver.setMigMode(gpu, enabled));
  }

  @Override
  public void resetGpu(int gpu) {
    counted(
        () -> {
          driver.resetGpu(gpu);
          return null;
        });
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    return driver.processes(gpu);
  }

  private <T> T counted(Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (MigDriverException e) {
      failedCalls++;
      throw e;
    }
    operations++;
    return result;
  }
}
