package io.migctl.core.mig.change;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.DeviceSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the entries of a mig-parted config into what each GPU of a node should look like, checking
 * everything before anything is touched: every profile exists in the GPU's own profile table, the
 * counts can be placed on that GPU (with placements), and no GPU is claimed by two entries.
 *
 * <p>MIG devices are grouped into GPU instances as mig-parted does: a GPU-instance profile ({@code
 * 3g.20gb}) is one GPU instance with its default compute instance; compute-instance profiles of the
 * same GPU-instance profile ({@code 1c.3g.20gb: 3}) share GPU instances, filling one before the
 * next is made (largest compute instances first).
 */
public final class DesiredLayouts {

  private DesiredLayouts() {}

  /**
   * The desired state of every GPU some entry matches, by GPU index. GPUs no entry matches are
   * absent: they are not touched. An entry whose {@code device-filter} matches no GPU of the node
   * matches nothing (as in mig-parted), but a GPU index it names explicitly ({@code devices: [3]})
   * must exist.
   *
   * @throws ConfigException naming the entry and the GPU when a wish cannot be met
   */
  public static Map<Integer, DesiredGpu> resolve(
      List<ConfigEntry> entries, List<GpuSnapshot> gpus) {
    Map<Integer, DesiredGpu> out = new LinkedHashMap<>();
    Map<Integer, String> claimedBy = new LinkedHashMap<>();
    for (ConfigEntry entry : entries) {
      requireIndices(entry, gpus);
    }
    for (ConfigEntry entry : entries) {
      for (GpuSnapshot gpu : gpus) {
        int index = gpu.device().index();
        if (!entry.matches(index, gpu.device().pciDeviceId(), gpu.device().pciSubsystemId())) {
          continue;
        }
        String previous = claimedBy.putIfAbsent(index, entry.path());
        if (previous != null) {
          throw new ConfigException(
              entry.path(),
              "GPU "
                  + index
                  + " ("
                  + gpu.device().productName()
                  + ") is already claimed by "
                  + previous
                  + "; give each GPU one entry (narrow 'devices' or 'device-filter')");
        }
        out.put(index, desired(entry, gpu));
      }
    }
    return out;
  }

  private static void requireIndices(ConfigEntry entry, List<GpuSnapshot> gpus) {
    if (!(entry.devices() instanceof DeviceSelection.Indices(List<Integer> indices))) {
      return;
    }
    for (int index : indices) {
      if (gpus.stream().noneMatch(g -> g.device().index() == index)) {
        List<String> have =
            gpus.stream()
                .map(g -> g.device().index() + " (" + g.device().productName() + ")")
                .toList();
        throw new ConfigException(
            entry.path() + ".devices",
            "GPU "
                + index
                + " is not on this node; this node has "
                + (have.isEmpty()
                    ? "no GPU"
                    : (have.size() == 1 ? "GPU " : "GPUs ") + String.join(", ", have))
                + "; name only GPUs it has, or write devices: all");
      }
    }
  }

  private static DesiredGpu desired(ConfigEntry entry, GpuSnapshot gpu) {
    int index = gpu.device().index();
    if (!entry.migEnabled()) {
      return new DesiredGpu(index, false, List.of(), entry.path());
    }
    GpuModel model = gpu.model();
    String where = gpu.device().productName() + " (GPU " + index + ")";
    Map<GpuInstanceProfile, List<ComputeInstanceProfile>> devices = new LinkedHashMap<>();
    for (Map.Entry<ProfileName, Integer> e : entry.migDevices().entrySet()) {
      String path = entry.path() + ".mig-devices";
      ProfileName name = e.getKey();
      GpuInstanceProfile gi =
          model
              .profile(name)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          path,
                          "\""
                              + name
                              + "\" is not a profile of "
                              + where
                              + "; its profiles are "
                              + model.profileNamesText()));
      List<ComputeInstanceProfile> ciProfiles = ComputeInstanceProfile.of(gi);
      ComputeInstanceProfile ci =
          ciProfiles.stream()
              .filter(
                  c ->
                      name.isComputeInstance()
                          ? c.computeSlices() == name.computeSlices()
                          : c.isDefault())
              .findFirst()
              .orElseThrow(
                  () ->
                      new ConfigException(
                          path,
                          "\""
                              + name
                              + "\" is not a compute-instance profile of "
                              + gi.name()
                              + " on "
                              + where
                              + "; its compute-instance profiles are "
                              + ciProfiles.stream().map(c -> c.name().toString()).toList()));
      for (int i = 0; i < e.getValue(); i++) {
        devices.computeIfAbsent(gi, k -> new ArrayList<>()).add(ci);
      }
    }
    List<DesiredInstance> instances = new ArrayList<>();
    devices.forEach((gi, cis) -> instances.addAll(pack(gi, cis)));
    DesiredGpu desired = new DesiredGpu(index, true, instances, entry.path());
    Feasibility f = new PlacementSearch(model).place(desired.gpuInstanceCounts());
    if (f instanceof Feasibility.Unplaceable(String reason)) {
      throw new ConfigException(
          entry.path() + ".mig-devices",
          describe(desired) + " cannot be placed on " + where + ": " + reason);
    }
    return desired;
  }

  /** Fills GPU instances with compute instances, largest first, opening a new one when full. */
  private static List<DesiredInstance> pack(
      GpuInstanceProfile gi, List<ComputeInstanceProfile> cis) {
    List<ComputeInstanceProfile> sorted =
        cis.stream()
            .sorted((a, b) -> Integer.compare(b.computeSlices(), a.computeSlices()))
            .toList();
    List<List<ComputeInstanceProfile>> groups = new ArrayList<>();
    for (ComputeInstanceProfile ci : sorted) {
      List<ComputeInstanceProfile> home = null;
      for (List<ComputeInstanceProfile> g : groups) {
        if (fits(g, ci)) {
          home = g;
          break;
        }
      }
      if (home == null) {
        home = new ArrayList<>();
        groups.add(home);
      }
      home.add(ci);
    }
    return groups.stream().map(g -> new DesiredInstance(gi, g)).toList();
  }

  private static boolean fits(List<ComputeInstanceProfile> group, ComputeInstanceProfile next) {
    List<ComputeInstanceProfile> all = new ArrayList<>(group);
    all.add(next);
    return PlacementSearch.placeComputeInstances(all, List.of()).isPresent();
  }

  /** {@code 4g.20gb ×1 + 2g.10gb ×2}. */
  static String describe(DesiredGpu desired) {
    List<String> parts = new ArrayList<>();
    desired.gpuInstanceCounts().forEach((p, n) -> parts.add(p.name() + " ×" + n));
    return parts.isEmpty() ? "no instances" : String.join(" + ", parts);
  }
}
