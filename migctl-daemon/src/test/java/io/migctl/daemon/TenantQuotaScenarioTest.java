package io.migctl.daemon;

import static io.migctl.daemon.RuntimeScenario.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.job.HostLimits;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobState;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants' quotas and weighted fair share in the job runtime, on virtual time: a tenant at its
 * limit waits with the limit as its reason while others run, the node is shared by weight between
 * backlogged tenants, submissions that could never fit a tenant's limits are refused, and reshaping
 * does not make devices for jobs the quota keeps waiting.
 */
class TenantQuotaScenarioTest {

  @TempDir Path home;

  @Test
  void aTenantAtItsSliceLimitWaitsWithThatReasonWhileAnotherTenantsJobsRun() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:2")) {
      for (int gpu = 0; gpu < 2; gpu++) {
        for (int i = 0; i < 7; i++) {
          s.create(gpu, "1g.5gb", i);
        }
      }
      s.tenants =
          TenantDirectory.of(List.of(limited("alice", quotaOfSlices(2)), weighted("bob", 1)));
      s.start();
      List<Integer> aliceSlicesAtEachEvent = new ArrayList<>();
      s.jobs().onEvent(e -> aliceSlicesAtEachEvent.add(slicesHeld(s, "alice")));

      List<Long> alice = new ArrayList<>();
      List<Long> bob = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        alice.add(s.submit(spec("a" + i, "1g.5gb").withTenant("alice")));
      }
      for (int i = 0; i < 4; i++) {
        bob.add(s.submit(spec("b" + i, "1g.5gb").withTenant("bob")));
      }

      assertThat(alice.stream().map(s::state))
          .containsExactly(
              JobState.RUNNING,
              JobState.RUNNING,
              JobState.QUEUED,
              JobState.QUEUED,
              JobState.QUEUED,
              JobState.QUEUED);
      assertThat(bob.stream().map(s::state)).containsOnly(JobState.RUNNING);
      WaitingReason why = s.waiting(alice.get(2)).orElseThrow();
      assertThat(why)
          .isEqualTo(
              new WaitingReason.QuotaReached("alice", WaitingReason.QuotaLimit.SLICES, 2, 1, 2));
      assertThat(WaitingText.describe(why))
          .isEqualTo(
              "tenant alice is at its limit of 2 compute slices (2 in use; this job needs 1 more)");
      assertThat(WaitingText.json(why))
          .containsEntry("kind", "quota")
          .containsEntry("limit", "max-slices")
          .containsEntry("inUse", 2L);
      assertThat(s.sim.gpus()).isNotEmpty();

      // Alice's jobs finish one by one; each frees room for exactly one more of hers.
      while (alice.stream().anyMatch(id -> !s.state(id).isTerminal())) {
        long running =
            alice.stream().filter(id -> s.state(id) == JobState.RUNNING).findFirst().orElseThrow();
        s.advance(Duration.ofMinutes(1));
        s.process(running).exit(0);
        long bobJob = s.submit(spec("b-more", "1g.5gb").withTenant("bob"));
        assertThat(s.state(bobJob))
            .as("bob is not held back by alice's limit")
            .isEqualTo(JobState.RUNNING);
      }
      assertThat(aliceSlicesAtEachEvent).isNotEmpty().allMatch(n -> n <= 2);
      assertThat(aliceSlicesAtEachEvent).contains(2);
    }
  }

  @Test
  void backloggedTenantsShareTheNodeByWeightWithinTenPercent() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:2")) {
      // 12 devices: weights 1:2:3 divide them 2:4:6, so the shares can be exact.
      for (int gpu = 0; gpu < 2; gpu++) {
        for (int i = 0; i < 6; i++) {
          s.create(gpu, "1g.5gb", i);
        }
      }
      Map<String, Integer> weights = new LinkedHashMap<>();
      weights.put("w1", 1);
      weights.put("w2", 2);
      weights.put("w3", 3);
      s.tenants =
          TenantDirectory.of(
              weights.entrySet().stream().map(e -> weighted(e.getKey(), e.getValue())).toList());
      s.start();
      Duration jobLength = Duration.ofSeconds(60);
      Duration step = Duration.ofSeconds(5);
      // The tenants arrive one after another, so the first takes the whole node at the start and
      // the others must win their share back as its jobs end.
      Map<String, Duration> arrival =
          Map.of("w1", Duration.ZERO, "w2", Duration.ofSeconds(10), "w3", Duration.ofSeconds(25));
      Instant start = s.clock.instant();
      Instant windowFrom = start.plus(Duration.ofMinutes(5));
      Instant windowTo = start.plus(Duration.ofMinutes(35));
      Map<String, Long> deviceSeconds = new HashMap<>();
      Set<String> arrived = new java.util.HashSet<>();
      while (s.clock.instant().isBefore(windowTo)) {
        Instant now = s.clock.instant();
        for (var e : arrival.entrySet()) {
          if (!now.isBefore(start.plus(e.getValue())) && arrived.add(e.getKey())) {
            for (int i = 0; i < 250; i++) {
              s.jobs()
                  .submit(
                      spec(e.getKey() + "-" + i, "1g.5gb").withTenant(e.getKey()),
                      Principal.OPERATOR);
            }
            s.settle();
          }
        }
        for (Job j : running(s)) {
          if (!s.process(j.id()).startedAt().plus(jobLength).isAfter(now)) {
            s.process(j.id()).exit(0);
          }
        }
        if (!now.isBefore(windowFrom)) {
          for (Job j : running(s)) {
            deviceSeconds.merge(j.spec().tenant(), step.toSeconds(), Long::sum);
          }
          for (String t : weights.keySet()) {
            assertThat(queuedOf(s, t))
                .as("tenant %s is backlogged through the window", t)
                .isPositive();
          }
        }
        s.advance(step);
      }
      long total = deviceSeconds.values().stream().mapToLong(Long::longValue).sum();
      int weightSum = weights.values().stream().mapToInt(Integer::intValue).sum();
      StringBuilder report = new StringBuilder("weighted fair share over 30 min of virtual time:");
      for (var e : weights.entrySet()) {
        double share = (double) deviceSeconds.getOrDefault(e.getKey(), 0L) / total;
        double due = (double) e.getValue() / weightSum;
        report.append(
            String.format(
                " %s (weight %d) %.3f of due %.3f;", e.getKey(), e.getValue(), share, due));
      }
      System.out.println(report);
      for (var e : weights.entrySet()) {
        double share = (double) deviceSeconds.getOrDefault(e.getKey(), 0L) / total;
        double due = (double) e.getValue() / weightSum;
        assertThat(share).as(report.toString()).isCloseTo(due, within(0.1 * due));
      }
    }
  }

  @Test
  void aJobThatCouldNeverFitItsTenantsLimitsIsRefusedAtSubmitAndAFullQueueToo() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      Quota quota =
          new Quota(
              OptionalInt.of(2),
              OptionalLong.of(10 * 1024),
              OptionalInt.empty(),
              OptionalInt.of(2));
      Quota none =
          new Quota(
              OptionalInt.empty(), OptionalLong.empty(), OptionalInt.of(0), OptionalInt.empty());
      s.tenants = TenantDirectory.of(List.of(limited("alice", quota), limited("idle", none)));
      s.start();

      assertThatThrownBy(
              () -> s.jobs().submit(spec("big", "3g.20gb").withTenant("alice"), Principal.OPERATOR))
          .isInstanceOfSatisfying(DaemonException.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageContaining("tenant alice may hold 2 compute slices at once (max-slices)")
          .hasMessageContaining("this job alone needs 3");
      assertThatThrownBy(
              () -> s.jobs().submit(spec("wide", "2g.10gb").withTenant("idle"), Principal.OPERATOR))
          .hasMessageContaining("tenant idle may run no jobs at all (max-running 0)");
      s.submit(spec("one", "1g.5gb").withTenant("alice"));
      s.submit(spec("two", "1g.5gb").withTenant("alice"));
      s.submit(spec("three", "1g.5gb").withTenant("alice"));
      assertThatThrownBy(
              () -> s.jobs().submit(spec("four", "1g.5gb").withTenant("alice"), Principal.OPERATOR))
          .isInstanceOfSatisfying(
              DaemonException.class,
              e -> {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.code()).isEqualTo("max-queued");
              })
          .hasMessageStartingWith("tenant alice has 2 jobs queued, its limit (max-queued 2)");
      assertThat(s.jobs().list(JobQuery.all())).hasSize(3);
    }
  }

  @Test
  void reshapingMakesNoDeviceForAJobItsTenantsQuotaKeepsWaiting() {
    ReshapeGate.Params gate = new ReshapeGate.Params(Duration.ofSeconds(60), Duration.ofSeconds(2));
    try (RuntimeScenario s =
        new RuntimeScenario(
            home,
            "a100-40gb:1",
            Scheduler.Policy.DEFAULT,
            new Repartition(true, gate),
            Duration.ofSeconds(10))) {
      for (int i = 0; i < 7; i++) {
        s.create(0, "1g.5gb", i);
      }
      s.tenants = TenantDirectory.of(List.of(limited("alice", quotaOfSlices(3))));
      s.start();
      long first = s.submit(spec("first", "3g.20gb").withTenant("alice"));
      long second = s.submit(spec("second", "3g.20gb").withTenant("alice"));
      s.advance(Duration.ofSeconds(2));

      assertThat(s.state(first)).isEqualTo(JobState.RUNNING);
      assertThat(s.state(second)).isEqualTo(JobState.QUEUED);
      assertThat(s.kinds(second)).doesNotContain("reshape");
      assertThat(s.waiting(second)).containsInstanceOf(WaitingReason.QuotaReached.class);
      assertThat(
              GpuSnapshot.readAll(s.sim).getFirst().instances().stream()
                  .filter(i -> i.profile().name().toString().equals("3g.20gb")))
          .as("one 3g.20gb, for the job the quota lets run")
          .hasSize(1);
    }
  }

  private static List<Job> running(RuntimeScenario s) {
    return s.jobs()
        .list(
            new JobQuery(
                Set.of(JobState.RUNNING), Optional.empty(), Optional.empty(), JobQuery.MAX_LIMIT));
  }

  private static int queuedOf(RuntimeScenario s, String tenant) {
    return s.jobs()
        .list(
            new JobQuery(
                Set.of(JobState.QUEUED), Optional.of(tenant), Optional.empty(), JobQuery.MAX_LIMIT))
        .size();
  }

  /** The compute slices of the devices a tenant's jobs hold now (all 1g.5gb here). */
  private static int slicesHeld(RuntimeScenario s, String tenant) {
    return (int)
        s
            .store
            .list(
                new JobQuery(
                    Set.of(JobState.STARTING, JobState.RUNNING, JobState.STOPPING),
                    Optional.of(tenant),
                    Optional.empty(),
                    JobQuery.MAX_LIMIT))
            .stream()
            .filter(j -> j.device().isPresent())
            .count();
  }

  private static Quota quotaOfSlices(int max) {
    return new Quota(
        OptionalInt.of(max), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
  }

  private static Tenant limited(String name, Quota quota) {
    return new Tenant(name, Optional.empty(), quota, Tenant.DEFAULT_WEIGHT, HostLimits.NONE);
  }

  private static Tenant weighted(String name, int weight) {
    return new Tenant(name, Optional.empty(), Quota.NONE, weight, HostLimits.NONE);
  }
}
