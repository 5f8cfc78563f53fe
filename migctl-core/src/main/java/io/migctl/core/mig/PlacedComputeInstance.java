package io.migctl.core.mig;

/**
 * A compute instance in a layout: a compute-instance profile at a placement on its GPU instance's
 * compute slices.
 */
public record PlacedComputeInstance(ComputeInstanceProfile profile, Placement placement) {
  @Override
  public String toString() {
    return profile.name() + "@" + placement;
  }
}
