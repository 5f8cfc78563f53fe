package io.migctl.core.plan;

import static io.migctl.core.plan.DemandPlannerTest.assertValid;
import static io.migctl.core.plan.DemandPlannerTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The demand planner plans no tenant more than its quota lets it hold at once. */
class DemandPlannerQuotaTest {

  private final DemandPlanner planner = new DemandPlanner();

  @Test
  void maxSlicesCutsATenantsDemandAndTheRestQueue() {
    List<Demand> demands = new ArrayList<>(replicas("ml", "1g.5gb", 4, "ml"));
    demands.add(new Demand("cv", profile("1g.5gb"), 0, "cv"));

    DemandPlan plan =
        planner.plan(demands, node(Catalog.A100_40GB, 1), tenants(limits("ml", 2, null, null)));

    assertValid(plan);
    assertThat(plan.assignments())
        .extracting(Assignment::job)
        .containsExactly("ml-1", "ml-2", "cv");
    assertThat(plan.gpus().getFirst().created()).hasSize(3);
    assertThat(plan.unplaced())
        .allSatisfy(u -> assertThat(u.queues()).isTrue())
        .extracting(UnplacedJob::job)
        .containsExactly("ml-3", "ml-4");
    assertThat(plan.quotaCuts())
        .containsExactly(
            new QuotaCut("ml-3", new QuotaReached("ml", QuotaLimit.SLICES, 2, 1, 2)),
            new QuotaCut("ml-4", new QuotaReached("ml", QuotaLimit.SLICES, 2, 1, 2)));
    assertThat(plan.explain())
        .contains(
            "ml-3 needs 1g.5gb and will queue: tenant ml may hold 2 compute slices at once"
                + " (max-slices 2); its jobs planned before this one hold 2 compute slices and"
                + " this one would add 1 compute slice. It starts when one of ml's jobs ends.")
        .contains(
            "Tenant ml's quota lets 2 of its 4 jobs run at once: max-slices 2 leaves out ml-3,"
                + " ml-4 (2 compute slices more). They queue until its planned jobs end.")
        .contains("Placed 3 of 5 jobs that need a GPU on 1 of 1 GPU");
  }

  @Test
  void maxGpuMemoryCountsTheInstanceEachJobGets() {
    long mib = instance("1g.5gb").memoryMiB();

    DemandPlan plan =
        planner.plan(
            replicas("ml", "1g.5gb", 3, "ml"),
            node(Catalog.A100_40GB, 1),
            tenants(limits("ml", null, 2 * mib + 1, null)));

    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("ml-1", "ml-2");
    assertThat(plan.quotaCuts())
        .containsExactly(
            new QuotaCut(
                "ml-3", new QuotaReached("ml", QuotaLimit.GPU_MEMORY, 2 * mib, mib, 2 * mib + 1)));
    assertThat(plan.explain()).contains("max-gpu-memory " + (2 * mib + 1) + " leaves out ml-3");
  }

  @Test
  void maxRunningCountsJobsWithoutAGpuAndTakesHigherPriorityFirst() {
    List<Demand> demands =
        List.of(
            new Demand("prep", GpuNeed.NONE, 0, "ml"),
            new Demand("low", profile("1g.5gb"), 0, "ml"),
            new Demand("high", profile("1g.5gb"), 5, "ml"));

    DemandPlan plan =
        planner.plan(demands, node(Catalog.A100_40GB, 1), tenants(limits("ml", null, null, 2)));

    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("high");
    assertThat(plan.withoutGpu()).containsExactly("prep");
    assertThat(plan.quotaCuts())
        .extracting(QuotaCut::job, c -> c.reached().limit())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("low", QuotaLimit.RUNNING));
    assertThat(plan.explain())
        .contains("low needs 1g.5gb and will queue: tenant ml may run 2 jobs");
  }

  @Test
  void aJobWithinWhatIsLeftIsPlannedAfterALargerOneIsLeftOut() {
    List<Demand> demands =
        List.of(
            new Demand("a", profile("2g.10gb"), 0, "ml"),
            new Demand("b", profile("2g.10gb"), 0, "ml"),
            new Demand("c", profile("1g.5gb"), 0, "ml"));

    DemandPlan plan =
        planner.plan(demands, node(Catalog.A100_40GB, 1), tenants(limits("ml", 3, null, null)));

    assertThat(plan.assignments()).extracting(Assignment::job).containsExactly("a", "c");
    assertThat(plan.quotaCuts()).extracting(QuotaCut::job).containsExactly("b");
  }

  @Test
  void aJobItsQuotaRefusesEvenAloneCanNeverRun() {
    DemandPlan plan =
        planner.plan(
            List.of(new Demand("big", profile("3g.20gb"), 0, "ml")),
            node(Catalog.A100_40GB, 1),
            tenants(limits("ml", 2, null, null)));

    assertThat(plan.quotaCuts()).isEmpty();
    assertThat(plan.unplaced()).singleElement().satisfies(u -> assertThat(u.queues()).isFalse());
    assertThat(plan.explain())
        .contains(
            "big needs 3g.20gb and can never run here: tenant ml may hold 2 compute slices at once"
                + " (max-slices 2), and this job alone would take 3 compute slices. Ask for less,"
                + " or raise the tenant's max-slices.");
    assertThat(plan.gpusUsed()).isZero();
  }

  @Test
  void tenantsWithoutLimitsPlanAsNoTenantsDo() {
    List<Demand> demands = new ArrayList<>(replicas("ml", "2g.10gb", 3, "ml"));
    demands.addAll(replicas("cv", "3g.20gb", 2, "cv"));
    demands.add(new Demand("prep", GpuNeed.NONE, 0, "ml"));

    DemandPlan without = planner.plan(demands, node(Catalog.A100_40GB, 2));
    DemandPlan unlimited =
        planner.plan(
            demands, node(Catalog.A100_40GB, 2), tenants(Tenant.named("ml"), Tenant.named("cv")));

    assertThat(unlimited).isEqualTo(without);
    assertThat(without.quotaCuts()).isEmpty();
  }

  @Test
  void aTenantThatIsNotDeclaredIsSaidToHaveNoLimits() {
    List<Demand> demands =
        List.of(
            new Demand("a", profile("1g.5gb"), 0, "mll"),
            new Demand("b", profile("1g.5gb"), 0, "mll"),
            new Demand("c", profile("1g.5gb")));

    DemandPlan plan =
        planner.plan(demands, node(Catalog.A100_40GB, 1), tenants(limits("ml", 1, null, null)));

    assertThat(plan.assignments()).hasSize(3);
    assertThat(plan.explain())
        .contains(
            "Tenant mll (of a, b) is not among the declared tenants, so its jobs are planned"
                + " without limits.")
        .doesNotContain("Tenant default");
  }

  private static Tenant limits(String name, Integer slices, Long memoryMiB, Integer running) {
    return new Tenant(
        name,
        Optional.empty(),
        new Quota(
            slices == null ? OptionalInt.empty() : OptionalInt.of(slices),
            memoryMiB == null ? OptionalLong.empty() : OptionalLong.of(memoryMiB),
            running == null ? OptionalInt.empty() : OptionalInt.of(running),
            OptionalInt.empty()),
        Tenant.DEFAULT_WEIGHT,
        HostLimits.NONE);
  }

  private static TenantDirectory tenants(Tenant... tenants) {
    return TenantDirectory.of(List.of(tenants));
  }

  private static GpuNeed profile(String name) {
    return new GpuNeed.Profile(ProfileName.parse(name));
  }

  private static GpuInstanceProfile instance(String name) {
    return Catalog.A100_40GB.profile(ProfileName.parse(name)).orElseThrow();
  }

  private static List<Demand> replicas(String job, String profile, int n, String tenant) {
    List<Demand> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new Demand(job + "-" + i, profile(profile), 0, tenant));
    }
    return out;
  }
}
