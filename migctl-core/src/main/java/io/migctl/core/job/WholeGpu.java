package io.migctl.core.job;

import io.migctl.core.mig.GpuSnapshot;
import java.util.List;
import java.util.Set;

/**
 * One GPU as the scheduler sees it for jobs that ask for whole GPUs.
 *
 * <p>A GPU serves such a job when no process uses it and either MIG is off, or MIG is on, the
 * policy lets the node turn MIG off ({@link Scheduler.Policy#allowMigModeSwitch()}) and none of its
 * MIG devices is held: its idle instances are destroyed and MIG turned off first, a change that
 * costs as much as a reshape.
 *
 * @param index the driver's index
 * @param uuid the {@code GPU-…} UUID a job receives in {@code CUDA_VISIBLE_DEVICES}
 * @param model the catalog key of its model, e.g. {@code a100-40gb}
 * @param memoryMiB its framebuffer
 * @param computeSlices its compute slices: what a job on it holds against a tenant's quota
 * @param migEnabled whether MIG is on (current mode)
 * @param instances its GPU instances now (0 when MIG is off)
 * @param foreignBusy whether a process that is not one of migctl's jobs uses the GPU or one of its
 *     MIG devices
 */
public record WholeGpu(
    int index,
    String uuid,
    String model,
    long memoryMiB,
    int computeSlices,
    boolean migEnabled,
    int instances,
    boolean foreignBusy) {

  public WholeGpu {
    if (index < 0 || memoryMiB < 1 || computeSlices < 1 || instances < 0) {
      throw new IllegalArgumentException(
          "GPU "
              + index
              + ": index, memory, compute slices and instances out of range ("
              + memoryMiB
              + " MiB, "
              + computeSlices
              + " slices, "
              + instances
              + " instances)");
    }
    if (!migEnabled && instances > 0) {
      throw new IllegalArgumentException(
          "GPU " + index + " has MIG off but " + instances + " instances");
    }
  }

  /**
   * Every GPU of the snapshots, in order. A snapshot lists processes only on MIG devices, so a GPU
   * with MIG off is not foreign-busy here; the caller marks such GPUs it knows to be used.
   *
   * @param ownPids processes that belong to migctl's jobs
   */
  public static List<WholeGpu> of(List<GpuSnapshot> gpus, Set<Long> ownPids) {
    return gpus.stream()
        .map(
            g ->
                new WholeGpu(
                    g.device().index(),
                    g.device().uuid(),
                    g.model().key(),
                    g.device().memoryMiB(),
                    g.model().computeSlices(),
                    g.device().migMode().current(),
                    g.instances().size(),
                    g.instances().stream()
                        .flatMap(i -> i.computeInstances().stream())
                        .flatMap(c -> c.processes().stream())
                        .anyMatch(p -> !ownPids.contains(p.pid()))))
        .toList();
  }

  /** Whether the GPU is of the model (by catalog key) and has the memory the need asks. */
  public boolean matches(GpuNeed.WholeGpus need) {
    return need.model().map(m -> m.equals(model)).orElse(true)
        && memoryMiB >= need.memoryMiB().orElse(1);
  }
}
