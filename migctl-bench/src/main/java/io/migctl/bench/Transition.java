package io.migctl.bench;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark case on one GPU: the layout it has now (each GPU instance with its default compute
 * instance, so one MIG device per GPU instance), which of those MIG devices a process holds, and
 * the GPU instances wanted (each with its default compute instance, placement left to the tool).
 *
 * @param index the case's number within its model's run, from 0
 * @param model the GPU model
 * @param current the GPU instances now, at their placements
 * @param busy for each entry of {@code current}, whether a process holds its MIG device
 * @param target the wanted GPU instances, in the model's profile order
 * @param nearCurrent whether the target was made from {@code current} by changing one or two
 *     instances (so that keeping instances matters), rather than drawn afresh
 */
record Transition(
    int index,
    GpuModel model,
    List<PlacedInstance> current,
    List<Boolean> busy,
    List<GpuInstanceProfile> target,
    boolean nearCurrent) {

  Transition {
    current = List.copyOf(current);
    busy = List.copyOf(busy);
    target = List.copyOf(target);
    if (busy.size() != current.size()) {
      throw new IllegalArgumentException(
          "busy flags (" + busy.size() + ") must match current instances (" + current.size() + ")");
    }
  }

  /** Whether any MIG device is held. */
  boolean hasBusyDevice() {
    return busy.contains(true);
  }

  /** The target as mig-parted counts it: whole GPU instances by profile. */
  Map<MigDeviceProfile, Integer> targetCounts() {
    Map<MigDeviceProfile, Integer> counts = new LinkedHashMap<>();
    target.forEach(p -> counts.merge(MigDeviceProfile.whole(p), 1, Integer::sum));
    return counts;
  }

  /** {@code #12 [3g.20gb@4:4*, 1g.5gb@0:1] -> [4g.20gb, 3g.20gb]}, busy ones starred. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("#").append(index).append(" [");
    for (int i = 0; i < current.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(current.get(i)).append(busy.get(i) ? "*" : "");
    }
    b.append("] -> ");
    b.append(target.stream().map(p -> p.name().toString()).toList());
    return b.toString();
  }
}
