package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.Seeds;
import io.migctl.core.job.Requirement;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.plan.Repartitioner.Assigned;
import io.migctl.core.plan.Repartitioner.Decision;
import io.migctl.core.plan.Repartitioner.Demand;
import io.migctl.core.plan.Repartitioner.Gpu;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepartitionerTest {

  static final GpuModel A100 = Catalog.A100_40GB;
  static final Repartitioner REPARTITIONER = new Repartitioner(Repartitioner.Params.defaults());

  static GpuInstanceProfile profile(String name) {
    return A100.profile(ProfileName.parse(name)).orElseThrow();
  }

  static PlacedInstance at(String name, int start) {
    GpuInstanceProfile p = profile(name);
    return new PlacedInstance(p, new Placement(start, p.memorySlices()));
  }

  static List<PlacedInstance> smalls(int... starts) {
    List<PlacedInstance> out = new ArrayList<>();
    for (int s : starts) {
      out.add(at("1g.5gb", s));
    }
    return out;
  }

  static Demand needs(String name) {
    GpuInstanceProfile p = profile(name);
    return Demand.of(name, new Requirement(p.memoryMiB(), p.computeSlices()));
  }

  static List<String> names(List<PlacedInstance> instances) {
    return instances.stream().map(PlacedInstance::toString).toList();
  }

  @Test
  void keepsTheIdleInstancesNotInTheWay() {
    Gpu gpu = new Gpu(0, A100, List.of(), smalls(0, 1, 2, 3, 4, 5, 6), true);
    List<Demand> queue =
        List.of(needs("3g.20gb"), needs("1g.5gb"), needs("1g.5gb"), needs("1g.5gb"));
    Decision d = REPARTITIONER.decide(gpu, queue, 4);
    assertThat(d.reshapes()).isTrue();
    assertThat(names(d.destroyed())).containsExactly("1g.5gb@4:1", "1g.5gb@5:1", "1g.5gb@6:1");
    assertThat(names(d.created())).containsExactly("3g.20gb@4:4");
    assertThat(names(d.layout()))
        .containsExactly("1g.5gb@0:1", "1g.5gb@1:1", "1g.5gb@2:1", "1g.5gb@3:1", "3g.20gb@4:4");
    assertThat(d.assigned()).extracting(Assigned::demand).containsExactly(0, 1, 2, 3);
    assertThat(d.assigned().getFirst().instance().toString()).isEqualTo("3g.20gb@4:4");
    assertThat(d.score()).isEqualTo(4.0);
    assertThat(d.keepScore()).isEqualTo(3.0);
    assertThat(d.reason()).contains("destroy 3, create 1");
  }

  @Test
  void aReshapeIsDescribedAndPinsEveryInstanceForMigApply() {
    // Two busy 1g.5gb at 0 and 1, idle ones elsewhere.
    Gpu gpu = new Gpu(3, A100, smalls(0, 1), smalls(2, 3, 4, 5, 6), true);
    Decision d = REPARTITIONER.decide(gpu, List.of(needs("3g.20gb")), 1);
    assertThat(d.describe())
        .isEqualTo("GPU 3: destroy idle 1g.5gb@4:1, 1g.5gb@5:1, 1g.5gb@6:1; create 3g.20gb@4:4");
    DesiredGpu desired = d.desiredGpu();
    assertThat(desired.gpu()).isEqualTo(3);
    assertThat(desired.migEnabled()).isTrue();
    assertThat(desired.instances())
        .extracting(i -> i.profile().name() + "@" + i.placement().orElseThrow().start())
        .containsExactly("1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3", "3g.20gb@4");
    // Every instance gets its profile's default compute instance: the whole instance.
    assertThat(desired.instances())
        .allSatisfy(
            i ->
                assertThat(i.computeInstances())
                    .singleElement()
                    .satisfies(ci -> assertThat(ci.isDefault()).isTrue()));
    assertThat(new Layout(d.layout()).checkOn(A100).isValid()).isTrue();
  }

  @Test
  void aGpuCoolingDownFillsEmptyRoomButDestroysNothing() {
    // Cooling down, a 4g.20gb busy, nothing idle: the empty room may still get a 3g.20gb.
    Gpu empty = new Gpu(0, A100, List.of(at("4g.20gb", 0)), List.of(), false);
    Decision filled = REPARTITIONER.decide(empty, List.of(needs("3g.20gb")), 1);
    assertThat(names(filled.created())).containsExactly("3g.20gb@4:4");
    assertThat(filled.destroyed()).isEmpty();
    // Cooling down with idle 1g.5gb in the way: no reshape until the cooldown ends.
    Gpu idle = new Gpu(0, A100, List.of(at("4g.20gb", 0)), smalls(4, 5, 6), false);
    Decision kept = REPARTITIONER.decide(idle, List.of(needs("3g.20gb")), 1);
    assertThat(kept.reshapes()).isFalse();
    Decision after =
        REPARTITIONER.decide(
            new Gpu(0, A100, idle.held(), idle.idle(), true), List.of(needs("3g.20gb")), 1);
    assertThat(names(after.destroyed())).containsExactly("1g.5gb@4:1", "1g.5gb@5:1", "1g.5gb@6:1");
  }

  @Test
  void keepsTheIdleInstancesWhenTheySuffice() {
    Gpu gpu = new Gpu(0, A100, List.of(), List.of(at("4g.20gb", 0), at("3g.20gb", 4)), true);
    Decision d = REPARTITIONER.decide(gpu, List.of(needs("3g.20gb"), needs("2g.10gb")), 2);
    assertThat(d.reshapes()).isFalse();
    assertThat(d.operations()).isZero();
    assertThat(names(d.layout())).containsExactly("4g.20gb@0:4", "3g.20gb@4:4");
    assertThat(d.assigned())
        .extracting(a -> a.demand() + "->" + a.instance())
        .containsExactly("0->3g.20gb@4:4", "1->4g.20gb@0:4");
  }

  @Test
  void takesTheFewestOperationsAmongEqualScores() {
    // One equal-speed job needing 3g: a 7g (destroy 7, create 1) or a lone 3g (destroy 7, create
    // 1, leaving room unused) score as much as a 3g beside four kept 1g (destroy 3, create 1).
    Gpu gpu = new Gpu(0, A100, List.of(), smalls(0, 1, 2, 3, 4, 5, 6), true);
    Decision d = REPARTITIONER.decide(gpu, List.of(needs("3g.20gb")), 1);
    assertThat(d.operations()).isEqualTo(4);
    assertThat(names(d.created())).containsExactly("3g.20gb@4:4");
    assertThat(d.score()).isEqualTo(1.0);
    assertThat(d.keepScore()).isZero();
  }

  @Test
  void neverDestroysAHeldInstance() {
    List<PlacedInstance> held = List.of(at("3g.20gb", 4));
    Gpu gpu = new Gpu(0, A100, held, List.of(at("2g.10gb", 0), at("2g.10gb", 2)), true);
    Decision d = REPARTITIONER.decide(gpu, List.of(needs("4g.20gb"), needs("7g.40gb")), 2);
    assertThat(d.layout()).containsAll(held);
    assertThat(names(d.created())).containsExactly("4g.20gb@0:4");
    assertThat(names(d.destroyed())).containsExactly("2g.10gb@0:2", "2g.10gb@2:2");
    assertThat(d.assigned()).extracting(Assigned::demand).containsExactly(0);
  }

  @Test
  void keepsWhenTheGpuMayNotBeReshaped() {
    Gpu gpu = new Gpu(3, A100, List.of(), smalls(0, 1, 2, 3, 4, 5, 6), false);
    Decision d = REPARTITIONER.decide(gpu, List.of(needs("3g.20gb"), needs("1g.5gb")), 2);
    assertThat(d.reshapes()).isFalse();
    assertThat(d.gpu()).isEqualTo(3);
    assertThat(d.assigned()).extracting(Assigned::demand).containsExactly(1);
  }

  @Test
  void aReshapeMustBeatKeepingByTheGain() {
    // A 7g serves a job at 1.0; a 4g + 3g would serve two at 0.55 each: 1.10, not above 1.10.
    Demand half = new Demand("half", p -> p.computeSlices() >= 3 ? 0.55 : 0);
    Demand whole = new Demand("whole", p -> p.computeSlices() == 7 ? 1.0 : half.speed(p));
    Gpu gpu = new Gpu(0, A100, List.of(), List.of(at("7g.40gb", 0)), true);
    assertThat(REPARTITIONER.decide(gpu, List.of(whole, half), 2).reshapes()).isFalse();
    Demand faster = new Demand("faster", p -> p.computeSlices() >= 3 ? 0.6 : 0);
    Decision d = REPARTITIONER.decide(gpu, List.of(faster, faster), 2);
    assertThat(d.reshapes()).isTrue();
    assertThat(names(d.created())).containsExactly("4g.20gb@0:4", "3g.20gb@4:4");
  }

  @Test
  void aReshapeThatDestroysOnlyUnusedIdleInstancesNeedsOnlyToScoreMore() {
    // Keeping serves four 1g jobs (4.0); a 3g in place of the three unused 1g adds a slow job
    // (4.3): less than 10% more in all, but nothing that keeping would run is destroyed.
    Gpu gpu = new Gpu(0, A100, List.of(), smalls(0, 1, 2, 3, 4, 5, 6), true);
    Demand slow = new Demand("slow", p -> p.computeSlices() >= 3 ? 0.3 : 0);
    List<Demand> queue = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queue.add(needs("1g.5gb"));
    }
    queue.add(slow);
    Decision d = REPARTITIONER.decide(gpu, queue, 5);
    assertThat(d.keepScore()).isEqualTo(4.0);
    assertThat(d.reshapes()).isTrue();
    assertThat(names(d.destroyed())).containsExactly("1g.5gb@4:1", "1g.5gb@5:1", "1g.5gb@6:1");
    assertThat(names(d.created())).containsExactly("3g.20gb@4:4");
    assertThat(d.score()).isCloseTo(4.3, org.assertj.core.data.Offset.offset(1e-9));
    // Once keeping would run a job on an instance the reshape destroys, the gain applies to it.
    // Five 1g jobs (5.0) against four and a 3g job at 1.05 (5.05): 0.05 more, not 10% of the
    // 1.0 that the destroyed 1g@4 would run.
    Demand faster = new Demand("faster", p -> p.computeSlices() >= 3 ? 1.05 : 0);
    List<Demand> five = new ArrayList<>(queue.subList(0, 4));
    five.add(needs("1g.5gb"));
    five.add(faster);
    Decision kept = REPARTITIONER.decide(gpu, five, 6);
    assertThat(kept.keepScore()).isEqualTo(5.0);
    assertThat(kept.reshapes()).isFalse();
  }

  @Test
  void servesTheFirstDemandThatFitsTheFreeRoom() {
    // Seven 1g jobs would score more on seven 1g slices, but the 4g job that could fit comes first.
    Gpu gpu = new Gpu(0, A100, List.of(at("3g.20gb", 4)), List.of(), true);
    List<Demand> queue = new ArrayList<>();
    queue.add(needs("7g.40gb"));
    queue.add(needs("4g.20gb"));
    for (int i = 0; i < 4; i++) {
      queue.add(needs("1g.5gb"));
    }
    Decision d = REPARTITIONER.decide(gpu, queue, 5);
    assertThat(names(d.created())).containsExactly("4g.20gb@0:4");
    assertThat(d.assigned()).extracting(Assigned::demand).containsExactly(1);
  }

  @Test
  void requirementDemandsFitProfilesWithEnoughMemoryAndComputeOnly() {
    Demand d = Demand.of("job", new Requirement(8 * 1024, 1));
    assertThat(d.speed(profile("1g.5gb"))).isZero();
    assertThat(d.speed(profile("1g.5gb+me"))).isZero();
    assertThat(d.speed(profile("1g.10gb"))).isEqualTo(1.0);
    assertThat(d.speed(profile("2g.10gb"))).isEqualTo(1.0);
    assertThat(d.speed(profile("7g.40gb"))).isEqualTo(1.0);
    assertThat(Demand.of("job", new Requirement(10 * 1024, 3)).speed(profile("2g.10gb"))).isZero();
  }

  @Test
  void anEmptyGpuGetsTheSmallestProfileThatMeetsARequirement() {
    for (GpuModel model : Catalog.models()) {
      for (GpuInstanceProfile p : Repartitioner.plainProfiles(model)) {
        Requirement need = new Requirement(p.memoryMiB(), p.computeSlices());
        Decision d =
            REPARTITIONER.decide(
                new Gpu(0, model, List.of(), List.of(), true), List.of(Demand.of("j", need)), 1);
        assertThat(d.created())
            .as("%s on %s", need, model.key())
            .extracting(PlacedInstance::profile)
            .containsExactly(
                Repartitioner.plainProfiles(model).stream()
                    .filter(
                        q ->
                            q.memoryMiB() >= need.memoryMiB()
                                && q.computeSlices() >= need.computeSlices())
                    .min(ProfileChoice.SMALLEST)
                    .orElseThrow());
      }
    }
  }

  @Test
  void planSharesTheQueueAmongGpusByFreeRoom() {
    Gpu busy = new Gpu(0, A100, List.of(at("4g.20gb", 0)), List.of(at("3g.20gb", 4)), true);
    Gpu empty = new Gpu(1, A100, List.of(), List.of(at("7g.40gb", 0)), true);
    List<Demand> queue = List.of(needs("3g.20gb"), needs("3g.20gb"), needs("3g.20gb"));
    List<Decision> plan = REPARTITIONER.plan(List.of(busy, empty), queue);
    assertThat(plan).extracting(Decision::gpu).containsExactly(1, 0);
    assertThat(names(plan.get(0).created())).containsExactly("4g.20gb@0:4", "3g.20gb@4:4");
    assertThat(plan.get(0).assigned()).extracting(Assigned::demand).containsExactly(0, 1);
    assertThat(plan.get(1).reshapes()).isFalse();
    assertThat(plan.get(1).assigned()).extracting(Assigned::demand).containsExactly(2);
  }

  @Test
  void randomGpusAndQueuesKeepTheInvariants() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    List<GpuModel> models =
        Catalog.models().stream().filter(m -> !Repartitioner.plainProfiles(m).isEmpty()).toList();
    Repartitioner.Params params = Repartitioner.Params.defaults();
    for (int round = 0; round < 60; round++) {
      String what = "seed " + seed + ", round " + round;
      GpuModel model = models.get(random.nextInt(models.size()));
      List<GpuInstanceProfile> profiles = Repartitioner.plainProfiles(model);
      List<Gpu> gpus = new ArrayList<>();
      for (int g = 0; g < 1 + random.nextInt(3); g++) {
        List<List<PlacedInstance>> layouts = Repartitioner.additions(model, profiles, List.of());
        List<PlacedInstance> layout = layouts.get(random.nextInt(layouts.size()));
        List<PlacedInstance> held = new ArrayList<>();
        List<PlacedInstance> idle = new ArrayList<>();
        for (PlacedInstance p : layout) {
          (random.nextInt(3) == 0 ? held : idle).add(p);
        }
        gpus.add(new Gpu(g, model, held, idle, random.nextInt(4) != 0));
      }
      List<Demand> queue = new ArrayList<>();
      for (int i = 0; i < random.nextInt(9); i++) {
        if (random.nextBoolean()) {
          GpuInstanceProfile p = profiles.get(random.nextInt(profiles.size()));
          queue.add(Demand.of("r" + i, new Requirement(p.memoryMiB(), p.computeSlices())));
        } else {
          Map<Integer, Double> speeds = new java.util.HashMap<>();
          int min = 1 + random.nextInt(model.computeSlices());
          for (GpuInstanceProfile p : profiles) {
            if (p.computeSlices() >= min) {
              speeds.putIfAbsent(p.computeSlices(), 0.1 + 0.9 * random.nextDouble());
            }
          }
          queue.add(new Demand("s" + i, p -> speeds.getOrDefault(p.computeSlices(), 0.0)));
        }
      }
      Set<Integer> given = new HashSet<>();
      for (Decision d : REPARTITIONER.plan(gpus, queue)) {
        Gpu gpu = gpus.get(d.gpu());
        assertThat(new Layout(d.layout()).checkOn(model).isValid()).as(what).isTrue();
        assertThat(d.layout()).as(what).containsAll(gpu.held());
        assertThat(gpu.idle()).as(what).containsAll(d.destroyed());
        for (PlacedInstance p : d.created()) {
          assertThat(gpu.held()).as(what).doesNotContain(p);
          assertThat(gpu.idle()).as(what).doesNotContain(p);
        }
        List<PlacedInstance> expected = new ArrayList<>(gpu.held());
        gpu.idle().stream().filter(p -> !d.destroyed().contains(p)).forEach(expected::add);
        expected.addAll(d.created());
        assertThat(d.layout()).as(what).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(d.operations()).as(what).isEqualTo(d.destroyed().size() + d.created().size());
        if (!gpu.reshapable()) {
          assertThat(d.destroyed()).as(what).isEmpty();
        }
        if (d.reshapes()) {
          assertThat(d.score()).as(what).isGreaterThan(d.keepScore());
        } else {
          assertThat(d.score()).as(what).isEqualTo(d.keepScore());
        }
        Set<PlacedInstance> used = new HashSet<>();
        double score = 0;
        for (Assigned a : d.assigned()) {
          assertThat(given.add(a.demand())).as(what + ": demand given twice").isTrue();
          assertThat(used.add(a.instance())).as(what + ": instance given twice").isTrue();
          assertThat(d.layout()).as(what).contains(a.instance());
          assertThat(gpu.held()).as(what).doesNotContain(a.instance());
          assertThat(a.speed()).as(what).isPositive();
          assertThat(a.speed())
              .as(what)
              .isEqualTo(queue.get(a.demand()).speed(a.instance().profile()));
          score += a.speed();
        }
        assertThat(d.score()).as(what).isCloseTo(score, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
  }
}
