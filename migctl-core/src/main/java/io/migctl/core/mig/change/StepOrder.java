package io.migctl.core.mig.change;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which one GPU's instance steps run, chosen so that the GPU spends as few steps as
 * possible without a MIG device it will have: keeps first (for the record), then every create whose
 * room is already free, then the destroys (compute instances before their GPU instance), then the
 * creates that needed them. A new GPU instance is followed at once by its compute instances.
 *
 * <p>A create goes before the destroys when its placement overlaps nothing that is destroyed (for a
 * compute instance: nothing destroyed in its GPU instance) and the GPU can hold it beside
 * everything it has at that point — the layout stays valid: no profile beyond its count, the media
 * extensions once, compute slices within the GPU's. Otherwise it waits for the destroys.
 */
final class StepOrder {

  private StepOrder() {}

  /**
   * Orders {@code steps} (keeps, destroys and creates of one GPU, no mode steps) for a GPU of
   * {@code model} that has {@code live}. Steps of one kind keep their relative order.
   */
  static List<PlanStep> createsFirst(
      GpuModel model, List<PlacedInstance> live, List<PlanStep> steps) {
    Kinds k = new Kinds(steps);
    List<Placement> goneGis =
        k.destroyGis.stream().map(PlanStep.DestroyGpuInstance::placement).toList();
    List<PlacedInstance> now = new ArrayList<>(live);
    List<PlanStep> early = new ArrayList<>();
    List<PlanStep> lateGis = new ArrayList<>();
    for (PlanStep.CreateGpuInstance c : k.createGis) {
      List<PlanStep.CreateComputeInstance> own = k.createCis.getOrDefault(c.placement(), List.of());
      List<PlacedInstance> with = new ArrayList<>(now);
      with.add(new PlacedInstance(c.profile(), c.placement(), computeInstances(own)));
      if (goneGis.stream().noneMatch(c.placement()::overlaps) && valid(model, with)) {
        now = with;
        early.add(c);
        early.addAll(own);
      } else {
        lateGis.add(c);
        lateGis.addAll(own);
      }
    }
    List<PlanStep> lateCis = new ArrayList<>();
    for (PlacedInstance kept : live) {
      List<PlanStep.CreateComputeInstance> own = k.createCis.get(kept.placement());
      if (own == null || goneGis.contains(kept.placement())) {
        continue;
      }
      List<Placement> goneCis =
          k.destroyCis.stream()
              .filter(d -> d.gpuInstancePlacement().equals(kept.placement()))
              .map(PlanStep.DestroyComputeInstance::placement)
              .toList();
      for (PlanStep.CreateComputeInstance c : own) {
        int at = indexAt(now, kept.placement());
        PlacedInstance gi = now.get(at);
        List<PlacedComputeInstance> cis = new ArrayList<>(gi.computeInstances());
        cis.add(new PlacedComputeInstance(c.profile(), c.placement()));
        List<PlacedInstance> with = new ArrayList<>(now);
        with.set(at, new PlacedInstance(gi.profile(), gi.placement(), cis));
        if (goneCis.stream().noneMatch(c.placement()::overlaps) && valid(model, with)) {
          now = with;
          early.add(c);
        } else {
          lateCis.add(c);
        }
      }
    }
    List<PlanStep> out = new ArrayList<>(k.keeps);
    out.addAll(early);
    out.addAll(k.destroyCis);
    out.addAll(k.destroyGis);
    out.addAll(lateCis);
    out.addAll(lateGis);
    return out;
  }

  /**
   * Orders {@code steps} with every destroy first: keeps, compute-instance destroys, GPU-instance
   * destroys, then each new GPU instance followed by its compute instances, then the compute
   * instances created in kept GPU instances. {@code between} runs after the destroys.
   */
  static List<PlanStep> destroysFirst(List<PlanStep> steps, List<PlanStep> between) {
    Kinds k = new Kinds(steps);
    List<PlanStep> out = new ArrayList<>(k.keeps);
    out.addAll(k.destroyCis);
    out.addAll(k.destroyGis);
    out.addAll(between);
    List<Placement> newGis = new ArrayList<>();
    for (PlanStep.CreateGpuInstance c : k.createGis) {
      newGis.add(c.placement());
      out.add(c);
      out.addAll(k.createCis.getOrDefault(c.placement(), List.of()));
    }
    k.createCis.forEach(
        (gi, cis) -> {
          if (!newGis.contains(gi)) {
            out.addAll(cis);
          }
        });
    return out;
  }

  /** The steps sorted by kind; creates of compute instances by their GPU instance's placement. */
  private static final class Kinds {
    final List<PlanStep> keeps = new ArrayList<>();
    final List<PlanStep.DestroyComputeInstance> destroyCis = new ArrayList<>();
    final List<PlanStep.DestroyGpuInstance> destroyGis = new ArrayList<>();
    final List<PlanStep.CreateGpuInstance> createGis = new ArrayList<>();
    final Map<Placement, List<PlanStep.CreateComputeInstance>> createCis = new LinkedHashMap<>();

    Kinds(List<PlanStep> steps) {
      for (PlanStep s : steps) {
        switch (s) {
          case PlanStep.KeepGpuInstance k -> keeps.add(k);
          case PlanStep.KeepComputeInstance k -> keeps.add(k);
          case PlanStep.DestroyComputeInstance d -> destroyCis.add(d);
          case PlanStep.DestroyGpuInstance d -> destroyGis.add(d);
          case PlanStep.CreateGpuInstance c -> createGis.add(c);
          case PlanStep.CreateComputeInstance c ->
              createCis.computeIfAbsent(c.gpuInstancePlacement(), p -> new ArrayList<>()).add(c);
          case PlanStep.SetMigMode m ->
              throw new IllegalArgumentException("mode steps are not ordered here: " + m);
          case PlanStep.ResetGpu r ->
              throw new IllegalArgumentException("mode steps are not ordered here: " + r);
        }
      }
    }
  }

  private static List<PlacedComputeInstance> computeInstances(
      List<PlanStep.CreateComputeInstance> creates) {
    return creates.stream()
        .map(c -> new PlacedComputeInstance(c.profile(), c.placement()))
        .toList();
  }

  private static int indexAt(List<PlacedInstance> instances, Placement at) {
    for (int i = 0; i < instances.size(); i++) {
      if (instances.get(i).placement().equals(at)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no GPU instance at " + at);
  }

  private static boolean valid(GpuModel model, List<PlacedInstance> instances) {
    return new Layout(instances).checkOn(model).isValid();
  }
}
