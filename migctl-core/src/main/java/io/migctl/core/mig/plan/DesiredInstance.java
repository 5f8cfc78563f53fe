package io.migctl.core.mig.plan;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import java.util.Comparator;
import java.util.List;

/**
 * A GPU instance the desired layout asks for, with the compute instances (MIG devices) inside it.
 * Its placement is the planner's choice.
 *
 * @param profile the GPU-instance profile
 * @param computeInstances the compute-instance profiles, largest first
 */
public record DesiredInstance(
    GpuInstanceProfile profile, List<ComputeInstanceProfile> computeInstances) {

  public DesiredInstance {
    computeInstances =
        computeInstances.stream()
            .sorted(
                Comparator.comparingInt(ComputeInstanceProfile::computeSlices)
                    .reversed()
                    .thenComparingInt(ComputeInstanceProfile::id))
            .toList();
  }

  /** {@code 3g.20gb [1c.3g.20gb ×3]}, for messages. */
  @Override
  public String toString() {
    if (computeInstances.size() == 1 && computeInstances.getFirst().isDefault()) {
      return profile.name().toString();
    }
    return profile.name() + " " + computeInstances.stream().map(c -> c.name().toString()).toList();
  }
}
