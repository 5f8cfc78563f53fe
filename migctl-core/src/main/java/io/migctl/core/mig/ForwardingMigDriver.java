package io.migctl.core.mig;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link MigDriver} that passes every call to another: subclasses override the calls they change
 * (count the operations, add processes) and inherit the rest.
 */
public abstract class ForwardingMigDriver implements MigDriver {

  /** The driver every call goes to. */
  protected final MigDriver delegate;

  protected ForwardingMigDriver(MigDriver delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public List<GpuDevice> gpus() {
    return delegate.gpus();
  }

  @Override
  public GpuModel migModel(int gpu) {
    return delegate.migModel(gpu);
  }

  @Override
  public List<GpuInstance> gpuInstances(int gpu) {
    return delegate.gpuInstances(gpu);
  }

  @Override
  public List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId) {
    return delegate.computeInstances(gpu, gpuInstanceId);
  }

  @Override
  public int remainingCapacity(int gpu, int profileId) {
    return delegate.remainingCapacity(gpu, profileId);
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    return delegate.createGpuInstance(gpu, profileId, placement);
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return delegate.createComputeInstance(gpu, gpuInstanceId, profileId, placement);
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    delegate.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    delegate.destroyGpuInstance(gpu, gpuInstanceId);
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    return delegate.setMigMode(gpu, enabled);
  }

  @Override
  public void resetGpu(int gpu) {
    delegate.resetGpu(gpu);
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    return delegate.processes(gpu);
  }

  @Override
  public GpuTopology topology() {
    return delegate.topology();
  }
}
