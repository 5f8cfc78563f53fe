package io.migctl.nvidia.sim;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Placement;
import java.util.Optional;

/**
 * Where the simulated driver puts a GPU instance created without a placement, and which
 * GPU-instance id it gets.
 *
 * <p>Placement: among the profile's free placements, the one that blocks the fewest still-free
 * placements of all the model's profiles; ties go to the lowest start. NVIDIA does not document its
 * rule; this one reproduces every driver-chosen placement in the reference samples: 1g instances
 * land on memory slices 6, 4, 5, 0, 1, 2, 3 (A100 and H100), {@code -cgi 19,19,14,9} leaves no room
 * for the 3g while {@code -cgi 9,19,14,19} succeeds, {@code 19,14,5} gives 6:1, 4:2, 0:4, and on an
 * A30 the 1g instances start at 0.
 *
 * <p>Ids: the slot of the placement in a binary tree over the memory slices (the whole GPU is 0,
 * its halves 1 and 2, quarters 3–6, eighths 7–14 on an 8-slice GPU), which gives the ids the same
 * samples show; a placement off that tree takes the lowest free id.
 */
final class DriverPlacementChoice {

  private DriverPlacementChoice() {}

  /** The placement the driver chooses, or empty when none is free. */
  static Optional<Placement> choose(GpuModel model, GpuInstanceProfile profile, long occupied) {
    Placement best = null;
    int bestCost = Integer.MAX_VALUE;
    for (Placement candidate : profile.placements()) {
      if ((candidate.mask() & occupied) != 0) {
        continue;
      }
      int cost = 0;
      for (GpuInstanceProfile other : model.profiles()) {
        for (Placement p : other.placements()) {
          boolean freeNow = (p.mask() & occupied) == 0;
          if (freeNow && p.overlaps(candidate)) {
            cost++;
          }
        }
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = candidate;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The GPU-instance id for a placement, avoiding ids in {@code taken} (bit i = id i). */
  static int gpuInstanceId(GpuModel model, Placement placement, long taken) {
    int slices = model.memorySlices();
    int size = placement.size();
    boolean onTree =
        Integer.bitCount(slices) == 1
            && Integer.bitCount(size) == 1
            && size <= slices
            && placement.start() % size == 0;
    if (onTree) {
      int id = slices / size - 1 + placement.start() / size;
      if ((taken & (1L << id)) == 0) {
        return id;
      }
    }
    int id = 0;
    while ((taken & (1L << id)) != 0) {
      id++;
    }
    return id;
  }
}
