package io.migctl.bench;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A {@link MigDriver} that passes every call on and counts the calls that change the GPU: creating
 * and destroying GPU and compute instances, setting MIG mode, resetting. A call counts as an
 * operation when it returns and as a failed call when the driver throws; reads are not counted.
 * Both tools of the benchmark go through one of these, so their counts mean the same thing.
 *
 * <p>Each call is also counted by {@linkplain Call kind}, and the GPUs reset are remembered, for
 * benchmarks that cost calls by kind ({@link K8sTimeModel}).
 *
 * <p>Not thread-safe: one counter per run.
 */
final class CountingMigDriver extends ForwardingMigDriver {

  /** The kinds of driver calls that change a GPU. */
  enum Call {
    CREATE_GPU_INSTANCE,
    CREATE_COMPUTE_INSTANCE,
    DESTROY_COMPUTE_INSTANCE,
    DESTROY_GPU_INSTANCE,
    SET_MIG_MODE,
    RESET_GPU
  }

  private int operations;
  private int failedCalls;
  private final Map<Call, Integer> done = new EnumMap<>(Call.class);
  private final Set<Integer> resetGpus = new TreeSet<>();

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

  /** Calls of {@code kind} that changed the GPU and succeeded. */
  int operations(Call kind) {
    return done.getOrDefault(kind, 0);
  }

  /** The GPUs a reset succeeded on, in index order. */
  Set<Integer> resetGpus() {
    return Set.copyOf(resetGpus);
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    return counted(
        Call.CREATE_GPU_INSTANCE, () -> delegate.createGpuInstance(gpu, profileId, placement));
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return counted(
        Call.CREATE_COMPUTE_INSTANCE,
        () -> delegate.createComputeInstance(gpu, gpuInstanceId, profileId, placement));
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    counted(
        Call.DESTROY_COMPUTE_INSTANCE,
        () -> {
          delegate.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
          return null;
        });
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    counted(
        Call.DESTROY_GPU_INSTANCE,
        () -> {
          delegate.destroyGpuInstance(gpu, gpuInstanceId);
          return null;
        });
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    return counted(Call.SET_MIG_MODE, () -> delegate.setMigMode(gpu, enabled));
  }

  @Override
  public void resetGpu(int gpu) {
    counted(
        Call.RESET_GPU,
        () -> {
          delegate.resetGpu(gpu);
          return null;
        });
    resetGpus.add(gpu);
  }

  private <T> T counted(Call kind, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (MigDriverException e) {
      failedCalls++;
      throw e;
    }
    operations++;
    done.merge(kind, 1, Integer::sum);
    return result;
  }
}
