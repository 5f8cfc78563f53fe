package io.migctl.core.mig.change;

import io.migctl.core.mig.GpuInstanceProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one GPU should look like: its MIG mode and, when MIG is on, its GPU instances.
 *
 * @param gpu the GPU's index
 * @param migEnabled whether MIG mode should be on
 * @param instances the GPU instances (empty when MIG is off)
 * @param source where the wish comes from, for messages (e.g. {@code mig-configs.custom[0]})
 */
public record DesiredGpu(
    int gpu, boolean migEnabled, List<DesiredInstance> instances, String source) {

  public DesiredGpu {
    instances = List.copyOf(instances);
    if (!migEnabled && !instances.isEmpty()) {
      throw new IllegalArgumentException(
          "GPU " + gpu + ": instances were asked for with MIG mode off (" + source + ")");
    }
  }

  /** How many GPU instances of each profile, in first-seen order. */
  public Map<GpuInstanceProfile, Integer> gpuInstanceCounts() {
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    instances.forEach(i -> counts.merge(i.profile(), 1, Integer::sum));
    return counts;
  }
}
