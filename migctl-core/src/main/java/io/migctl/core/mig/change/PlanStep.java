package io.migctl.core.mig.change;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.Placement;

/**
 * One step of a GPU's reconfiguration plan. GPU instances are named by their placement, which is
 * unique on a GPU; the driver's ids are given where they exist (they are assigned on creation).
 */
public sealed interface PlanStep {

  /** Whether performing this step changes the GPU (keeps do not). */
  default boolean changes() {
    return true;
  }

  /** A GPU instance that stays where it is. */
  record KeepGpuInstance(int gpuInstanceId, GpuInstanceProfile profile, Placement placement)
      implements PlanStep {
    @Override
    public boolean changes() {
      return false;
    }
  }

  /** A compute instance (MIG device) that stays, with its UUID. */
  record KeepComputeInstance(
      GpuInstanceProfile gpuInstanceProfile,
      Placement gpuInstancePlacement,
      int gpuInstanceId,
      int computeInstanceId,
      ComputeInstanceProfile profile,
      Placement placement,
      String uuid)
      implements PlanStep {
    @Override
    public boolean changes() {
      return false;
    }
  }

  /** Destroy a compute instance. */
  record DestroyComputeInstance(
      GpuInstanceProfile gpuInstanceProfile,
      Placement gpuInstancePlacement,
      int gpuInstanceId,
      int computeInstanceId,
      ComputeInstanceProfile profile,
      Placement placement,
      String uuid)
      implements PlanStep {}

  /** Destroy a GPU instance (its compute instances are destroyed by earlier steps). */
  record DestroyGpuInstance(int gpuInstanceId, GpuInstanceProfile profile, Placement placement)
      implements PlanStep {}

  /** Create a GPU instance at an explicit placement. */
  record CreateGpuInstance(GpuInstanceProfile profile, Placement placement) implements PlanStep {}

  /** Create a compute instance at an explicit placement inside the GPU instance at a placement. */
  record CreateComputeInstance(
      GpuInstanceProfile gpuInstanceProfile,
      Placement gpuInstancePlacement,
      ComputeInstanceProfile profile,
      Placement placement)
      implements PlanStep {}

  /** Turn MIG mode on or off. */
  record SetMigMode(boolean enabled) implements PlanStep {}

  /** Reset the GPU so that a pending MIG mode takes effect (Ampere). */
  record ResetGpu() implements PlanStep {}
}
