package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import io.migctl.core.job.Scheduler.Policy;
import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Quotas;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The scheduler between tenants: weighted dominant-resource fairness decides whose job goes next, a
 * tenant at its limits waits without blocking anyone, and priority and aging hold inside a tenant
 * only.
 */
class TenantSchedulingTest {

  private static final Policy POLICY = new Policy(Duration.ofMinutes(10));
  private static final Instant NOW = T0.plus(Duration.ofHours(1));
  private static final long MIB_1G = 4864;

  @Test
  void sixDevicesGoTwoToFourBetweenWeightsOneAndTwoTiesToTheOlderJob() {
    List<MigSlot> free = oneGs(6);
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queued.add(job(1 + i, "light", 0, 30));
      queued.add(job(101 + i, "heavy", 0, 30));
    }
    Decision d = decide(queued, free, List.of(), rules(tenant("light", 1), tenant("heavy", 2)));

    assertThat(tenantsInOrder(d, queued))
        .as("light's jobs have the lower ids at the same age, so light wins each tie")
        .containsExactly("light", "heavy", "heavy", "light", "heavy", "heavy");
    assertThat(d.waiting()).hasSize(6);
  }

  @Test
  void equalSharesGoToTheOlderWaitingJobAndTenantsTakeTurns() {
    List<Job> queued = List.of(job(1, "b", 0, 50), job(2, "b", 0, 40), job(3, "a", 0, 1));
    Decision d = decide(queued, oneGs(2), List.of(), TenantRules.EQUAL);
    assertThat(d.assignments().stream().map(Assignment::jobId))
        .as("b's older job wins the tie at nothing held; then a, which holds less, not b's next")
        .containsExactly(1L, 3L);
  }

  @Test
  void oneDeviceAtATimeAlternatesBetweenBackloggedTenantsInsteadOfStarvingOne() {
    // Each decision sees both tenants holding nothing (the one device just freed): a tie every
    // time. Broken by name, "a" would win every device; broken by age, they take turns.
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queued.add(job(1 + i, "a", 0, 40 - 2 * i));
      queued.add(job(11 + i, "b", 0, 39 - 2 * i));
    }
    List<String> winners = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      Decision d = decide(queued, oneGs(1), List.of(), TenantRules.EQUAL);
      long id = d.assignments().getFirst().jobId();
      winners.add(id < 10 ? "a" : "b");
      queued = queued.stream().filter(j -> j.id() != id).toList();
    }
    assertThat(winners).containsExactly("a", "b", "a", "b", "a", "b");
  }

  @Test
  void aTenantAtItsSliceLimitWaitsWithTheReasonAndDoesNotBlockAnother() {
    Quota twoSlices = slices(2);
    List<MigSlot> all = oneGs(4);
    List<Job> running = List.of(runningOn(50, "alice", all.get(0)));
    // alice's queued job is starving and of high priority: it still waits, and bob's go.
    List<Job> queued =
        List.of(
            job(1, "alice", 10, 60),
            job(2, "alice", 0, 59),
            job(3, "bob", 0, 1),
            job(4, "bob", 0, 1));
    Decision d =
        decide(
            queued,
            all.subList(1, 4),
            all,
            running,
            Quotas.rules(TenantDirectory.of(List.of(limited("alice", twoSlices)))));

    assertThat(d.assignments().stream().map(Assignment::jobId))
        .as("bob holds nothing and goes first; then a tie of 1/4 each goes to the older job")
        .containsExactly(3L, 1L, 4L);
    assertThat(d.waiting())
        .containsExactly(Map.entry(2L, new QuotaReached("alice", QuotaLimit.SLICES, 2, 1, 2)));
  }

  @Test
  void theQuotaCountsTheDeviceAJobWouldGetNotOnlyItsNeed() {
    MigSlot threeG = Jobs.slot("MIG-3g", "3g.20gb", 19968, 3, 0);
    Decision d =
        decide(
            List.of(job(1, "alice", 0, 1)),
            List.of(threeG),
            List.of(),
            Quotas.rules(TenantDirectory.of(List.of(limited("alice", slices(2))))));
    assertThat(d.assignments()).isEmpty();
    assertThat(d.waiting())
        .containsEntry(1L, new QuotaReached("alice", QuotaLimit.SLICES, 0, 3, 2));
  }

  @Test
  void withoutDevicesOnlyJobsWithoutAGpuRunAndMaxRunningLimitsThem() {
    Quota oneRunning =
        new Quota(
            OptionalInt.empty(), OptionalLong.empty(), OptionalInt.of(1), OptionalInt.empty());
    List<Job> queued =
        List.of(
            cpuJob(1, "alice", 5), cpuJob(2, "alice", 4), cpuJob(3, "bob", 3), job(4, "bob", 0, 2));
    Decision d =
        decide(
            queued,
            List.of(),
            List.of(),
            Quotas.rules(TenantDirectory.of(List.of(limited("alice", oneRunning)))));

    assertThat(d.assignments().stream().map(Assignment::jobId)).containsExactlyInAnyOrder(1L, 3L);
    assertThat(d.waiting().get(2L))
        .isEqualTo(new QuotaReached("alice", QuotaLimit.RUNNING, 1, 1, 1));
    assertThat(d.waiting().get(4L)).isInstanceOf(WaitingReason.NoFreeDevice.class);
  }

  @Test
  void theReshapeDemandLeavesOutJobsTheQuotaKeepsWaiting() {
    IncrementalScheduler s = new IncrementalScheduler(POLICY);
    s.devices(oneGs(2), List.of()); // both in use: the jobs wait for devices
    s.tenants(Quotas.rules(TenantDirectory.of(List.of(limited("alice", slices(2))))));
    List<Job> queued =
        List.of(
            job(1, "alice", 0, 5),
            job(2, "alice", 0, 4),
            job(3, "alice", 0, 3),
            job(4, "bob", 0, 2));
    queued.forEach(s::enqueue);
    s.decide(NOW);

    assertThat(s.inOrder()).hasSize(4);
    assertThat(s.runnableInOrder().stream().map(Job::id)).containsExactly(1L, 4L, 2L);
  }

  @Test
  void withOneTenantTheSnapshotWithTenantsDecidesAsTheOneWithout() {
    List<MigSlot> free = oneGs(3);
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      queued.add(job(1 + i, "team-a", i % 3, 100 - 7 * i));
    }
    Decision plain = Scheduler.decide(queued, free, free, NOW, POLICY);
    Decision tenants = decide(queued, free, List.of(), TenantRules.EQUAL);
    assertThat(tenants).isEqualTo(plain);
  }

  private static Decision decide(
      List<Job> queued, List<MigSlot> free, List<Job> running, TenantRules rules) {
    return decide(queued, free, free, running, rules);
  }

  private static Decision decide(
      List<Job> queued,
      List<MigSlot> free,
      List<MigSlot> all,
      List<Job> running,
      TenantRules rules) {
    return Scheduler.decide(queued, free, all, running, rules, NOW, POLICY);
  }

  private static List<String> tenantsInOrder(Decision d, List<Job> queued) {
    Map<Long, String> tenantOf = new HashMap<>();
    queued.forEach(j -> tenantOf.put(j.id(), j.spec().tenant()));
    return d.assignments().stream().map(a -> tenantOf.get(a.jobId())).toList();
  }

  private static List<MigSlot> oneGs(int n) {
    List<MigSlot> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Jobs.slot("MIG-" + i, "1g.5gb", MIB_1G, 1, i));
    }
    return out;
  }

  /** A 1g job of a tenant, submitted {@code minutesAgo} before {@link #NOW}. */
  private static Job job(long id, String tenant, int priority, int minutesAgo) {
    Job j = Jobs.queued(id, MIB_1G, 1, priority, NOW.minus(Duration.ofMinutes(minutesAgo)));
    return Jobs.queued(id, j.spec().withTenant(tenant), j.submittedAt());
  }

  private static Job cpuJob(long id, String tenant, int minutesAgo) {
    Job j = Jobs.queued(id, 0, 0, 0, NOW.minus(Duration.ofMinutes(minutesAgo)));
    return Jobs.queued(id, j.spec().withTenant(tenant), j.submittedAt());
  }

  private static Job runningOn(long id, String tenant, MigSlot slot) {
    Job q = job(id, tenant, 0, 90);
    return new Job(
        id,
        q.spec(),
        q.requirement(),
        Optional.empty(),
        JobState.RUNNING,
        1,
        q.submittedAt(),
        Optional.of(q.submittedAt()),
        Optional.empty(),
        List.of(Job.Device.of(slot)),
        Optional.empty(),
        Optional.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }

  private static TenantRules rules(Tenant... tenants) {
    return Quotas.rules(TenantDirectory.of(List.of(tenants)));
  }

  private static Tenant tenant(String name, int weight) {
    return new Tenant(name, Optional.empty(), Quota.NONE, weight, HostLimits.NONE);
  }

  private static Tenant limited(String name, Quota quota) {
    return new Tenant(name, Optional.empty(), quota, Tenant.DEFAULT_WEIGHT, HostLimits.NONE);
  }

  private static Quota slices(int max) {
    return new Quota(
        OptionalInt.of(max), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
  }
}
