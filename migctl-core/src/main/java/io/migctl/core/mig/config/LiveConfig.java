package io.migctl.core.mig.config;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live state of a node as a mig-parted config, as {@code nvidia-mig-parted export} writes it:
 * one config named by the label, one entry per group of GPUs that look the same (listed by index,
 * or {@code all}), MIG devices counted by profile. Applying it to the same node changes nothing.
 */
public final class LiveConfig {

  private LiveConfig() {}

  /** The config of {@code gpus} under the name {@code label}. */
  public static MigPartedConfig export(List<GpuSnapshot> gpus, String label) {
    Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
    Map<List<Object>, Map<ProfileName, Integer>> devicesOf = new LinkedHashMap<>();
    for (GpuSnapshot gpu : gpus) {
      boolean enabled = gpu.device().migMode().current();
      Map<ProfileName, Integer> devices = devices(gpu, enabled);
      List<Object> key = List.of(enabled, devices);
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(gpu.device().index());
      devicesOf.put(key, devices);
    }
    List<ConfigEntry> entries = new ArrayList<>();
    int i = 0;
    for (Map.Entry<List<Object>, List<Integer>> g : groups.entrySet()) {
      DeviceSelection devices =
          groups.size() == 1
              ? new DeviceSelection.All()
              : new DeviceSelection.Indices(g.getValue());
      entries.add(
          new ConfigEntry(
              "mig-configs." + label + "[" + i++ + "]",
              List.of(),
              devices,
              (Boolean) g.getKey().get(0),
              devicesOf.get(g.getKey())));
    }
    return new MigPartedConfig(Map.of(label, entries));
  }

  /** MIG devices by profile name, in the GPU's profile order, larger compute instances first. */
  private static Map<ProfileName, Integer> devices(GpuSnapshot gpu, boolean enabled) {
    Map<ProfileName, Integer> out = new LinkedHashMap<>();
    if (!enabled) {
      return out;
    }
    List<GpuSnapshot.Compute> all = new ArrayList<>();
    gpu.instances().forEach(inst -> all.addAll(inst.computeInstances()));
    List<GpuInstanceProfile> order = gpu.model().profiles();
    all.sort(
        Comparator.comparingInt(
                (GpuSnapshot.Compute c) ->
                    order.indexOf(gpu.model().profile(c.profile().name()).orElseThrow()))
            .thenComparing(c -> -c.profile().computeSlices()));
    for (GpuSnapshot.Compute c : all) {
      out.merge(c.profile().name(), 1, Integer::sum);
    }
    return out;
  }
}
