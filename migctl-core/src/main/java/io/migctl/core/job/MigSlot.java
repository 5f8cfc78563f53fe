package io.migctl.core.job;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One MIG device (a compute instance) as the scheduler sees it.
 *
 * @param uuid the {@code MIG-…} UUID a job receives in {@code CUDA_VISIBLE_DEVICES}
 * @param gpu the parent GPU's index
 * @param gpuInstanceId the GPU instance id ({@code GPU_I_ID})
 * @param computeInstanceId the compute instance id
 * @param profile the device's profile name: the GPU-instance profile, or the compute-instance
 *     profile such as {@code 1c.3g.20gb} when the GPU instance is subdivided
 * @param memoryMiB the framebuffer the device can use (its GPU instance's)
 * @param computeSlices the compute slices the device owns
 * @param placement the GPU instance's placement on the memory-slice axis
 * @param foreignBusy whether a process that is not one of migctl's jobs holds it
 */
public record MigSlot(
    String uuid,
    int gpu,
    int gpuInstanceId,
    int computeInstanceId,
    String profile,
    long memoryMiB,
    int computeSlices,
    Placement placement,
    boolean foreignBusy) {

  /**
   * Every MIG device of the snapshots, in GPU and placement order.
   *
   * @param ownPids processes that belong to migctl's jobs; only other holders make a slot busy
   */
  public static List<MigSlot> of(List<GpuSnapshot> gpus, Set<Long> ownPids) {
    List<MigSlot> out = new ArrayList<>();
    for (GpuSnapshot g : gpus) {
      for (GpuSnapshot.Instance gi : g.instances()) {
        boolean subdivided = gi.computeInstances().size() > 1;
        for (GpuSnapshot.Compute ci : gi.computeInstances()) {
          boolean foreign = ci.processes().stream().anyMatch(p -> !ownPids.contains(p.pid()));
          out.add(
              new MigSlot(
                  ci.computeInstance().uuid(),
                  g.device().index(),
                  gi.gpuInstance().id(),
                  ci.computeInstance().id(),
                  subdivided || ci.profile().computeSlices() < gi.profile().computeSlices()
                      ? ci.profile().name().toString()
                      : gi.profile().name().toString(),
                  gi.profile().memoryMiB(),
                  ci.profile().computeSlices(),
                  gi.gpuInstance().placement(),
                  foreign));
        }
      }
    }
    return List.copyOf(out);
  }
}
