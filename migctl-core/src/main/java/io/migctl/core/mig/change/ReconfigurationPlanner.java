package io.migctl.core.mig.change;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans one GPU's reconfiguration from its live layout to a desired one: the minimal, busy-safe,
 * placement-aware diff that mig-parted does not make.
 *
 * <p>Model: live GPU instances (with placements, compute instances and holders) and desired GPU
 * instances (profile and compute instances, placement free). A live instance is either kept for a
 * desired instance of the same profile — staying where it is, its compute instances reshaped if
 * they differ — or destroyed. A busy instance (a process holds one of its compute instances) is
 * never destroyed or moved, and its busy compute instances are never destroyed. Desired instances
 * no live one is kept for are created at explicit placements in the free slices.
 *
 * <p>Algorithm: depth-first over the live instances, each either destroyed (if idle) or kept for a
 * class of identical desired instances with copies left; at each leaf the unmatched desired
 * instances are placed beside the kept ones by {@link PlacementSearch#placeLeavingMostRoom}. The
 * plan with the fewest driver operations wins, ties going to the one that leaves the most room —
 * the largest instance that still fits, then the most free placements (see {@link
 * PlacementSearch#roomLeft}) — then to the first found (keeping is tried before destroying).
 * Branches already costlier than the best plan are cut. Cost: at most 2^n leaves for n live
 * instances (n ≤ 8 on MIG GPUs), each a small interval packing.
 *
 * <p>Re-planning an unchanged GPU gives a plan without changes, so applying is idempotent.
 */
public final class ReconfigurationPlanner {

  private ReconfigurationPlanner() {}

  /** Plans {@code live} → {@code desired}. */
  public static PlanOutcome plan(GpuSnapshot live, DesiredGpu desired) {
    int gpu = live.device().index();
    boolean current = live.device().migMode().current();
    boolean pending = live.device().migMode().pending();
    boolean needsReset = live.model().architecture().modeChangeNeedsReset();
    List<PlanStep> steps = new ArrayList<>();
    if (!desired.migEnabled()) {
      if (!current && !pending) {
        return new PlanOutcome.Planned(new GpuPlan(gpu, List.of()));
      }
      List<GpuSnapshot.Instance> busy =
          live.instances().stream().filter(GpuSnapshot.Instance::isBusy).toList();
      if (!busy.isEmpty()) {
        return new PlanOutcome.Refused(
            gpu,
            "MIG mode cannot be turned off on GPU "
                + gpu
                + " while "
                + describeBusy(busy)
                + "; stop "
                + holders(busy)
                + " first");
      }
      for (GpuSnapshot.Instance inst : live.instances()) {
        destroy(inst, steps);
      }
      if (pending) {
        steps.add(new PlanStep.SetMigMode(false));
      }
      if (needsReset && current) {
        steps.add(new PlanStep.ResetGpu());
      }
      return new PlanOutcome.Planned(new GpuPlan(gpu, steps));
    }
    if (!current) {
      if (!pending) {
        steps.add(new PlanStep.SetMigMode(true));
      }
      if (needsReset) {
        steps.add(new PlanStep.ResetGpu());
      }
      Optional<List<PlanStep>> creates = createAll(live, List.of(), desired.instances());
      if (creates.isEmpty()) {
        return new PlanOutcome.Refused(
            gpu, DesiredLayouts.describe(desired) + " cannot be placed on GPU " + gpu);
      }
      steps.addAll(creates.get());
      return new PlanOutcome.Planned(new GpuPlan(gpu, steps));
    }
    if (!pending) {
      // A pending "off" that was never made effective: cancel it.
      steps.add(new PlanStep.SetMigMode(true));
    }
    Search search = new Search(live, desired);
    search.run(0, new int[search.classes.size()], new ArrayList<>(), 0);
    if (search.best == null) {
      return new PlanOutcome.Refused(gpu, search.refusal());
    }
    steps.addAll(search.best.steps);
    return new PlanOutcome.Planned(new GpuPlan(gpu, steps));
  }

  // ------------------------------------------------------------------------------------------

  /** Identical desired instances, so that the search does not try their permutations. */
  private record DesiredClass(DesiredInstance instance, int count) {}

  /** A live instance kept for a desired one, with its compute-instance changes. */
  private record Kept(GpuSnapshot.Instance live, CiPlan ci) {}

  /** Compute-instance changes inside a kept GPU instance. */
  private record CiPlan(
      List<GpuSnapshot.Compute> keep,
      List<GpuSnapshot.Compute> destroy,
      List<ComputeInstanceProfile> create,
      List<Placement> createAt) {
    int operations() {
      return destroy.size() + create.size();
    }
  }

  private record Candidate(int operations, int room, List<PlanStep> steps) {}

  private static final class Search {
    private final GpuSnapshot live;
    private final DesiredGpu desired;
    private final List<DesiredClass> classes = new ArrayList<>();
    private Candidate best;

    Search(GpuSnapshot live, DesiredGpu desired) {
      this.live = live;
      this.desired = desired;
      Map<DesiredInstance, Integer> counts = new LinkedHashMap<>();
      desired.instances().forEach(d -> counts.merge(d, 1, Integer::sum));
      counts.forEach((d, n) -> classes.add(new DesiredClass(d, n)));
    }

    void run(int i, int[] used, List<Kept> kept, int costSoFar) {
      if (best != null && costSoFar > best.operations) {
        return;
      }
      List<GpuSnapshot.Instance> instances = live.instances();
      if (i == instances.size()) {
        leaf(used, kept, costSoFar);
        return;
      }
      GpuSnapshot.Instance inst = instances.get(i);
      for (int c = 0; c < classes.size(); c++) {
        DesiredClass dc = classes.get(c);
        if (used[c] == dc.count()
            || !dc.instance().profile().equals(inst.profile())
            || !dc.instance()
                .placement()
                .map(inst.gpuInstance().placement()::equals)
                .orElse(true)) {
          continue;
        }
        Optional<CiPlan> ci = ciPlan(inst, dc.instance());
        if (ci.isEmpty()) {
          continue;
        }
        used[c]++;
        kept.add(new Kept(inst, ci.get()));
        run(i + 1, used, kept, costSoFar + ci.get().operations());
        kept.removeLast();
        used[c]--;
      }
      if (!inst.isBusy()) {
        run(i + 1, used, kept, costSoFar + 1 + inst.computeInstances().size());
      }
    }

    private void leaf(int[] used, List<Kept> kept, int costSoFar) {
      List<DesiredInstance> unmatched = new ArrayList<>();
      for (int c = 0; c < classes.size(); c++) {
        for (int k = used[c]; k < classes.get(c).count(); k++) {
          unmatched.add(classes.get(c).instance());
        }
      }
      int cost = costSoFar;
      for (DesiredInstance d : unmatched) {
        cost += 1 + d.computeInstances().size();
      }
      if (best != null && cost > best.operations) {
        return;
      }
      List<PlacedInstance> keptPlaced = new ArrayList<>();
      kept.forEach(
          k ->
              keptPlaced.add(
                  new PlacedInstance(k.live().profile(), k.live().gpuInstance().placement())));
      Optional<List<PlacedInstance>> found = placeUnmatched(live, keptPlaced, unmatched);
      if (found.isEmpty()) {
        return;
      }
      List<PlacedInstance> placed = found.get();
      long occupied = 0;
      for (PlacedInstance p : keptPlaced) {
        occupied |= p.placement().mask();
      }
      for (PlacedInstance p : placed) {
        occupied |= p.placement().mask();
      }
      int room = new PlacementSearch(live.model()).roomLeft(occupied);
      if (best != null && cost == best.operations && room <= best.room) {
        return;
      }
      best = new Candidate(cost, room, steps(kept, placed, unmatched));
    }

    /** The plan's steps, in {@link StepOrder}'s order. */
    private List<PlanStep> steps(
        List<Kept> kept, List<PlacedInstance> placed, List<DesiredInstance> unmatched) {
      List<PlanStep> out = new ArrayList<>();
      for (GpuSnapshot.Instance inst : live.instances()) {
        Optional<Kept> k = kept.stream().filter(x -> x.live() == inst).findFirst();
        if (k.isEmpty()) {
          destroy(inst, out);
          continue;
        }
        out.add(
            new PlanStep.KeepGpuInstance(
                inst.gpuInstance().id(), inst.profile(), inst.gpuInstance().placement()));
        CiPlan ci = k.get().ci();
        for (GpuSnapshot.Compute c : ci.keep()) {
          out.add(computeStep(inst, c, true));
        }
        for (GpuSnapshot.Compute c : ci.destroy()) {
          out.add(computeStep(inst, c, false));
        }
        for (int j = 0; j < ci.create().size(); j++) {
          out.add(
              new PlanStep.CreateComputeInstance(
                  inst.profile(),
                  inst.gpuInstance().placement(),
                  ci.create().get(j),
                  ci.createAt().get(j)));
        }
      }
      out.addAll(createSteps(placed, unmatched));
      return StepOrder.createsFirst(live.model(), live.layout().instances(), out);
    }

    /**
     * Why no plan exists: the busy instances in the way, their holders, what would have to stop.
     */
    String refusal() {
      List<GpuSnapshot.Instance> busy =
          live.instances().stream().filter(GpuSnapshot.Instance::isBusy).toList();
      int gpu = live.device().index();
      for (GpuSnapshot.Instance inst : busy) {
        boolean profileWanted =
            desired.instances().stream().anyMatch(d -> d.profile().equals(inst.profile()));
        if (!profileWanted) {
          return describeBusy(List.of(inst))
              + " on GPU "
              + gpu
              + ", and "
              + desired.source()
              + " has no "
              + inst.profile().name()
              + " for it; stop "
              + holders(List.of(inst))
              + " (or wait for it) and apply again";
        }
        boolean ciWanted =
            desired.instances().stream()
                .filter(d -> d.profile().equals(inst.profile()))
                .anyMatch(d -> ciPlan(inst, d).isPresent());
        if (!ciWanted) {
          return describeBusy(List.of(inst))
              + " on GPU "
              + gpu
              + ", and no "
              + inst.profile().name()
              + " in "
              + desired.source()
              + " keeps its busy compute instances; stop "
              + holders(List.of(inst))
              + " (or wait for it) and apply again";
        }
      }
      return DesiredLayouts.describe(desired)
          + " does not fit on GPU "
          + gpu
          + " beside the busy "
          + describeBusy(busy)
          + ", which cannot move; stop "
          + holders(busy)
          + " (or wait for them) and apply again";
    }
  }

  /**
   * The compute-instance changes that turn a live GPU instance's compute instances into {@code
   * wanted}: busy ones stay, as many idle matching ones as fit stay, the rest are destroyed and the
   * missing ones created beside those that stay. Empty when a busy one is not wanted.
   */
  private static Optional<CiPlan> ciPlan(GpuSnapshot.Instance inst, DesiredInstance want) {
    if (want.computePinned()) {
      return pinnedCiPlan(inst, want);
    }
    List<ComputeInstanceProfile> remaining = new ArrayList<>(want.computeInstances());
    List<GpuSnapshot.Compute> mustKeep = new ArrayList<>();
    List<GpuSnapshot.Compute> idle = new ArrayList<>();
    for (GpuSnapshot.Compute c : inst.computeInstances()) {
      if (c.isBusy()) {
        if (!remaining.remove(c.profile())) {
          return Optional.empty();
        }
        mustKeep.add(c);
      } else {
        idle.add(c);
      }
    }
    CiPlan best = null;
    int subsets = 1 << idle.size();
    for (int mask = subsets - 1; mask >= 0; mask--) {
      List<ComputeInstanceProfile> left = new ArrayList<>(remaining);
      List<GpuSnapshot.Compute> keep = new ArrayList<>(mustKeep);
      List<GpuSnapshot.Compute> destroy = new ArrayList<>();
      boolean ok = true;
      for (int b = 0; b < idle.size(); b++) {
        GpuSnapshot.Compute c = idle.get(b);
        if ((mask & (1 << b)) != 0) {
          if (!left.remove(c.profile())) {
            ok = false;
            break;
          }
          keep.add(c);
        } else {
          destroy.add(c);
        }
      }
      if (!ok || (best != null && destroy.size() + left.size() >= best.operations())) {
        continue;
      }
      List<Placement> taken = keep.stream().map(c -> c.computeInstance().placement()).toList();
      Optional<List<Placement>> at = PlacementSearch.placeComputeInstances(left, taken);
      if (at.isPresent()) {
        best = new CiPlan(keep, destroy, left, at.get());
      }
    }
    return Optional.ofNullable(best);
  }

  /** Compute-instance changes when the desired compute instances have fixed placements. */
  private static Optional<CiPlan> pinnedCiPlan(GpuSnapshot.Instance inst, DesiredInstance want) {
    List<DesiredInstance.Pinned> left = new ArrayList<>(want.pinnedComputeInstances());
    List<GpuSnapshot.Compute> keep = new ArrayList<>();
    List<GpuSnapshot.Compute> destroy = new ArrayList<>();
    for (GpuSnapshot.Compute c : inst.computeInstances()) {
      DesiredInstance.Pinned same =
          new DesiredInstance.Pinned(c.profile(), c.computeInstance().placement());
      if (left.remove(same)) {
        keep.add(c);
      } else if (c.isBusy()) {
        return Optional.empty();
      } else {
        destroy.add(c);
      }
    }
    return Optional.of(
        new CiPlan(
            keep,
            destroy,
            left.stream().map(DesiredInstance.Pinned::profile).toList(),
            left.stream().map(DesiredInstance.Pinned::placement).toList()));
  }

  private static Optional<List<PlanStep>> createAll(
      GpuSnapshot live, List<PlacedInstance> kept, List<DesiredInstance> instances) {
    return placeUnmatched(live, kept, instances)
        .map(placed -> StepOrder.destroysFirst(createSteps(placed, instances), List.of()));
  }

  /**
   * Placements for desired instances beside the kept ones: pinned ones where they are pinned (if
   * free), the others where they leave the most room. Empty when they do not fit.
   */
  private static Optional<List<PlacedInstance>> placeUnmatched(
      GpuSnapshot live, List<PlacedInstance> kept, List<DesiredInstance> unmatched) {
    List<PlacedInstance> fixed = new ArrayList<>(kept);
    List<PlacedInstance> pinned = new ArrayList<>();
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    for (DesiredInstance d : unmatched) {
      if (d.placement().isPresent()) {
        PlacedInstance p = new PlacedInstance(d.profile(), d.placement().get());
        if (fixed.stream().anyMatch(x -> x.placement().overlaps(p.placement()))) {
          return Optional.empty();
        }
        fixed.add(p);
        pinned.add(p);
      } else {
        counts.merge(d.profile(), 1, Integer::sum);
      }
    }
    Feasibility f = new PlacementSearch(live.model()).placeLeavingMostRoom(fixed, counts);
    if (!(f instanceof Feasibility.Placeable(List<PlacedInstance> placed))) {
      return Optional.empty();
    }
    List<PlacedInstance> all = new ArrayList<>(pinned);
    all.addAll(placed);
    return Optional.of(all);
  }

  /**
   * Steps that create {@code desired} at {@code placed} (one placement per desired instance,
   * matched by profile): GPU instances largest first, then their compute instances ({@link
   * StepOrder} puts each GPU instance's compute instances right after it).
   */
  private static List<PlanStep> createSteps(
      List<PlacedInstance> placed, List<DesiredInstance> desired) {
    List<DesiredInstance> pool = new ArrayList<>(desired);
    List<PlacedInstance> bySize = new ArrayList<>(placed);
    bySize.sort(
        Comparator.comparingInt((PlacedInstance p) -> p.profile().memorySlices())
            .reversed()
            .thenComparing(PlacedInstance::placement));
    List<PlanStep> gis = new ArrayList<>();
    List<PlanStep> cis = new ArrayList<>();
    for (PlacedInstance p : bySize) {
      DesiredInstance d =
          pool.stream()
              .filter(x -> x.placement().map(p.placement()::equals).orElse(true))
              .filter(x -> x.profile().equals(p.profile()))
              .min(Comparator.comparing(x -> x.placement().isEmpty()))
              .orElseThrow();
      pool.remove(d);
      gis.add(new PlanStep.CreateGpuInstance(p.profile(), p.placement()));
      List<Placement> at =
          d.computePinned()
              ? d.computePlacements()
              : PlacementSearch.placeComputeInstances(d.computeInstances(), List.of())
                  .orElseThrow();
      for (int j = 0; j < at.size(); j++) {
        cis.add(
            new PlanStep.CreateComputeInstance(
                p.profile(), p.placement(), d.computeInstances().get(j), at.get(j)));
      }
    }
    gis.addAll(cis);
    return gis;
  }

  /** Steps that destroy a live instance: its compute instances, then itself. */
  static void destroy(GpuSnapshot.Instance inst, List<PlanStep> steps) {
    for (GpuSnapshot.Compute c : inst.computeInstances()) {
      steps.add(computeStep(inst, c, false));
    }
    steps.add(
        new PlanStep.DestroyGpuInstance(
            inst.gpuInstance().id(), inst.profile(), inst.gpuInstance().placement()));
  }

  /** A keep or destroy step for a live compute instance. */
  static PlanStep computeStep(GpuSnapshot.Instance inst, GpuSnapshot.Compute c, boolean keep) {
    return keep
        ? new PlanStep.KeepComputeInstance(
            inst.profile(),
            inst.gpuInstance().placement(),
            inst.gpuInstance().id(),
            c.computeInstance().id(),
            c.profile(),
            c.computeInstance().placement(),
            c.computeInstance().uuid())
        : new PlanStep.DestroyComputeInstance(
            inst.profile(),
            inst.gpuInstance().placement(),
            inst.gpuInstance().id(),
            c.computeInstance().id(),
            c.profile(),
            c.computeInstance().placement(),
            c.computeInstance().uuid());
  }

  /** {@code 3g.20gb@4:4 (GI 2) is busy (MIG-…: pid 4121)}. */
  private static String describeBusy(List<GpuSnapshot.Instance> busy) {
    List<String> parts = new ArrayList<>();
    for (GpuSnapshot.Instance inst : busy) {
      List<String> devices = new ArrayList<>();
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        if (c.isBusy()) {
          devices.add(c.computeInstance().uuid() + ": " + pids(c.processes()));
        }
      }
      parts.add(
          inst.profile().name()
              + "@"
              + inst.gpuInstance().placement()
              + " (GI "
              + inst.gpuInstance().id()
              + ") is busy ("
              + String.join("; ", devices)
              + ")");
    }
    return String.join(" and ", parts);
  }

  private static String holders(List<GpuSnapshot.Instance> busy) {
    List<DeviceProcess> all = new ArrayList<>();
    for (GpuSnapshot.Instance inst : busy) {
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        all.addAll(c.processes());
      }
    }
    return pids(all);
  }

  private static String pids(List<DeviceProcess> processes) {
    List<String> pids =
        processes.stream()
            .filter(p -> !p.isReservation())
            .map(p -> Long.toString(p.pid()))
            .distinct()
            .toList();
    boolean reserved = processes.stream().anyMatch(DeviceProcess::isReservation);
    String text =
        pids.isEmpty() ? "" : (pids.size() == 1 ? "pid " : "pids ") + String.join(", ", pids);
    if (!reserved) {
      return text;
    }
    return text.isEmpty() ? "the pod it is allocated to" : text + " and the pod it is allocated to";
  }
}
