package io.migctl.core.mig;

import java.util.List;

/**
 * A GPU instance in a layout: a GPU-instance profile at a placement on the memory slices, with the
 * compute instances inside it (possibly none).
 */
public record PlacedInstance(
    GpuInstanceProfile profile, Placement placement, List<PlacedComputeInstance> computeInstances) {

  public PlacedInstance {
    computeInstances = List.copyOf(computeInstances);
  }

  /** A GPU instance without compute instances. */
  public PlacedInstance(GpuInstanceProfile profile, Placement placement) {
    this(profile, placement, List.of());
  }

  /** {@code 3g.20gb@4:4}: the profile and placement, as messages name an instance. */
  @Override
  public String toString() {
    return profile.name() + "@" + placement;
  }
}
