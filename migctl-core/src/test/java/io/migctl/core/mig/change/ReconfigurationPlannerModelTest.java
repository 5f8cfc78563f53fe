package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random live layouts with random busy compute instances, random desired layouts: every plan is
 * checked by performing its steps on a model of the GPU. Steps must be legal in order (no overlap,
 * nothing busy destroyed, compute instances gone before their GPU instance, a valid layout after
 * every create, even one made before the destroys), the result must be the desired layout with
 * every busy device untouched, re-planning the result must change nothing, and a refusal must be
 * right: a brute force finds no arrangement of the desired layout that keeps the busy instances
 * where they are.
 */
class ReconfigurationPlannerModelTest {

  private static final int CASES = 1500;

  @ParameterizedTest
  @ValueSource(strings = {"a100-40gb", "h100-80gb", "a30-24gb"})
  void everyPlanReachesTheDesiredLayoutWithoutTouchingBusyDevices(String key) {
    GpuModel model = Catalog.require(key);
    long seed = Long.getLong("migctl.seed", System.nanoTime());
    Random random = new Random(seed);
    int planned = 0;
    int refused = 0;
    for (int n = 0; n < CASES; n++) {
      String context = "seed " + seed + ", case " + n + " on " + key;
      GpuSnapshot live = randomLive(model, random);
      DesiredGpu desired = randomDesired(model, random, live);
      PlanOutcome outcome = ReconfigurationPlanner.plan(live, desired);
      switch (outcome) {
        case PlanOutcome.Planned(GpuPlan plan) -> {
          planned++;
          Map<Placement, ModelGi> after = perform(model, live, plan, context);
          assertThat(signature(after)).as(context).isEqualTo(signature(desired));
          assertThat(layout(after).checkOn(model).isValid()).as(context).isTrue();
          GpuSnapshot again = snapshot(model, after);
          PlanOutcome replanned = ReconfigurationPlanner.plan(again, desired);
          assertThat(replanned).as(context).isInstanceOf(PlanOutcome.Planned.class);
          assertThat(((PlanOutcome.Planned) replanned).plan().isNoop()).as(context).isTrue();
          int naive = 0;
          for (GpuSnapshot.Instance i : live.instances()) {
            naive += 1 + i.computeInstances().size();
          }
          for (DesiredInstance d : desired.instances()) {
            naive += 1 + d.computeInstances().size();
          }
          assertThat(plan.operations()).as(context).isLessThanOrEqualTo(naive);
        }
        case PlanOutcome.Refused(int gpu, String reason) -> {
          refused++;
          assertThat(live.instances()).as(context).anyMatch(GpuSnapshot.Instance::isBusy);
          assertThat(reason).as(context).contains("busy").contains("pid");
          if (keepsBusyPossible(model, live, desired)) {
            fail(
                context
                    + ": refused, but an arrangement keeping the busy instances exists: "
                    + reason);
          }
        }
      }
    }
    assertThat(planned).as("seed %d: some cases are planned", seed).isPositive();
    assertThat(refused).as("seed %d: some cases are refused", seed).isPositive();
  }

  // ---------------------------------------------------------------- random layouts

  private static GpuSnapshot randomLive(GpuModel model, Random random) {
    Layouts l = new Layouts(model);
    for (PlacedInstance p : randomPlaced(model, random)) {
      boolean split = random.nextInt(4) == 0 && p.profile().computeSlices() > 1;
      List<ComputeInstanceProfile> cis = ComputeInstanceProfile.of(p.profile());
      List<Layouts.Ci> mine = new ArrayList<>();
      if (split) {
        ComputeInstanceProfile one =
            cis.stream().filter(c -> c.computeSlices() == 1).findFirst().orElseThrow();
        int k = 1 + random.nextInt(p.profile().computeSlices());
        for (int s = 0; s < k; s++) {
          mine.add(new Layouts.Ci(one.name().toString(), s, busyPids(random)));
        }
      } else {
        ComputeInstanceProfile def =
            cis.stream().filter(ComputeInstanceProfile::isDefault).findFirst().orElseThrow();
        mine.add(new Layouts.Ci(def.name().toString(), 0, busyPids(random)));
      }
      l.gi(p.profile().name().toString(), p.placement().start(), mine);
    }
    return l.snapshot();
  }

  private static long[] busyPids(Random random) {
    return random.nextInt(6) == 0 ? new long[] {1000 + random.nextInt(9000)} : new long[0];
  }

  private static DesiredGpu randomDesired(GpuModel model, Random random, GpuSnapshot live) {
    List<DesiredInstance> out = new ArrayList<>();
    if (random.nextInt(3) == 0) {
      // Often the live layout with a few changes, so that keeping pays.
      for (GpuSnapshot.Instance i : live.instances()) {
        if (random.nextInt(4) != 0) {
          out.add(
              new DesiredInstance(
                  i.profile(),
                  i.computeInstances().stream().map(GpuSnapshot.Compute::profile).toList()));
        }
      }
      if (!new PlacementSearch(model)
          .place(new DesiredGpu(0, true, out, "x").gpuInstanceCounts())
          .isPlaceable()) {
        out.clear();
      }
    } else {
      for (PlacedInstance p : randomPlaced(model, random)) {
        ComputeInstanceProfile def =
            ComputeInstanceProfile.of(p.profile()).stream()
                .filter(ComputeInstanceProfile::isDefault)
                .findFirst()
                .orElseThrow();
        out.add(new DesiredInstance(p.profile(), List.of(def)));
      }
    }
    return new DesiredGpu(0, true, out, "mig-configs.random[0]");
  }

  /**
   * A random valid set of GPU instances: profiles tried in random order at random free placements.
   */
  private static List<PlacedInstance> randomPlaced(GpuModel model, Random random) {
    List<PlacedInstance> out = new ArrayList<>();
    int tries = random.nextInt(10);
    for (int t = 0; t < tries; t++) {
      GpuInstanceProfile p = model.profiles().get(random.nextInt(model.profiles().size()));
      Placement at = p.placements().get(random.nextInt(p.placements().size()));
      List<PlacedInstance> next = new ArrayList<>(out);
      next.add(new PlacedInstance(p, at));
      if (new Layout(next).checkOn(model).isValid()) {
        out = next;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- performing a plan

  private record ModelCi(
      ComputeInstanceProfile profile, Placement placement, String uuid, boolean busy) {}

  private record ModelGi(GpuInstanceProfile profile, Placement placement, List<ModelCi> cis) {}

  private static Map<Placement, ModelGi> perform(
      GpuModel model, GpuSnapshot live, GpuPlan plan, String context) {
    Map<Placement, ModelGi> gpu = new TreeMap<>();
    List<String> busyBefore = new ArrayList<>();
    for (GpuSnapshot.Instance i : live.instances()) {
      List<ModelCi> cis = new ArrayList<>();
      for (GpuSnapshot.Compute c : i.computeInstances()) {
        cis.add(
            new ModelCi(
                c.profile(),
                c.computeInstance().placement(),
                c.computeInstance().uuid(),
                c.isBusy()));
        if (c.isBusy()) {
          busyBefore.add(
              c.computeInstance().uuid()
                  + "@"
                  + i.gpuInstance().placement()
                  + "/"
                  + c.computeInstance().placement());
        }
      }
      gpu.put(
          i.gpuInstance().placement(), new ModelGi(i.profile(), i.gpuInstance().placement(), cis));
    }
    int uuids = 0;
    for (PlanStep step : plan.steps()) {
      switch (step) {
        case PlanStep.KeepGpuInstance k -> assertThat(gpu).as(context).containsKey(k.placement());
        case PlanStep.KeepComputeInstance k ->
            assertThat(gpu.get(k.gpuInstancePlacement()).cis())
                .as(context)
                .anyMatch(c -> c.uuid().equals(k.uuid()));
        case PlanStep.DestroyComputeInstance d -> {
          ModelGi gi = gpu.get(d.gpuInstancePlacement());
          ModelCi ci =
              gi.cis().stream().filter(c -> c.uuid().equals(d.uuid())).findFirst().orElseThrow();
          assertThat(ci.busy()).as(context + ": destroys busy " + ci).isFalse();
          gi.cis().remove(ci);
        }
        case PlanStep.DestroyGpuInstance d -> {
          assertThat(gpu.get(d.placement()).cis())
              .as(context + ": GI destroyed before its CIs")
              .isEmpty();
          gpu.remove(d.placement());
        }
        case PlanStep.CreateGpuInstance c -> {
          assertThat(c.profile().allows(c.placement())).as(context).isTrue();
          assertThat(gpu.keySet())
              .as(context + ": " + c + " overlaps")
              .noneMatch(p -> p.overlaps(c.placement()));
          gpu.put(c.placement(), new ModelGi(c.profile(), c.placement(), new ArrayList<>()));
          assertThat(layout(gpu).checkOn(model).violations())
              .as(context + ": after " + c)
              .isEmpty();
        }
        case PlanStep.CreateComputeInstance c -> {
          ModelGi gi = gpu.get(c.gpuInstancePlacement());
          assertThat(gi).as(context + ": CI in a missing GI").isNotNull();
          assertThat(c.profile().allows(c.placement())).as(context).isTrue();
          assertThat(gi.cis())
              .as(context + ": " + c + " overlaps")
              .noneMatch(x -> x.placement().overlaps(c.placement()));
          gi.cis().add(new ModelCi(c.profile(), c.placement(), "MIG-new-" + (++uuids), false));
          assertThat(layout(gpu).checkOn(model).violations())
              .as(context + ": after " + c)
              .isEmpty();
        }
        case PlanStep.SetMigMode m -> fail(context + ": unexpected mode change " + m);
        case PlanStep.ResetGpu r -> fail(context + ": unexpected reset");
      }
    }
    List<String> busyAfter = new ArrayList<>();
    gpu.values()
        .forEach(
            gi ->
                gi.cis().stream()
                    .filter(ModelCi::busy)
                    .forEach(
                        c -> busyAfter.add(c.uuid() + "@" + gi.placement() + "/" + c.placement())));
    assertThat(busyAfter)
        .as(context + ": busy devices untouched")
        .containsExactlyInAnyOrderElementsOf(busyBefore);
    return gpu;
  }

  private static Map<String, Integer> signature(Map<Placement, ModelGi> gpu) {
    Map<String, Integer> out = new HashMap<>();
    gpu.values()
        .forEach(
            gi ->
                out.merge(
                    gi.profile().name()
                        + " "
                        + gi.cis().stream()
                            .map(c -> c.profile().name().toString())
                            .sorted()
                            .toList(),
                    1,
                    Integer::sum));
    return out;
  }

  private static Map<String, Integer> signature(DesiredGpu desired) {
    Map<String, Integer> out = new HashMap<>();
    desired
        .instances()
        .forEach(
            d ->
                out.merge(
                    d.profile().name()
                        + " "
                        + d.computeInstances().stream()
                            .map(c -> c.name().toString())
                            .sorted()
                            .toList(),
                    1,
                    Integer::sum));
    return out;
  }

  private static Layout layout(Map<Placement, ModelGi> gpu) {
    return new Layout(
        gpu.values().stream()
            .map(
                gi ->
                    new PlacedInstance(
                        gi.profile(),
                        gi.placement(),
                        gi.cis().stream()
                            .map(c -> new PlacedComputeInstance(c.profile(), c.placement()))
                            .toList()))
            .toList());
  }

  private static GpuSnapshot snapshot(GpuModel model, Map<Placement, ModelGi> gpu) {
    Layouts l = new Layouts(model);
    for (ModelGi gi : gpu.values()) {
      l.gi(
          gi.profile().name().toString(),
          gi.placement().start(),
          gi.cis().stream()
              .map(
                  c ->
                      new Layouts.Ci(
                          c.profile().name().toString(),
                          c.placement().start(),
                          c.busy() ? new long[] {1} : new long[0]))
              .toList());
    }
    return l.snapshot();
  }

  // ---------------------------------------------------------------- brute force for refusals

  /**
   * Whether some arrangement of the desired instances keeps every busy instance and device as it
   * is.
   */
  private static boolean keepsBusyPossible(GpuModel model, GpuSnapshot live, DesiredGpu desired) {
    List<GpuSnapshot.Instance> busy =
        live.instances().stream().filter(GpuSnapshot.Instance::isBusy).toList();
    return assign(model, desired.instances(), 0, new ArrayList<>(), busy);
  }

  private static boolean assign(
      GpuModel model,
      List<DesiredInstance> desired,
      int i,
      List<Placement> chosen,
      List<GpuSnapshot.Instance> busy) {
    if (i == desired.size()) {
      // Every busy instance must coincide with a desired one that holds its busy devices.
      List<Integer> used = new ArrayList<>();
      for (GpuSnapshot.Instance b : busy) {
        boolean found = false;
        for (int k = 0; k < desired.size() && !found; k++) {
          if (!used.contains(k)
              && chosen.get(k).equals(b.gpuInstance().placement())
              && desired.get(k).profile().equals(b.profile())
              && holdsBusy(desired.get(k), b)) {
            used.add(k);
            found = true;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }
    for (Placement p : desired.get(i).profile().placements()) {
      if (chosen.stream().anyMatch(c -> c.overlaps(p))) {
        continue;
      }
      chosen.add(p);
      if (assign(model, desired, i + 1, chosen, busy)) {
        return true;
      }
      chosen.removeLast();
    }
    return false;
  }

  private static boolean holdsBusy(DesiredInstance d, GpuSnapshot.Instance b) {
    List<ComputeInstanceProfile> left = new ArrayList<>(d.computeInstances());
    List<Placement> taken = new ArrayList<>();
    for (GpuSnapshot.Compute c : b.computeInstances()) {
      if (c.isBusy()) {
        if (!left.remove(c.profile())) {
          return false;
        }
        taken.add(c.computeInstance().placement());
      }
    }
    return PlacementSearch.placeComputeInstances(left, taken).isPresent();
  }
}
