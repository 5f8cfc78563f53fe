package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.List;

/**
 * A compute-instance profile inside a GPU instance, as {@code nvidia-smi mig -lcip} lists it.
 *
 * @param name e.g. {@code 1c.3g.20gb}, or the GPU instance's own name when it uses all its slices
 * @param id the profile id ({@code NVML_COMPUTE_INSTANCE_PROFILE_*}): 0 = 1 slice, 1 = 2, 2 = 3, 3
 *     = 4, 4 = 7, 7 = 1 slice rev. 1
 * @param computeSlices compute slices the compute instance uses
 * @param maxCount how many such compute instances fit one GPU instance
 * @param isDefault whether {@code nvidia-smi mig -cgi … -C} creates this one (marked {@code *})
 * @param placements where it may sit on its GPU instance's compute slices
 */
public record ComputeInstanceProfile(
    ProfileName name,
    int id,
    int computeSlices,
    int maxCount,
    boolean isDefault,
    List<Placement> placements) {

  public ComputeInstanceProfile {
    placements = List.copyOf(placements);
    if (computeSlices < 1 || maxCount < 1 || placements.isEmpty()) {
      throw new IllegalArgumentException(
          "compute-instance profile " + name + " needs slices, a max count and placements");
    }
  }

  /**
   * The compute-instance profiles of a GPU instance with {@code gpuSlices} compute slices, as the
   * driver lists them. Ids and counts follow {@code nvidia-smi mig -lcip} on A100, A30 and H100;
   * placements start at multiples of the slice count rounded up to a power of two, which reproduces
   * every observed placement and every max count (other placements are unverified).
   *
   * @param gpuInstance the GPU-instance profile the compute instances live in
   */
  public static List<ComputeInstanceProfile> of(GpuInstanceProfile gpuInstance) {
    int g = gpuInstance.computeSlices();
    List<ComputeInstanceProfile> out = new ArrayList<>();
    int[][] idsBySlices = {{1, 0}, {2, 1}, {3, 2}, {4, 3}, {7, 4}};
    for (int[] row : idsBySlices) {
      int c = row[0];
      // Listed: the whole instance, 1 and 2 slices, and on a 7g instance every size.
      boolean listed = c == g || c <= 2 || g == 7;
      if (c > g || !listed) {
        continue;
      }
      List<Placement> placements = placementsOf(c, g);
      boolean whole = c == g;
      int id = row[1];
      // The 1-compute-slice GPU instance with two memory slices defaults to the "rev. 1" CI (ID 7).
      if (whole && g == 1 && gpuInstance.memorySlices() == 2) {
        id = 7;
      }
      out.add(
          new ComputeInstanceProfile(
              gpuInstance.name().withComputeSlices(c),
              id,
              c,
              placements.size(),
              whole,
              placements));
    }
    return List.copyOf(out);
  }

  private static List<Placement> placementsOf(int slices, int gpuSlices) {
    int align =
        Integer.highestOneBit(slices) == slices ? slices : Integer.highestOneBit(slices) << 1;
    List<Placement> out = new ArrayList<>();
    for (int start = 0; start + slices <= gpuSlices; start += align) {
      out.add(new Placement(start, slices));
    }
    return out;
  }

  /** Whether {@code placement} is one of this profile's placements. */
  public boolean allows(Placement placement) {
    return placements.contains(placement);
  }

  @Override
  public String toString() {
    return name + " (ID " + id + ")";
  }
}
