package io.migctl.core.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A MIG device (a compute instance); framebuffer is its GPU instance's.
 *
 * @param uuid {@code MIG-…}, what {@code CUDA_VISIBLE_DEVICES} takes
 * @param gpuInstanceId the GPU instance id ({@code GPU_I_ID})
 * @param computeInstanceId the compute instance id within it
 * @param profile the GPU-instance profile name such as {@code 3g.20gb}, or the compute-instance
 *     profile name such as {@code 1c.3g.20gb} when the GPU instance is subdivided (as {@link
 *     io.migctl.core.job.MigSlot#of} names it)
 * @param fbUsedMiB framebuffer in use in its GPU instance; compute instances of one GPU instance
 *     share it and report the same figure
 * @param fbTotalMiB its GPU instance's framebuffer
 * @param processes how many processes hold it
 * @param activity its GPU instance's profiling ratios (NVML GPM on Hopper and later, per GPU
 *     instance: compute instances of one GPU instance report the same); empty where not reported
 */
public record MigTelemetry(
    String uuid,
    int gpuInstanceId,
    int computeInstanceId,
    String profile,
    long fbUsedMiB,
    long fbTotalMiB,
    int processes,
    ProfRatios activity) {

  public MigTelemetry {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(activity, "activity");
    if (gpuInstanceId < 0 || computeInstanceId < 0) {
      throw new IllegalArgumentException(
          uuid
              + ": instance ids must not be negative, were "
              + gpuInstanceId
              + "/"
              + computeInstanceId);
    }
    if (fbTotalMiB < 0 || fbUsedMiB < 0 || fbUsedMiB > fbTotalMiB) {
      throw new IllegalArgumentException(
          uuid + ": framebuffer use must lie in 0..total, was " + fbUsedMiB + " of " + fbTotalMiB);
    }
    if (processes < 0) {
      throw new IllegalArgumentException(
          uuid + ": process count must not be negative, was " + processes);
    }
  }

  /** The share of time the graphics/compute engine was active, 0..1, where reported. */
  public OptionalDouble grEngineActive() {
    return activity.grEngineActive();
  }

  /** The share of its framebuffer in use, 0..1; 0 when the total is 0. */
  public double fbUsedFraction() {
    return fbTotalMiB == 0 ? 0 : (double) fbUsedMiB / fbTotalMiB;
  }

  /** Whether any process holds it. */
  public boolean isBusy() {
    return processes > 0;
  }
}
