package io.migctl.bench;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;

/**
 * A kind of MIG device as a mig-parted config counts it: a GPU-instance profile and the
 * compute-instance profile inside it. {@code 3g.20gb} is a 3g.20gb GPU instance with its default
 * compute instance; {@code 1c.3g.20gb} is a one-slice compute instance inside a 3g.20gb.
 */
public record MigDeviceProfile(
    GpuInstanceProfile gpuInstance, ComputeInstanceProfile computeInstance) {

  public MigDeviceProfile {
    if (!ComputeInstanceProfile.of(gpuInstance).contains(computeInstance)) {
      throw new IllegalArgumentException(
          computeInstance.name()
              + " is not a compute-instance profile of "
              + gpuInstance.name()
              + "; its profiles are "
              + ComputeInstanceProfile.of(gpuInstance).stream()
                  .map(p -> p.name().toString())
                  .toList());
    }
  }

  /** The GPU instance with its default compute instance, the whole instance as one MIG device. */
  public static MigDeviceProfile whole(GpuInstanceProfile gpuInstance) {
    return new MigDeviceProfile(gpuInstance, defaultComputeInstance(gpuInstance));
  }

  /** The compute-instance profile {@code nvidia-smi mig -cgi … -C} creates in a GPU instance. */
  public static ComputeInstanceProfile defaultComputeInstance(GpuInstanceProfile gpuInstance) {
    return ComputeInstanceProfile.of(gpuInstance).stream()
        .filter(ComputeInstanceProfile::isDefault)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    gpuInstance.name() + " has no default compute-instance profile"));
  }

  /** The name mig-parted writes in {@code mig-devices}: {@code 3g.20gb}, {@code 1c.3g.20gb}. */
  @Override
  public String toString() {
    return computeInstance.name().toString();
  }
}
