package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.mig.Catalog;
import io.migctl.core.tenant.FairShare;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tenants in the simulator: per-tenant waits, Jain's index, the fairness policies' orders, and a
 * flood that fifo lets crowd out a small tenant and drf does not.
 */
class TenantFairnessTest {

  private static final SimProfiles P = SimProfiles.of(Catalog.A100_40GB);
  private static final Map<Integer, Double> WHOLE = Map.of(7, 1.0);

  /** Two A100-40GB: 14 compute slices, 80,640 MiB. */
  private static final FairShare.Usage TWO_GPUS = new FairShare.Usage(14, 2 * P.full().memoryMiB());

  private static SimJob job(int id, double arrival, String tenant) {
    return new SimJob(id, arrival, 100, WHOLE).withTenant(tenant);
  }

  private static SimResult.Finished finished(String tenant, double wait, double run) {
    return new SimResult.Finished(0, 0, wait, wait + run, 0, 7, tenant, run, 0);
  }

  @Test
  void jainIsOneWhenAllAreEqualAndOneOverNWhenOneHasEverything() {
    assertThat(TenantResult.jain(new double[] {3, 3, 3})).isCloseTo(1, within(1e-12));
    assertThat(TenantResult.jain(new double[] {5, 0, 0})).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(TenantResult.jain(new double[] {1, 0})).isCloseTo(0.5, within(1e-12));
    // (1 + 3)^2 / (2 * (1 + 9)) = 0.8
    assertThat(TenantResult.jain(new double[] {1, 3})).isCloseTo(0.8, within(1e-12));
    assertThat(TenantResult.jain(new double[] {})).isEqualTo(1);
    assertThatThrownBy(() -> TenantResult.jain(new double[] {1, -1})).hasMessageContaining("-1.0");
  }

  @Test
  void perTenantWaitsAreMeansAndNearestRankP99sOfThatTenantsJobsOnly() {
    List<SimResult.Finished> done = new ArrayList<>();
    IntStream.rangeClosed(1, 100).forEach(w -> done.add(finished("a", w, 100)));
    done.add(finished("b", 0, 100));
    done.add(finished("b", 300, 100));
    done.add(finished("b", 30, 5));

    List<TenantResult> t = TenantResult.of(done, name -> name.equals("a") ? 1 : 0.25);

    assertThat(t).extracting(TenantResult::tenant).containsExactly("a", "b");
    TenantResult a = t.get(0);
    assertThat(a.jobs()).isEqualTo(100);
    assertThat(a.waitMean()).isEqualTo(50.5);
    assertThat(a.waitP99()).isEqualTo(99); // nearest rank: the 99th of 100
    assertThat(a.jctMean()).isEqualTo(150.5);
    TenantResult b = t.get(1);
    assertThat(b.waitP99()).isEqualTo(300); // of 3 values the largest
    assertThat(b.waitMean()).isEqualTo(110);
    // slowdowns 1, 4, and (30 + 5) / 10 = 3.5: a 5 s job counts as 10 s
    assertThat(b.slowdownMean()).isCloseTo((1 + 4 + 3.5) / 3, within(1e-12));
    // Jain's index is over the share indexes: (1 + 0.25)^2 / (2 * (1 + 0.0625))
    assertThat(TenantResult.jain(t)).isCloseTo(1.5625 / 2.125, within(1e-12));
  }

  @Test
  void theShareIndexIsTheFractionOfItsDueATenantHeldWhileItHadWork() {
    FairShare.Usage oneGpu = new FairShare.Usage(7, P.full().memoryMiB());
    FairShare.Usage twoSlices = new FairShare.Usage(2, 9728);
    ShareLedger ledger = new ShareLedger(Map.of("a", 3));
    // 10 s: b waits for one GPU with nothing while a (weight 3) holds both: b is due 1/4.
    ledger.advance(10, Map.of("b", oneGpu), new Fairness.Node(Map.of("a", TWO_GPUS), TWO_GPUS, P));
    // 30 s: b holds a 2g slice and asks no more: it holds all it asks for. a waits holding one
    // GPU, due 3/4: satisfied 1/2 / 3/4.
    ledger.advance(
        30,
        Map.of("a", oneGpu),
        new Fairness.Node(Map.of("a", oneGpu, "b", twoSlices), TWO_GPUS, P));
    assertThat(ledger.shareIndex("b")).isCloseTo(30.0 / 40, within(1e-12));
    assertThat(ledger.shareIndex("a")).isCloseTo((10 + 30 * (0.5 / 0.75)) / 40, within(1e-12));
    assertThat(ledger.shareIndex("never-had-work")).isEqualTo(1);
  }

  @Test
  void drfOffersTheTenantFurthestBelowItsWeightedShareFirstAndKeepsFifoWithinATenant() {
    List<SimJob> queue =
        List.of(job(0, 0, "a"), job(1, 0, "a"), job(2, 0, "a"), job(3, 1, "b"), job(4, 2, "b"));
    Fairness.Node aHoldsAll = new Fairness.Node(Map.of("a", TWO_GPUS), TWO_GPUS, P);
    // a holds everything; b gets both places before a's next job (b's first takes half).
    assertThat(Fairness.parse("drf", Map.of()).order(queue, aHoldsAll))
        .extracting(SimJob::id)
        .containsExactly(3, 4, 0, 1, 2);

    // a has weight 3 and holds one GPU: 0.5 / 3. b (0) goes first, then a until its weighted
    // share reaches b's, ties to the heavier tenant.
    FairShare.Usage oneGpu = new FairShare.Usage(7, P.full().memoryMiB());
    Fairness.Node aHoldsOne = new Fairness.Node(Map.of("a", oneGpu), TWO_GPUS, P);
    assertThat(Fairness.parse("drf", Map.of("a", 3)).order(queue, aHoldsOne))
        .extracting(SimJob::id)
        .containsExactly(3, 0, 1, 2, 4);
  }

  @Test
  void fifoKeepsArrivalOrderAndAnUnknownNameIsRefusedNamingTheKnownOnes() {
    List<SimJob> queue = List.of(job(0, 0, "a"), job(1, 0, "b"), job(2, 0, "a"));
    Fairness.Node node = new Fairness.Node(Map.of("a", TWO_GPUS), TWO_GPUS, P);
    assertThat(Fairness.fifo().order(queue, node)).extracting(SimJob::id).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> Fairness.parse("lottery", Map.of()))
        .hasMessageContaining("\"lottery\"")
        .hasMessageContaining("fifo, drf or all");
  }

  /** Tenant {@code flood} submits 20 one-GPU jobs at 0; tenant {@code small} 2 jobs at 1 and 2. */
  private static List<SimJob> flood() {
    List<SimJob> jobs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      jobs.add(job(i, 0, "flood"));
    }
    jobs.add(job(20, 1, "small"));
    jobs.add(job(21, 2, "small"));
    return jobs;
  }

  private static TenantResult tenant(SimResult r, String name) {
    return r.tenants().stream().filter(t -> t.tenant().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void underFifoTheSmallTenantWaitsBehindTheFloodAndUnderDrfItDoesNot() {
    Simulation.Config two = new Simulation.Config(Catalog.A100_40GB, 2, 5, 60);
    for (Policy placement : List.of(StaticPolicy.wholeGpu(P), new DynamicPolicy())) {
      SimResult fifo = Simulation.run(two, flood(), placement.fresh(), Fairness.fifo());
      SimResult drf =
          Simulation.run(two, flood(), placement.fresh(), Fairness.parse("drf", Map.of()));

      assertThat(fifo.fairness()).isEqualTo("fifo");
      assertThat(drf.fairness()).isEqualTo("drf");
      assertThat(drf.jobs()).isEqualTo(22);
      // fifo: the small jobs start after all 20 flood jobs, 10 rounds of 100 s on 2 GPUs.
      assertThat(tenant(fifo, "small").waitMean()).as(placement.name()).isGreaterThan(900);
      // drf: each small job starts at the next completion.
      assertThat(tenant(drf, "small").waitMean()).as(placement.name()).isLessThan(250);
      assertThat(drf.jain()).as(placement.name()).isGreaterThan(fifo.jain() + 0.2);
      // The flood pays a little for it; nothing is lost.
      assertThat(tenant(drf, "flood").jobs()).isEqualTo(20);
      assertThat(drf.makespan()).isEqualTo(fifo.makespan());
    }
  }

  @Test
  void theAssignmentRuleGivesAJobTheSameTenantWhateverTheListAndSpreadsJobsOverTenants() {
    assertThat(TenantAssignment.tenantOf(17, 2)).isEqualTo(TenantAssignment.tenantOf(17, 2));
    List<SimJob> jobs = IntStream.range(0, 100).mapToObj(i -> job(i, 100 - i, "x")).toList();
    List<SimJob> assigned = TenantAssignment.assign(jobs, 2);
    List<SimJob> reversedSubset =
        TenantAssignment.assign(
            jobs.reversed().stream()
                .filter(j -> j.id() % 3 == 0)
                .map(j -> j.withArrival(0))
                .toList(),
            2);
    for (SimJob j : reversedSubset) {
      assertThat(j.tenant()).isEqualTo(assigned.get(j.id()).tenant());
    }
    long t1 = assigned.stream().filter(j -> j.tenant().equals("t1")).count();
    assertThat(t1).isBetween(40L, 60L);
    assertThat(assigned).extracting(SimJob::tenant).containsOnly("t1", "t2");
    assertThat(TenantAssignment.assign(jobs, 5))
        .extracting(SimJob::tenant)
        .hasSize(100)
        .contains("t1", "t2", "t3", "t4", "t5");
    assertThatThrownBy(() -> TenantAssignment.assign(jobs, 0)).hasMessageContaining("was 0");
  }

  @Test
  void weightsAreNameEqualsWholeNumberAndBadPairsAreNamed() {
    assertThat(TenantWeights.parse("a=2, b=1"))
        .containsExactly(Map.entry("a", 2), Map.entry("b", 1));
    assertThat(TenantWeights.parse("")).isEmpty();
    assertThatThrownBy(() -> TenantWeights.parse("a:2"))
        .hasMessageContaining("\"a:2\" is not NAME=WEIGHT");
    assertThatThrownBy(() -> TenantWeights.parse("a=two"))
        .hasMessageContaining("\"two\" is not a whole number");
    assertThatThrownBy(() -> TenantWeights.parse("a=0")).hasMessageContaining("weight");
    assertThatThrownBy(() -> TenantWeights.parse("a=1,a=2")).hasMessageContaining("twice");
    assertThatThrownBy(() -> TenantWeights.parse("bad name=1")).hasMessageContaining("name");
  }

  @Test
  void aTraceWithoutTenantsIsTheDefaultTenantsAndABadTenantNameIsRefused() {
    assertThat(new SimJob(0, 0, 1, WHOLE).tenant()).isEqualTo("default");
    assertThatThrownBy(() -> new SimJob(0, 0, 1, WHOLE).withTenant("a b"))
        .hasMessageContaining("'a b' is not a tenant name");
  }
}
