package io.migctl.core.plan;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the {@link DemandPlanner} wants on one GPU.
 *
 * @param gpu the GPU's index
 * @param model its model
 * @param kept the instances that stay (the GPU's {@link NodeGpu#keep})
 * @param created the instances to create, ordered by placement; empty when the plan leaves the GPU
 *     untouched
 */
public record GpuLayout(
    int gpu, GpuModel model, List<PlacedInstance> kept, List<PlacedInstance> created) {

  public GpuLayout {
    kept = List.copyOf(kept);
    created = created.stream().sorted(Comparator.comparing(PlacedInstance::placement)).toList();
  }

  /** Whether the plan creates instances here; an untouched GPU is left as it is. */
  public boolean touched() {
    return !created.isEmpty();
  }

  /** The whole desired layout: the kept instances and the created ones, by placement. */
  public Layout layout() {
    List<PlacedInstance> all = new ArrayList<>(kept);
    all.addAll(created);
    all.sort(Comparator.comparing(PlacedInstance::placement));
    return new Layout(all);
  }
}
