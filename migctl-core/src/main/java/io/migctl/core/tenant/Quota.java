package io.migctl.core.tenant;

import io.migctl.core.job.GpuNeed;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one tenant may hold at once. An empty limit is no limit.
 *
 * @param maxSlices compute slices of running jobs' MIG devices (a {@code 3g.20gb} counts 3)
 * @param maxGpuMemoryMiB framebuffer of running jobs' MIG devices, in MiB
 * @param maxRunning jobs starting, running or stopping
 * @param maxQueued jobs waiting in the queue; a submission beyond it is refused
 */
public record Quota(
    OptionalInt maxSlices,
    OptionalLong maxGpuMemoryMiB,
    OptionalInt maxRunning,
    OptionalInt maxQueued) {

  /** No limit at all. */
  public static final Quota NONE =
      new Quota(
          OptionalInt.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());

  /** Larger limits than these are typing mistakes, not policies. */
  public static final int MAX_COUNT = 1_000_000;

  /** Checks that every given limit is positive and within reason. */
  public Quota {
    maxSlices = maxSlices == null ? OptionalInt.empty() : maxSlices;
    maxGpuMemoryMiB = maxGpuMemoryMiB == null ? OptionalLong.empty() : maxGpuMemoryMiB;
    maxRunning = maxRunning == null ? OptionalInt.empty() : maxRunning;
    maxQueued = maxQueued == null ? OptionalInt.empty() : maxQueued;
    check("max-slices", maxSlices);
    check("max-running", maxRunning);
    check("max-queued", maxQueued);
    if (maxGpuMemoryMiB.isPresent()
        && (maxGpuMemoryMiB.getAsLong() < 1
            || maxGpuMemoryMiB.getAsLong() > GpuNeed.MAX_MEMORY_MIB)) {
      throw new TenantSpecException(
          "max-gpu-memory",
          maxGpuMemoryMiB.getAsLong()
              + " MiB is out of range; give a size from 1 MiB to 64 TiB, such as 40GiB");
    }
  }

  private static void check(String field, OptionalInt limit) {
    if (limit.isPresent() && (limit.getAsInt() < 0 || limit.getAsInt() > MAX_COUNT)) {
      throw new TenantSpecException(
          field,
          limit.getAsInt() + " is out of range; use 0 to " + MAX_COUNT + ", or leave it out");
    }
  }
}
