package io.migctl.nvidia.nvml;

/**
 * Whether this machine has NVML with at least one GPU: the answer of {@link NvmlMigDriver#probe},
 * for choosing between the real and the simulated driver.
 */
public sealed interface NvmlProbe permits NvmlProbe.Available, NvmlProbe.Unavailable {

  /**
   * NVML loaded, initialised and reports GPUs. The caller owns {@code driver} and closes it.
   *
   * @param gpuCount how many GPUs NVML reports (at least 1)
   * @param driverVersion the NVIDIA driver's version, e.g. {@code 550.54.15}
   */
  record Available(NvmlMigDriver driver, int gpuCount, String driverVersion) implements NvmlProbe {}

  /**
   * No usable NVML.
   *
   * @param reason one line for people, e.g. {@code libnvidia-ml.so.1 was not found: …}
   */
  record Unavailable(String reason) implements NvmlProbe {}
}
