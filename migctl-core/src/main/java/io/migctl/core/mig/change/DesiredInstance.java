package io.migctl.core.mig.change;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A GPU instance the desired layout asks for, with the compute instances (MIG devices) inside it.
 *
 * @param profile the GPU-instance profile
 * @param computeInstances the compute-instance profiles (largest first, unless pinned)
 * @param placement where it must sit, or empty to let the planner choose
 * @param computePlacements where each compute instance must sit (same order), or empty to let the
 *     planner choose
 */
public record DesiredInstance(
    GpuInstanceProfile profile,
    List<ComputeInstanceProfile> computeInstances,
    Optional<Placement> placement,
    List<Placement> computePlacements) {

  public DesiredInstance {
    if (!computePlacements.isEmpty() && computePlacements.size() != computeInstances.size()) {
      throw new IllegalArgumentException(
          "give a placement for every compute instance of " + profile.name() + " or for none");
    }
    if (placement.isPresent() && !profile.allows(placement.get())) {
      throw new IllegalArgumentException(
          placement.get()
              + " is not a placement of "
              + profile.name()
              + "; it may start at "
              + profile.placementsText());
    }
    if (computePlacements.isEmpty()) {
      computeInstances =
          computeInstances.stream()
              .sorted(
                  Comparator.comparingInt(ComputeInstanceProfile::computeSlices)
                      .reversed()
                      .thenComparingInt(ComputeInstanceProfile::id))
              .toList();
    } else {
      computeInstances = List.copyOf(computeInstances);
      computePlacements = List.copyOf(computePlacements);
    }
  }

  /** An instance the planner places, compute instances included. */
  public DesiredInstance(
      GpuInstanceProfile profile, List<ComputeInstanceProfile> computeInstances) {
    this(profile, computeInstances, Optional.empty(), List.of());
  }

  /** Whether its compute instances have fixed placements. */
  public boolean computePinned() {
    return !computePlacements.isEmpty();
  }

  /** The compute instances with their pinned placements, as pairs; empty when not pinned. */
  List<Pinned> pinnedComputeInstances() {
    List<Pinned> out = new ArrayList<>();
    for (int i = 0; i < computePlacements.size(); i++) {
      out.add(new Pinned(computeInstances.get(i), computePlacements.get(i)));
    }
    return out;
  }

  /** A compute instance with its fixed placement. */
  record Pinned(ComputeInstanceProfile profile, Placement placement) {}

  /** {@code 3g.20gb [1c.3g.20gb ×3]}, for messages. */
  @Override
  public String toString() {
    String where = placement.map(p -> "@" + p).orElse("");
    if (computeInstances.size() == 1 && computeInstances.getFirst().isDefault()) {
      return profile.name() + where;
    }
    return profile.name()
        + where
        + " "
        + computeInstances.stream().map(c -> c.name().toString()).toList();
  }
}
