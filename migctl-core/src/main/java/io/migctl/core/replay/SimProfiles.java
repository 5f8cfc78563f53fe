package io.migctl.core.replay;

import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.plan.Repartitioner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The slice profiles the simulation uses on a GPU model: one per compute-slice size, the one with
 * the least memory and no media extensions (on A100-40GB: 1g.5gb, 2g.10gb, 3g.20gb, 4g.20gb,
 * 7g.40gb, MISO's five). Layouts are placed with {@link PlacementSearch}, so every layout the
 * simulation builds is one the driver accepts.
 *
 * @param model the GPU model
 * @param profiles the profiles, by compute slices ascending
 */
public record SimProfiles(GpuModel model, List<GpuInstanceProfile> profiles) {

  private static final Map<String, SimProfiles> CACHE = new ConcurrentHashMap<>();

  public SimProfiles {
    profiles = List.copyOf(profiles);
  }

  /** The profiles of {@code model}. */
  public static SimProfiles of(GpuModel model) {
    return CACHE.computeIfAbsent(model.key(), k -> build(model));
  }

  private static SimProfiles build(GpuModel model) {
    Map<Integer, GpuInstanceProfile> bySize = new TreeMap<>();
    for (GpuInstanceProfile p : model.profiles()) {
      if (p.hasMediaExtensions()) {
        continue;
      }
      bySize.merge(p.computeSlices(), p, (a, b) -> a.memoryMiB() <= b.memoryMiB() ? a : b);
    }
    return new SimProfiles(model, new ArrayList<>(bySize.values()));
  }

  /** The profile of {@code computeSlices}. */
  public GpuInstanceProfile bySlices(int computeSlices) {
    for (GpuInstanceProfile p : profiles) {
      if (p.computeSlices() == computeSlices) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        model.key() + " has no " + computeSlices + "g profile in the simulation");
  }

  /** The whole-GPU profile (the most compute slices). */
  public GpuInstanceProfile full() {
    return profiles.get(profiles.size() - 1);
  }

  /**
   * Places a layout given as slice sizes (MISO's partition code, e.g. {@code [2, 1, 4]}) on an
   * empty GPU.
   *
   * @throws IllegalArgumentException when the sizes cannot be placed together
   */
  public List<PlacedInstance> layout(List<Integer> sizes) {
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    for (int s : sizes) {
      counts.merge(bySlices(s), 1, Integer::sum);
    }
    Feasibility f = new PlacementSearch(model).placeLeavingMostRoom(List.of(), counts);
    if (f instanceof Feasibility.Placeable(List<PlacedInstance> placed)) {
      return sorted(placed);
    }
    throw new IllegalArgumentException(
        "layout " + sizes + " does not fit a " + model.key() + ": " + f);
  }

  /**
   * Every multiset of profiles that can be placed beside {@code fixed} (at least one instance),
   * each with its placement, found by {@link PlacementSearch#placeLeavingMostRoom}; see {@link
   * Repartitioner#additions(GpuModel, List, List)}.
   */
  public List<List<PlacedInstance>> additions(List<PlacedInstance> fixed) {
    return Repartitioner.additions(model, profiles, fixed);
  }

  /**
   * Every distinct maximal layout as slice sizes, largest first: layouts to which no further
   * instance can be added (on A100-40GB: {@code [7]}, {@code [4, 3]}, ..., {@code [1, 1, 1, 1, 1,
   * 1, 1]}).
   */
  public List<List<Integer>> maximalLayouts() {
    List<List<Integer>> out = new ArrayList<>();
    for (List<PlacedInstance> layout : additions(List.of())) {
      List<Integer> sizes = new ArrayList<>();
      for (PlacedInstance i : layout) {
        sizes.add(i.profile().computeSlices());
      }
      sizes.sort(Comparator.reverseOrder());
      if (room(sizes) == 0 && !out.contains(sizes)) {
        out.add(List.copyOf(sizes));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The largest slice size that can still be added to the layout {@code sizes}, or 0 when none can.
   */
  public int room(List<Integer> sizes) {
    for (int k = profiles.size() - 1; k >= 0; k--) {
      List<Integer> more = new ArrayList<>(sizes);
      more.add(profiles.get(k).computeSlices());
      if (fits(more)) {
        return profiles.get(k).computeSlices();
      }
    }
    return 0;
  }

  /** Whether the slice sizes {@code sizes} can be placed together on one GPU. */
  public boolean fits(List<Integer> sizes) {
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    for (int s : sizes) {
      counts.merge(bySlices(s), 1, Integer::sum);
    }
    return new PlacementSearch(model).placeLeavingMostRoom(List.of(), counts)
        instanceof Feasibility.Placeable;
  }

  static List<PlacedInstance> sorted(List<PlacedInstance> placed) {
    List<PlacedInstance> copy = new ArrayList<>(placed);
    copy.sort(Comparator.comparing(PlacedInstance::placement));
    return List.copyOf(copy);
  }
}
