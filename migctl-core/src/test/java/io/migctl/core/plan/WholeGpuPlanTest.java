package io.migctl.core.plan;

import static io.migctl.core.plan.DemandPlannerTest.profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mig plan} with whole-GPU and multi-GPU jobs beside slices: which GPUs stay MIG off. */
class WholeGpuPlanTest {

  private static final DemandPlanner PLANNER = new DemandPlanner();

  private static List<NodeGpu> a100s(int n) {
    List<NodeGpu> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NodeGpu(i, Catalog.A100_40GB));
    }
    return out;
  }

  private static final List<Demand> SLICES =
      List.of(
          profile("train", "2g.10gb"),
          profile("infer-1", "1g.5gb"),
          profile("infer-2", "1g.5gb"),
          profile("infer-3", "1g.5gb"));

  private static WholeGpuPlan plan(List<WholeGpuPlan.WholeGpuDemand> whole, List<NodeGpu> gpus) {
    return WholeGpuPlan.plan(PLANNER, SLICES, whole, gpus, TenantDirectory.of(List.of()));
  }

  @Test
  void aTwoGpuJobGetsTwoGpusWithMigOffAndTheSlicesPackOntoTheOthers() {
    WholeGpuPlan p = plan(List.of(new WholeGpuPlan.WholeGpuDemand("nccl", 2, 0)), a100s(4));

    assertThat(p.whole()).containsExactly(new WholeGpuPlan.WholeGpus("nccl", List.of(2, 3)));
    assertThat(p.migOff()).containsExactly(2, 3);
    assertThat(p.placedAll()).isTrue();
    assertThat(p.slices().assignments()).allMatch(a -> a.gpu() < 2).hasSize(4);
    assertThat(p.reasoning().get(0)).startsWith("nccl: 2 whole a100-40gb GPUs [2, 3], MIG off");
    List<ConfigEntry> entries = p.migPartedConfig("mixed").configs().get("mixed");
    ConfigEntry off = entries.get(entries.size() - 1);
    assertThat(off.migEnabled()).isFalse();
    assertThat(off.devices()).isEqualTo(new DeviceSelection.Indices(List.of(2, 3)));
    assertThat(entries.subList(0, entries.size() - 1)).allMatch(ConfigEntry::migEnabled);
  }

  @Test
  void aGpuWithInstancesToKeepIsNeverLeftWholeAndTooFewGpusLeaveTheJobUnplaced() {
    List<NodeGpu> gpus = new ArrayList<>(a100s(3));
    gpus.add(new NodeGpu(3, Catalog.A100_40GB, List.of(RepartitionerTest.at("1g.5gb", 0))));
    WholeGpuPlan p =
        plan(
            List.of(
                new WholeGpuPlan.WholeGpuDemand("one", 1, 0),
                new WholeGpuPlan.WholeGpuDemand("four", 4, 0)),
            gpus);

    // The larger job goes first and cannot have the busy GPU 3; the one-GPU job then takes GPU 2.
    assertThat(p.whole()).containsExactly(new WholeGpuPlan.WholeGpus("one", List.of(2)));
    assertThat(p.unplacedWhole())
        .singleElement()
        .satisfies(
            u ->
                assertThat(u.reason())
                    .isEqualTo(
                        "needs 4 whole GPUs of one model and 3 are left with nothing in use;"
                            + " free GPUs or lower the job's gpus"));
    assertThat(p.placedAll()).isFalse();
  }

  @Test
  void aWorkloadsWholeGpuAndMultiDeviceNeedsAreSortedForThePlanners() {
    GpuNeed oneG = profile("x", "1g.5gb").need();
    WholeGpuPlan.Split split =
        WholeGpuPlan.split(
            List.of(
                new Demand("nccl", new GpuNeed.WholeGpus(4), 3, "t"),
                new Demand("shards", new GpuNeed.MigDevices(oneG, 3), 1, "t"),
                profile("infer", "2g.10gb")));

    assertThat(split.whole()).containsExactly(new WholeGpuPlan.WholeGpuDemand("nccl", 4, 3));
    assertThat(split.slices())
        .extracting(Demand::job)
        .containsExactly("shards#1", "shards#2", "shards#3", "infer");
    assertThat(split.slices().getFirst().need()).isEqualTo(oneG);

    WholeGpuPlan p =
        WholeGpuPlan.plan(
            PLANNER, split.slices(), split.whole(), a100s(5), TenantDirectory.of(List.of()));
    assertThat(p.migOff()).containsExactly(1, 2, 3, 4);
    assertThat(p.slices().assignments()).hasSize(4);
    assertThat(p.desiredGpus()).containsOnlyKeys(0, 1, 2, 3, 4);
    assertThat(p.desiredGpus().get(0).migEnabled()).isTrue();
    assertThat(p.desiredGpus().get(0).instances()).hasSize(4);
    for (int whole = 1; whole <= 4; whole++) {
      assertThat(p.desiredGpus().get(whole).migEnabled()).isFalse();
      assertThat(p.desiredGpus().get(whole).instances()).isEmpty();
      assertThat(p.desiredGpus().get(whole).source()).isEqualTo("whole GPU for job nccl");
    }
  }

  @Test
  void jobNamesAreUniqueAcrossWholeGpuAndSliceJobs() {
    assertThatThrownBy(
            () -> plan(List.of(new WholeGpuPlan.WholeGpuDemand("train", 1, 0)), a100s(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job name \"train\"");
    assertThatThrownBy(() -> new WholeGpuPlan.WholeGpuDemand("x", 0, 0))
        .hasMessageContaining("at least 1");
  }
}
