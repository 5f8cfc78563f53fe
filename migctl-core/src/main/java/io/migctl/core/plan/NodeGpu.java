package io.migctl.core.plan;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.LayoutCheck;
import io.migctl.core.mig.PlacedInstance;
import java.util.List;
import java.util.Objects;

/**
 * A GPU of the node as the {@link DemandPlanner} sees it.
 *
 * @param index the GPU's index, as {@code nvidia-smi} numbers it
 * @param model its model, whose profiles and placements decide what fits
 * @param keep GPU instances that must stay where they are (busy ones, say); they take room and
 *     receive no job. Every other instance on the GPU may be destroyed when a plan touches it. Give
 *     their compute instances when they have any, so the plan keeps those too.
 */
public record NodeGpu(int index, GpuModel model, List<PlacedInstance> keep) {

  public NodeGpu {
    Objects.requireNonNull(model, "model");
    keep = List.copyOf(keep);
    if (index < 0) {
      throw new IllegalArgumentException("a GPU index is 0 or more, was " + index);
    }
    LayoutCheck check = new Layout(keep).checkOn(model);
    if (!check.isValid()) {
      throw new IllegalArgumentException(
          "GPU " + index + ": the instances to keep are not a valid layout: " + check.message());
    }
  }

  /**
   * A GPU as it is now, keeping the instances a process holds (with their compute instances); idle
   * instances may be replaced.
   */
  public static NodeGpu keepingBusy(GpuSnapshot snapshot) {
    return new NodeGpu(
        snapshot.device().index(),
        snapshot.model(),
        snapshot.instances().stream()
            .filter(GpuSnapshot.Instance::isBusy)
            .map(GpuSnapshot.Instance::placed)
            .toList());
  }

  /** A GPU whose instances may all be replaced. */
  public NodeGpu(int index, GpuModel model) {
    this(index, model, List.of());
  }
}
