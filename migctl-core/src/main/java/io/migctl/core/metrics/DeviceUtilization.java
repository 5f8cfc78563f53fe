package io.migctl.core.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What NVML reports of a whole GPU's engines and bus. Empty = not reported (never 0); with MIG on
 * NVML reports no utilisation, and DCGM leaves those series out, as migctl does.
 *
 * @param gpuPercent the share of time a kernel ran, 0–100 ({@code DCGM_FI_DEV_GPU_UTIL})
 * @param memCopyPercent the share of time device memory was read or written, 0–100 ({@code
 *     DCGM_FI_DEV_MEM_COPY_UTIL})
 * @param encoderPercent the video encoder's utilisation, 0–100 ({@code DCGM_FI_DEV_ENC_UTIL})
 * @param decoderPercent the video decoder's utilisation, 0–100 ({@code DCGM_FI_DEV_DEC_UTIL})
 * @param pcieTxBytesPerSecond data sent over PCIe, headers included ({@code
 *     DCGM_FI_PROF_PCIE_TX_BYTES})
 * @param pcieRxBytesPerSecond data received over PCIe ({@code DCGM_FI_PROF_PCIE_RX_BYTES})
 */
public record DeviceUtilization(
    OptionalDouble gpuPercent,
    OptionalDouble memCopyPercent,
    OptionalDouble encoderPercent,
    OptionalDouble decoderPercent,
    OptionalDouble pcieTxBytesPerSecond,
    OptionalDouble pcieRxBytesPerSecond) {

  /** Nothing reported. */
  public static final DeviceUtilization NONE = gpuOnly(OptionalDouble.empty());

  public DeviceUtilization {
    requirePercent("gpuPercent", gpuPercent);
    requirePercent("memCopyPercent", memCopyPercent);
    requirePercent("encoderPercent", encoderPercent);
    requirePercent("decoderPercent", decoderPercent);
    requireRate("pcieTxBytesPerSecond", pcieTxBytesPerSecond);
    requireRate("pcieRxBytesPerSecond", pcieRxBytesPerSecond);
  }

  /** Only the GPU's utilisation. */
  public static DeviceUtilization gpuOnly(OptionalDouble gpuPercent) {
    return new DeviceUtilization(
        gpuPercent,
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty());
  }

  private static void requirePercent(String name, OptionalDouble value) {
    Objects.requireNonNull(value, name);
    if (value.isPresent() && !(value.getAsDouble() >= 0 && value.getAsDouble() <= 100)) {
      throw new IllegalArgumentException(name + " must lie in 0..100, was " + value.getAsDouble());
    }
  }

  private static void requireRate(String name, OptionalDouble value) {
    Objects.requireNonNull(value, name);
    if (value.isPresent() && !(Double.isFinite(value.getAsDouble()) && value.getAsDouble() >= 0)) {
      throw new IllegalArgumentException(
          name + " must be a finite rate of at least 0, was " + value.getAsDouble());
    }
  }
}
