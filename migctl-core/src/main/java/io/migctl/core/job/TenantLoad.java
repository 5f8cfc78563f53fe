package io.migctl.core.job;

import java.util.Optional;

/**
 * What one tenant's jobs hold (or one job would add, or a whole node offers): compute slices and
 * framebuffer of MIG devices, and jobs starting, running or stopping. Quotas bound it; weighted
 * dominant-resource fairness compares it with the node's capacity.
 *
 * @param slices compute slices of the MIG devices (a {@code 3g.20gb} counts 3) and whole GPUs (an
 *     A100 counts 7)
 * @param memoryMiB framebuffer of the MIG devices, in MiB
 * @param running jobs, with or without a GPU
 */
public record TenantLoad(int slices, long memoryMiB, int running) {

  public static final TenantLoad ZERO = new TenantLoad(0, 0, 0);

  public TenantLoad {
    if (slices < 0 || memoryMiB < 0 || running < 0) {
      throw new IllegalArgumentException(
          "a load must not be negative: "
              + slices
              + " slices, "
              + memoryMiB
              + " MiB, "
              + running
              + " running");
    }
  }

  /** What one job adds on a device with this shape. */
  public static TenantLoad ofDevice(int computeSlices, long memoryMiB) {
    return new TenantLoad(computeSlices, memoryMiB, 1);
  }

  /**
   * What one job adds at least: its requirement (every device of it; a whole GPU counts its compute
   * slices, 7 on an A100), or only a running job for one without a GPU.
   */
  public static TenantLoad atLeast(Optional<Requirement> need) {
    return need.map(r -> ofDevice(r.totalComputeSlices(), r.totalMemoryMiB()))
        .orElse(new TenantLoad(0, 0, 1));
  }

  public TenantLoad plus(TenantLoad other) {
    return new TenantLoad(
        slices + other.slices, memoryMiB + other.memoryMiB, running + other.running);
  }

  /**
   * The larger of this load's share of the capacity's slices and of its memory (Ghodsi et al., NSDI
   * 2011); a capacity of zero of a kind makes that kind count for nothing.
   */
  public double dominantShareOf(TenantLoad capacity) {
    double s = capacity.slices == 0 ? 0 : (double) slices / capacity.slices;
    double m = capacity.memoryMiB == 0 ? 0 : (double) memoryMiB / capacity.memoryMiB;
    return Math.max(s, m);
  }
}
