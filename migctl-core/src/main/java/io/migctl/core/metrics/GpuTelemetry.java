package io.migctl.core.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A GPU: values of the parent, never repeated per instance. Empty = the driver does not report it
 * (never 0).
 *
 * @param index the driver's index ({@code nvidia-smi -i})
 * @param uuid {@code GPU-…}
 * @param productName the name the driver reports, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param driverVersion the driver's version, e.g. {@code 550.54.15}; {@code simulated} on the
 *     simulated node
 * @param pciBusId the GPU's PCI bus id as NVML writes it, e.g. {@code 00000000:07:00.0}; empty when
 *     not known
 * @param temperatureC the GPU core temperature in °C
 * @param powerW the board's power draw in W
 * @param smClockMHz the current SM clock
 * @param memClockMHz the current memory clock
 * @param fbUsedMiB whole-GPU framebuffer in use (when MIG is off, or as the driver reports it with
 *     MIG on, which it does to privileged callers only)
 * @param fbTotalMiB whole-GPU framebuffer
 * @param utilization the whole GPU's engine and PCIe figures, as far as the driver reports them
 *     (none of the engine figures with MIG on)
 * @param activity the whole GPU's profiling ratios (GPM, Hopper and later); with MIG on they are
 *     reported per GPU instance instead
 * @param lastXid the last XID error code seen, empty when none was seen or it is unknown
 * @param instances the MIG devices (compute instances) of this GPU, in placement order; empty when
 *     MIG is off
 */
public record GpuTelemetry(
    int index,
    String uuid,
    String productName,
    String driverVersion,
    Optional<String> pciBusId,
    OptionalDouble temperatureC,
    OptionalDouble powerW,
    OptionalInt smClockMHz,
    OptionalInt memClockMHz,
    OptionalLong fbUsedMiB,
    OptionalLong fbTotalMiB,
    DeviceUtilization utilization,
    ProfRatios activity,
    OptionalInt lastXid,
    List<MigTelemetry> instances) {

  public GpuTelemetry {
    if (index < 0) {
      throw new IllegalArgumentException("GPU index must not be negative, was " + index);
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(productName, "productName");
    Objects.requireNonNull(driverVersion, "driverVersion");
    Objects.requireNonNull(pciBusId, "pciBusId");
    requireFinite("temperatureC", temperatureC);
    requireFinite("powerW", powerW);
    if (powerW.isPresent() && powerW.getAsDouble() < 0) {
      throw new IllegalArgumentException("power must not be negative, was " + powerW);
    }
    requireNotNegative("smClockMHz", smClockMHz);
    requireNotNegative("memClockMHz", memClockMHz);
    requireNotNegative("lastXid", lastXid);
    Objects.requireNonNull(fbUsedMiB, "fbUsedMiB");
    Objects.requireNonNull(fbTotalMiB, "fbTotalMiB");
    if (fbUsedMiB.isPresent() && fbUsedMiB.getAsLong() < 0
        || fbTotalMiB.isPresent() && fbTotalMiB.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "framebuffer must not be negative, was " + fbUsedMiB + " of " + fbTotalMiB);
    }
    Objects.requireNonNull(utilization, "utilization");
    Objects.requireNonNull(activity, "activity");
    instances = List.copyOf(instances);
    Set<String> uuids = new HashSet<>();
    for (MigTelemetry m : instances) {
      if (!uuids.add(m.uuid())) {
        throw new IllegalArgumentException("MIG device " + m.uuid() + " appears twice on " + uuid);
      }
    }
  }

  /** The share of time a kernel ran on the GPU, 0–100, where the driver reports it. */
  public OptionalDouble utilizationPercent() {
    return utilization.gpuPercent();
  }

  /** The MIG device with this {@code MIG-…} UUID (case does not matter). */
  public Optional<MigTelemetry> instance(String migUuid) {
    String wanted = migUuid.strip();
    return instances.stream().filter(m -> m.uuid().equalsIgnoreCase(wanted)).findFirst();
  }

  private static void requireFinite(String name, OptionalDouble value) {
    Objects.requireNonNull(value, name);
    if (value.isPresent() && !Double.isFinite(value.getAsDouble())) {
      throw new IllegalArgumentException(name + " must be a finite number, was " + value);
    }
  }

  private static void requireNotNegative(String name, OptionalInt value) {
    Objects.requireNonNull(value, name);
    if (value.isPresent() && value.getAsInt() < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
  }
}
