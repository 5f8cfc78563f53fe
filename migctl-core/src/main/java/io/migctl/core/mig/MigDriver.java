package io.migctl.core.mig;

import java.util.List;
import java.util.Optional;

/**
 * The port to a node's GPUs: what NVML offers for MIG, and nothing more. One implementation talks
 * to {@code libnvidia-ml.so.1}; the simulated node implements the same contract, errors included.
 *
 * <p>Every method may throw {@link MigDriverException} with the driver's error: {@link
 * DriverError#NOT_FOUND} for an unknown GPU, instance or UUID, {@link
 * DriverError#INSUFFICIENT_RESOURCES} when a placement overlaps or nothing fits, {@link
 * DriverError#IN_USE} when a process or a compute instance still holds what is being destroyed or
 * reset, {@link DriverError#INVALID_ARGUMENT} for a placement that is not one of the profile's,
 * {@link DriverError#NOT_SUPPORTED} for MIG operations while MIG mode is disabled.
 *
 * <p>Implementations are safe to call from several threads; each call is atomic on its own, and
 * nothing is atomic across calls.
 */
public interface MigDriver {

  /** Every GPU, in index order. */
  List<GpuDevice> gpus();

  /** The GPU's MIG geometry and GPU-instance profiles (the {@code -lgip} table). */
  GpuModel migModel(int gpu);

  /** The GPU instances on a GPU ({@code -lgi}). */
  List<GpuInstance> gpuInstances(int gpu);

  /** The compute instances inside one GPU instance ({@code -lci -gi}). */
  List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId);

  /** How many more instances of the profile can be created now ({@code -lgip} "Free"). */
  int remainingCapacity(int gpu, int profileId);

  /**
   * Creates a GPU instance.
   *
   * @param placement where; empty lets the driver choose, as {@code nvidia-smi mig -cgi} does
   */
  GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement);

  /**
   * Creates a compute instance inside a GPU instance.
   *
   * @param placement where on the GPU instance's compute slices; empty lets the driver choose
   */
  ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement);

  /** Destroys a compute instance; fails with IN_USE while a process holds it. */
  void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId);

  /** Destroys a GPU instance; fails with IN_USE while it has compute instances. */
  void destroyGpuInstance(int gpu, int gpuInstanceId);

  /**
   * Asks for MIG mode on or off. On Ampere the change stays pending until {@link #resetGpu}; on
   * Hopper and later it applies at once.
   *
   * @return the mode afterwards
   */
  MigMode setMigMode(int gpu, boolean enabled);

  /** Resets one GPU; fails with IN_USE while a process holds it. Instances do not survive. */
  void resetGpu(int gpu);

  /** The processes holding the GPU's MIG devices. */
  List<DeviceProcess> processes(int gpu);

  /**
   * How the GPUs are connected, pair by pair: PCIe common ancestor and NVLink. A pair the driver
   * cannot report on is unknown, never guessed; this default reports nothing.
   */
  default GpuTopology topology() {
    return GpuTopology.unknown(gpus().size());
  }
}
