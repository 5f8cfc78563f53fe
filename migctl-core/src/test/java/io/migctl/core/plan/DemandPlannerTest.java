package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.LayoutCheck;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.change.PlanOutcome;
import io.migctl.core.mig.change.PlanStep;
import io.migctl.core.mig.change.ReconfigurationPlanner;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemandPlannerTest {

  private final DemandPlanner planner = new DemandPlanner();

  // --- the bundled example ------------------------------------------------------------------

  @Test
  void sharedServerExampleFitsOneGpuAndLeavesTheOtherAlone() {
    List<Demand> demands =
        List.of(
            profile("preprocess", "none"),
            profile("train", "2g.10gb"),
            profile("infer-1", "1g.5gb"),
            profile("infer-2", "1g.5gb"),
            profile("infer-3", "1g.5gb"));

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, Catalog.A100_40GB));

    assertValid(plan);
    assertThat(plan.placedAll()).isTrue();
    assertThat(plan.optimal()).isTrue();
    assertThat(plan.gpusUsed()).isEqualTo(1);
    assertThat(plan.withoutGpu()).containsExactly("preprocess");
    assertThat(createdNames(plan, 0))
        .containsExactlyInAnyOrder("2g.10gb", "1g.5gb", "1g.5gb", "1g.5gb");
    assertThat(plan.gpus().get(1).touched()).isFalse();
    // 2g + 3 × 1g use 5 of 7 compute slices; the arrangement keeps a 2-slice window free.
    assertThat(plan.explain())
        .contains("train needs 2g.10gb → GPU 0, 2g.10gb@")
        .contains("infer-1 needs 1g.5gb → GPU 0, 1g.5gb@")
        .contains("preprocess needs no GPU")
        .contains("Placed 4 of 4 jobs that need a GPU on 1 of 2 GPUs (the fewest possible")
        .contains("room is left for a 2g.10gb")
        .contains("GPU 1 (A100-SXM4-40GB) is left as it is.");
  }

  // --- fewest GPUs --------------------------------------------------------------------------

  @Test
  void fourHalvesTakeTwoGpusNotFour() {
    List<Demand> demands = replicas("half", "3g.20gb", 4);

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 4));

    assertValid(plan);
    assertThat(plan.gpusUsed()).isEqualTo(2);
    assertThat(plan.gpus().subList(2, 4)).noneMatch(GpuLayout::touched);
  }

  @Test
  void searchFindsTwoGpusWhereFirstFitDecreasingNeedsThree() {
    // First-fit decreasing puts both 3g.20gb on GPU 0, the three 2g.10gb and one 1g.5gb on GPU 1
    // and is left with a 1g.5gb for GPU 2; pairing each 3g with 2g slices fits two GPUs.
    List<Demand> demands =
        List.of(
            profile("a", "3g.20gb"),
            profile("b", "1g.5gb"),
            profile("c", "2g.10gb"),
            profile("d", "2g.10gb"),
            profile("e", "2g.10gb"),
            profile("f", "1g.5gb"),
            profile("g", "3g.20gb"));
    List<NodeGpu> gpus = node(Catalog.A100_40GB, 3);

    DemandPlan plan = planner.plan(demands, gpus);
    DemandPlan firstFitOnly = new DemandPlanner(1).plan(demands, gpus);

    assertValid(plan);
    assertThat(plan.placedAll()).isTrue();
    assertThat(plan.gpusUsed()).isEqualTo(2);
    assertThat(firstFitOnly.gpusUsed()).isEqualTo(3);
    assertThat(firstFitOnly.optimal()).isFalse();
    assertThat(firstFitOnly.explain()).contains("the search stopped at its budget of 1 steps");
  }

  // --- harder mixes -------------------------------------------------------------------------

  @Test
  void fullGpusOneEachAndTheThirdQueues() {
    List<Demand> demands = replicas("big", "7g.40gb", 3);

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 2));

    assertValid(plan);
    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("big-1", "big-2");
    assertThat(plan.assignments()).extracting(Assignment::gpu).containsExactly(0, 1);
    assertThat(plan.unplaced())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.job()).isEqualTo("big-3");
              assertThat(u.queues()).isTrue();
              assertThat(u.reason())
                  .contains("no arrangement of the jobs placed before it")
                  .contains(
                      "GPU 0, one more 7g.40gb: 2 × 7g.40gb, but A100-SXM4-40GB holds at most 1")
                  .contains("It starts when a slice frees up");
            });
    assertThat(plan.explain()).contains("big-3 needs 7g.40gb and will queue:");
  }

  @Test
  void sevenSmallSlicesFillOneGpuAndTheEighthQueues() {
    DemandPlan seven = planner.plan(replicas("s", "1g.5gb", 7), node(Catalog.A100_40GB, 1));
    DemandPlan eight = planner.plan(replicas("s", "1g.5gb", 8), node(Catalog.A100_40GB, 1));

    assertValid(seven);
    assertThat(seven.placedAll()).isTrue();
    assertThat(seven.gpus().getFirst().created())
        .extracting(p -> p.placement().start())
        .containsExactly(0, 1, 2, 3, 4, 5, 6);
    // Jobs of one profile take its instances in placement order, in the order given.
    assertThat(seven.assignmentOf("s-1").orElseThrow().instance().placement())
        .isEqualTo(new Placement(0, 1));
    assertThat(seven.assignmentOf("s-7").orElseThrow().instance().placement())
        .isEqualTo(new Placement(6, 1));
    assertThat(seven.explain()).contains("no room is left");
    assertValid(eight);
    assertThat(eight.unplaced())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.job()).isEqualTo("s-8");
              assertThat(u.reason()).contains("8 × 1g.5gb, but A100-SXM4-40GB holds at most 7");
            });
  }

  @Test
  void mixedModelsUseEachModelsOwnProfiles() {
    List<NodeGpu> gpus =
        List.of(new NodeGpu(0, Catalog.A100_40GB), new NodeGpu(1, Catalog.H100_80GB));
    List<Demand> demands =
        List.of(
            profile("whole-h100", "7g.80gb"),
            profile("whole-a100", "7g.40gb"),
            profile("half", "3g.40gb"));

    DemandPlan plan = planner.plan(demands, gpus);

    assertValid(plan);
    assertThat(plan.assignmentOf("whole-h100").orElseThrow().gpu()).isEqualTo(1);
    assertThat(plan.assignmentOf("whole-a100").orElseThrow().gpu()).isEqualTo(0);
    // The H100 is full, and the A100 has no profile with 3g.40gb's 40448 MiB (its 7g has 40192).
    assertThat(plan.unplaced())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.job()).isEqualTo("half");
              assertThat(u.queues()).isTrue();
              assertThat(u.reason())
                  .contains("GPU 0 (A100-SXM4-40GB) has no profile that suffices")
                  .contains(
                      "GPU 1, one more 3g.40gb: needs 10 compute slices, H100 80GB HBM3 has 7");
            });
  }

  @Test
  void aProfileAModelLacksBecomesItsSmallestEquivalent() {
    List<NodeGpu> gpus = List.of(new NodeGpu(0, Catalog.H100_80GB));

    DemandPlan plan = planner.plan(List.of(profile("infer", "1g.5gb")), gpus);

    assertValid(plan);
    assertThat(plan.assignmentOf("infer").orElseThrow().instance().profile().name())
        .isEqualTo(ProfileName.parse("1g.10gb"));
    assertThat(plan.explain())
        .contains(
            "infer needs 1g.5gb; H100 80GB HBM3 has no 1g.5gb, so its smallest profile with at"
                + " least 4864 MiB and 1 compute slice is 1g.10gb → GPU 0, 1g.10gb@");
  }

  @Test
  void mixedModelsPackOnTheFewestGpus() {
    // Three 1g.5gb fit on either GPU; the plan touches one, the A100 (on the H100 each is a
    // 1g.10gb, which leaves less room).
    List<NodeGpu> gpus =
        List.of(new NodeGpu(0, Catalog.H100_80GB), new NodeGpu(1, Catalog.A100_40GB));

    DemandPlan plan = planner.plan(replicas("infer", "1g.5gb", 3), gpus);

    assertValid(plan);
    assertThat(plan.gpusUsed()).isEqualTo(1);
    assertThat(plan.assignments())
        .extracting(Assignment::gpu)
        .containsOnly(plan.assignments().getFirst().gpu());
  }

  @Test
  void memoryNeedsGetTheSmallestProfileWithEnoughMemoryAndCompute() {
    List<Demand> demands =
        List.of(memory("embed", "8GiB", 1), memory("tune", "8GiB", 2), memory("large", "30GiB", 1));

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 2));

    assertValid(plan);
    assertThat(profileOf(plan, "embed")).isEqualTo("1g.10gb");
    assertThat(profileOf(plan, "tune")).isEqualTo("2g.10gb");
    assertThat(profileOf(plan, "large")).isEqualTo("7g.40gb");
    assertThat(plan.explain())
        .contains(
            "embed needs 8192MiB; the smallest profile of A100-SXM4-40GB with at least 8192 MiB"
                + " and 1 compute slice is 1g.10gb → GPU ");
  }

  @Test
  void impossibleNeedsAreRefusedWithTheReasonAndTheRestStillRuns() {
    List<Demand> demands =
        List.of(
            memory("huge", "100GiB", 1),
            memory("wide", "1GiB", 8),
            profile("odd", "5g.33gb"),
            profile("fine", "1g.5gb"));

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 1));

    assertValid(plan);
    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("fine");
    assertThat(plan.unplaced()).extracting(UnplacedJob::job).containsExactly("huge", "wide", "odd");
    assertThat(plan.unplaced()).noneMatch(UnplacedJob::queues);
    assertThat(plan.unplaced().get(0).reason())
        .isEqualTo(
            "no GPU here has a profile with at least 102400 MiB and 1 compute slice; the largest"
                + " is 7g.40gb (40192 MiB, 7 compute slices) on A100-SXM4-40GB. Ask for less, or"
                + " run it on a node with larger GPUs.");
    assertThat(plan.unplaced().get(1).reason()).contains("at least 1024 MiB and 8 compute slices");
    assertThat(plan.unplaced().get(2).reason())
        .startsWith("\"5g.33gb\" is not a profile of any GPU here, nor of any model migctl knows");
    assertThat(plan.explain()).contains("huge needs 102400MiB and can never run here: ");
  }

  @Test
  void aNodeWithoutGpusCanRunNothingThatNeedsOne() {
    DemandPlan plan =
        planner.plan(List.of(profile("a", "1g.5gb"), profile("b", "none")), List.of());

    assertThat(plan.unplaced())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.queues()).isFalse();
              assertThat(u.reason()).contains("no MIG-capable GPU");
            });
    assertThat(plan.withoutGpu()).containsExactly("b");
  }

  // --- not everything fits ------------------------------------------------------------------

  @Test
  void largestFirstWhenNotEverythingFits() {
    List<Demand> demands = new ArrayList<>(replicas("small", "1g.5gb", 4));
    demands.add(profile("big", "4g.20gb"));

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 1));

    assertValid(plan);
    // 4g + 4 × 1g need 8 compute slices of 7: the 4g goes first, then three 1g in the order given.
    assertThat(plan.assignments())
        .extracting(Assignment::job)
        .containsExactly("small-1", "small-2", "small-3", "big");
    assertThat(plan.unplaced()).extracting(UnplacedJob::job).containsExactly("small-4");
  }

  @Test
  void higherPriorityIsPlacedBeforeLarger() {
    List<Demand> demands =
        List.of(
            new Demand("big", new GpuNeed.Profile(ProfileName.parse("7g.40gb")), 0),
            new Demand("urgent", new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 5));

    DemandPlan plan = planner.plan(demands, node(Catalog.A100_40GB, 1));
    DemandPlan samePriority =
        planner.plan(
            List.of(profile("big", "7g.40gb"), profile("urgent", "1g.5gb")),
            node(Catalog.A100_40GB, 1));

    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("urgent");
    assertThat(plan.unplaced()).extracting(UnplacedJob::job).containsExactly("big");
    assertThat(samePriority.assignments()).extracting(Assignment::job).containsExactly("big");
  }

  // --- kept instances and what mig apply takes ----------------------------------------------

  @Test
  void keptBusyInstancesStayAndNewOnesGoBesideThem() {
    GpuModel a100 = Catalog.A100_40GB;
    GpuSnapshot live =
        snapshot(
            0,
            a100,
            instance(a100, "4g.20gb", 0, 100, true),
            instance(a100, "1g.5gb", 4, 101, false));
    List<NodeGpu> gpus = List.of(NodeGpu.keepingBusy(live), new NodeGpu(1, a100));
    assertThat(gpus.getFirst().keep())
        .extracting(PlacedInstance::toString)
        .containsExactly("4g.20gb@0:4");

    DemandPlan plan = planner.plan(List.of(profile("half", "3g.20gb")), gpus);

    assertValid(plan);
    // Touching one GPU either way, beside the busy 4g leaves GPU 1 whole.
    assertThat(plan.assignmentOf("half").orElseThrow().toString())
        .isEqualTo("half → GPU 0, 3g.20gb@4:4");
    assertThat(plan.explain())
        .contains("GPU 0 (A100-SXM4-40GB): creates 3g.20gb@4:4; keeps 4g.20gb@0:4");
    DesiredGpu desired = plan.desiredGpus().get(0);
    assertThat(plan.desiredGpus()).containsOnlyKeys(0);
    assertThat(desired.migEnabled()).isTrue();
    assertThat(desired.instances())
        .extracting(DesiredInstance::placement)
        .containsExactly(Optional.of(new Placement(0, 4)), Optional.of(new Placement(4, 4)));

    PlanOutcome outcome = ReconfigurationPlanner.plan(live, desired);

    assertThat(outcome).isInstanceOf(PlanOutcome.Planned.class);
    List<PlanStep> steps = ((PlanOutcome.Planned) outcome).plan().steps();
    assertThat(steps).anySatisfy(s -> assertThat(s).isInstanceOf(PlanStep.KeepGpuInstance.class));
    assertThat(steps)
        .contains(
            new PlanStep.CreateGpuInstance(
                a100.profile(ProfileName.parse("3g.20gb")).orElseThrow(), new Placement(4, 4)));
    assertThat(steps)
        .filteredOn(s -> s instanceof PlanStep.DestroyGpuInstance)
        .singleElement()
        .satisfies(
            s ->
                assertThat(((PlanStep.DestroyGpuInstance) s).profile().name().toString())
                    .isEqualTo("1g.5gb"));
  }

  @Test
  void desiredGpusPinEveryCreatedInstanceWithItsDefaultComputeInstance() {
    DemandPlan plan = planner.plan(replicas("x", "2g.10gb", 3), node(Catalog.A100_40GB, 2));

    Map<Integer, DesiredGpu> desired = plan.desiredGpus();

    assertThat(desired).containsOnlyKeys(0);
    assertThat(desired.get(0).instances())
        .allSatisfy(
            i -> {
              assertThat(i.placement()).isPresent();
              assertThat(i.computeInstances())
                  .singleElement()
                  .matches(ComputeInstanceProfile::isDefault);
            })
        .extracting(i -> i.placement().orElseThrow())
        .containsExactlyElementsOf(
            plan.gpus().getFirst().created().stream().map(PlacedInstance::placement).toList());
  }

  @Test
  void migPartedConfigGroupsGpusWithTheSameDevices() {
    DemandPlan plan =
        planner.plan(
            List.of(profile("a", "7g.40gb"), profile("b", "7g.40gb"), profile("c", "3g.20gb")),
            node(Catalog.A100_40GB, 3));

    MigPartedConfig config = plan.migPartedConfig("workload");

    List<ConfigEntry> entries = config.select(Optional.of("workload"));
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).devices()).isEqualTo(new DeviceSelection.Indices(List.of(0, 1)));
    assertThat(entries.get(0).migEnabled()).isTrue();
    assertThat(entries.get(0).migDevices()).isEqualTo(Map.of(ProfileName.parse("7g.40gb"), 1));
    assertThat(entries.get(1).devices()).isEqualTo(new DeviceSelection.Indices(List.of(2)));
    assertThat(entries.get(1).migDevices()).isEqualTo(Map.of(ProfileName.parse("3g.20gb"), 1));
    assertThat(entries.get(1).path()).isEqualTo("mig-configs.workload[1]");
    assertThatThrownBy(() -> plan.migPartedConfig("has space"))
        .hasMessageContaining("is not a config name");
  }

  @Test
  void aPlanWithoutGpuJobsTouchesNothing() {
    DemandPlan plan = planner.plan(List.of(profile("cpu", "none")), node(Catalog.A100_40GB, 2));

    assertThat(plan.gpusUsed()).isZero();
    assertThat(plan.desiredGpus()).isEmpty();
    assertThat(plan.explain()).contains("No job needs a GPU, so no GPU is touched.");
    assertThatThrownBy(() -> plan.migPartedConfig("x")).hasMessageContaining("no config to write");
  }

  // --- contracts ----------------------------------------------------------------------------

  @Test
  void theSameInputGivesTheSamePlan() {
    List<Demand> demands =
        List.of(
            profile("a", "3g.20gb"),
            profile("b", "1g.5gb"),
            memory("c", "12GiB", 1),
            profile("d", "2g.10gb"));
    List<NodeGpu> gpus =
        List.of(new NodeGpu(0, Catalog.A100_40GB), new NodeGpu(1, Catalog.A30_24GB));

    assertThat(planner.plan(demands, gpus)).isEqualTo(planner.plan(demands, gpus));
  }

  @Test
  void refusesDuplicateJobsAndGpus() {
    assertThatThrownBy(
            () -> planner.plan(List.of(profile("a", "1g.5gb"), profile("a", "1g.5gb")), List.of()))
        .hasMessageContaining("job name \"a\"");
    assertThatThrownBy(
            () ->
                planner.plan(
                    List.of(),
                    List.of(new NodeGpu(0, Catalog.A100_40GB), new NodeGpu(0, Catalog.A100_40GB))))
        .hasMessageContaining("GPU index \"0\"");
    assertThatThrownBy(() -> new DemandPlanner(0)).hasMessageContaining("budget");
  }

  // --- helpers ------------------------------------------------------------------------------

  static Demand profile(String job, String profile) {
    return new Demand(
        job,
        profile.equals("none") ? GpuNeed.NONE : new GpuNeed.Profile(ProfileName.parse(profile)));
  }

  static Demand memory(String job, String size, int compute) {
    return new Demand(job, new GpuNeed.Memory(GpuNeed.parseMemoryMiB(size), compute));
  }

  static List<Demand> replicas(String job, String profile, int n) {
    List<Demand> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(profile(job + "-" + i, profile));
    }
    return out;
  }

  static List<NodeGpu> node(GpuModel model, int count) {
    List<NodeGpu> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new NodeGpu(i, model));
    }
    return out;
  }

  static List<NodeGpu> node(GpuModel... models) {
    List<NodeGpu> out = new ArrayList<>();
    for (int i = 0; i < models.length; i++) {
      out.add(new NodeGpu(i, models[i]));
    }
    return out;
  }

  /**
   * Every layout is valid on its model, every created instance holds exactly one job, and every
   * job's instance is one the plan creates on its GPU.
   */
  static void assertValid(DemandPlan plan) {
    Set<String> seen = new HashSet<>();
    for (GpuLayout l : plan.gpus()) {
      LayoutCheck check = l.layout().checkOn(l.model());
      assertThat(check.isValid()).as("GPU %d: %s", l.gpu(), check.message()).isTrue();
      List<Assignment> here = plan.assignments().stream().filter(a -> a.gpu() == l.gpu()).toList();
      assertThat(here)
          .extracting(Assignment::instance)
          .containsExactlyInAnyOrderElementsOf(l.created());
    }
    for (Assignment a : plan.assignments()) {
      assertThat(seen.add(a.gpu() + "/" + a.instance())).as("%s shares its instance", a).isTrue();
    }
    assertThat(plan.reasoning()).isNotEmpty();
  }

  private static List<String> createdNames(DemandPlan plan, int gpu) {
    return plan.gpus().get(gpu).created().stream().map(p -> p.profile().name().toString()).toList();
  }

  private static String profileOf(DemandPlan plan, String job) {
    return plan.assignmentOf(job).orElseThrow().instance().profile().name().toString();
  }

  private static GpuSnapshot snapshot(
      int index, GpuModel model, GpuSnapshot.Instance... instances) {
    GpuDevice device =
        new GpuDevice(
            index,
            "GPU-test-" + index,
            model.productName(),
            "00000000:0" + index + ":00.0",
            model.pciDeviceId(),
            model.pciDeviceId(),
            model.memoryMiB(),
            MigMode.ENABLED);
    return new GpuSnapshot(device, model, List.of(instances));
  }

  private static GpuSnapshot.Instance instance(
      GpuModel model, String profile, int start, int id, boolean busy) {
    GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
    ComputeInstanceProfile ci =
        ComputeInstanceProfile.of(p).stream()
            .filter(ComputeInstanceProfile::isDefault)
            .findFirst()
            .orElseThrow();
    String uuid = "MIG-test-" + id;
    return new GpuSnapshot.Instance(
        new GpuInstance(0, id, p.id(), new Placement(start, p.memorySlices())),
        p,
        List.of(
            new GpuSnapshot.Compute(
                new ComputeInstance(0, id, 0, ci.id(), new Placement(0, ci.computeSlices()), uuid),
                ci,
                busy ? List.of(new DeviceProcess(4121, uuid, 0)) : List.of())));
  }
}
