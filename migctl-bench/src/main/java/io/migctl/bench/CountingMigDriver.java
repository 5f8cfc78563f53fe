package io.migctl.bench;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
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
final class CountingMigDriver extends ForwardingMigDriver {

  private int operations;
  private int failedCalls;

  CountingMigDriver(MigDriver driver) {
    super(driver);
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
  public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    return counted(() -> delegate.createGpuInstance(gpu, profileId, placement));
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return counted(() -> delegate.createComputeInstance(gpu, gpuInstanceId, profileId, placement));
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    counted(
        () -> {
          delegate.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
          return null;
        });
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    counted(
        () -> {
          delegate.destroyGpuInstance(gpu, gpuInstanceId);
          return null;
        });
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    return counted(() -> delegate.setMigMode(gpu, enabled));
  }

  @Override
  public void resetGpu(int gpu) {
    counted(
        () -> {
          delegate.resetGpu(gpu);
          return null;
        });
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
