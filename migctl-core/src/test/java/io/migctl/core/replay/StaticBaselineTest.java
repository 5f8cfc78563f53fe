package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.mig.Catalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticBaselineTest {

  private static final Simulation.Config CONFIG = Simulation.Config.of(Catalog.A100_40GB, 8);

  /** ~5 % whole-GPU jobs, the rest on small slices, the cluster well loaded. */
  private static final List<SimJob> MIXED =
      MixedDemandTrace.generate(Catalog.A100_40GB, 7, 300, 0.05, 60, 1200);

  private static final List<List<Integer>> UNIFORM =
      SimProfiles.of(Catalog.A100_40GB).maximalLayouts();

  @Test
  void theGeneratedTraceHasAboutFivePercentWholeGpuJobs() {
    long whole = MIXED.stream().filter(j -> j.smallestFit() == 7).count();
    assertThat(whole).isBetween(5L, 30L);
  }

  @Test
  void thePlannersMixGivesWholeGpusToTheWholeGpuJobsAndSplitsTheOthers() {
    MixedStaticPolicy mix = StaticSearch.plannerMix(CONFIG, List.of(MIXED));

    assertThat(mix.perGpu()).hasSize(8).contains(List.of(7));
    assertThat(mix.perGpu()).anySatisfy(l -> assertThat(l.size()).isGreaterThan(1));
    assertThat(mix.name()).startsWith("mix:");
  }

  @Test
  void theSearchFindsAMixBetterThanEveryUniformLayoutWithinItsBudget() {
    StaticSearch.Result r = StaticSearch.run(CONFIG, List.of(MIXED), UNIFORM, 120);

    double whole =
        Simulation.run(CONFIG, MIXED, StaticPolicy.wholeGpu(SimProfiles.of(Catalog.A100_40GB)))
            .jctMean();
    assertThat(r.best().isUniform()).isFalse();
    assertThat(r.jctMean()).isLessThan(whole);
    assertThat(r.simulations()).isLessThanOrEqualTo(120);
    assertThat(r.foundBy()).startsWith("local search from");
    assertThat(r.jctMean()).isLessThan(r.plannerJct());
    assertThat(Simulation.run(CONFIG, MIXED, r.best()).jctMean())
        .isCloseTo(r.jctMean(), within(1e-6));
  }

  @Test
  void aJobIsPlannedTheSmallestSliceWhereItRunsAtHalfItsBestSpeed() {
    assertThat(
            StaticSearch.wellRunningSlice(
                new SimJob(0, 0, 100, Map.of(1, 0.2, 2, 0.4, 3, 0.6, 7, 0.9))))
        .isEqualTo(3);
    assertThat(StaticSearch.wellRunningSlice(new SimJob(1, 0, 100, Map.of(7, 1.0)))).isEqualTo(7);
  }

  @Test
  void theSearchSaysWhenNoStaticLayoutRunsTheTrace() {
    // A job that fits no slice: every candidate, the planner's mix too, leaves it waiting.
    assertThatThrownBy(
            () ->
                StaticSearch.run(
                    new Simulation.Config(Catalog.A100_40GB, 1, 5, 60),
                    List.of(List.of(new SimJob(0, 0, 10, Map.of()))),
                    List.of(List.of(3, 3)),
                    10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no static layout runs this trace");
  }

  @Test
  void aMixedPolicyRefusesAClusterWithMoreGpusThanLayouts() {
    MixedStaticPolicy mix = new MixedStaticPolicy(List.of(List.of(7)));

    assertThatThrownBy(
            () ->
                Simulation.run(
                    new Simulation.Config(Catalog.A100_40GB, 2, 5, 60),
                    List.of(new SimJob(0, 0, 10, Map.of(7, 1.0))),
                    mix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has layouts for 1 GPUs; the cluster has more");
  }

  @Test
  void aMixedPolicyPutsEachLayoutOnItsGpu() {
    MixedStaticPolicy mix =
        new MixedStaticPolicy(List.of(List.of(1, 1, 1, 1, 1, 1, 1), List.of(7)));
    SimResult r =
        Simulation.run(
            new Simulation.Config(Catalog.A100_40GB, 2, 5, 60),
            List.of(new SimJob(0, 0, 100, Map.of(7, 1.0)), new SimJob(1, 0, 100, Map.of(1, 1.0))),
            mix);

    assertThat(mix.name()).isEqualTo("mix:1x7,1x1+1+1+1+1+1+1");
    assertThat(r.finished()).extracting(SimResult.Finished::gpu).containsExactly(0, 1);
    assertThat(r.jctMean()).isEqualTo(100);
  }

  @Test
  void theWorkBoundQueuesJobsThatTogetherNeedMoreThanTheCluster() {
    // Two whole-GPU jobs of 7 s on one GPU: no queue says 7 s each; the pooled capacity runs one
    // after the other, 7 s and 14 s.
    JctBound b =
        JctBound.of(
            new Simulation.Config(Catalog.A100_40GB, 1, 5, 60),
            List.of(new SimJob(0, 0, 7, Map.of(7, 1.0)), new SimJob(1, 0, 7, Map.of(7, 1.0))));

    assertThat(b.noQueue()).isEqualTo(7);
    assertThat(b.work()).isEqualTo(10.5);
    assertThat(b.best()).isEqualTo(10.5);
  }

  @Test
  void theNoQueueBoundUsesEachJobsFastestSlice() {
    JctBound b =
        JctBound.of(CONFIG, List.of(new SimJob(0, 0, 100, Map.of(1, 0.25, 3, 0.5, 7, 0.8))));

    assertThat(b.noQueue()).isEqualTo(125); // 100 s at 0.8 on the 7g
    assertThat(b.work()).isCloseTo(400.0 / 56, within(1e-9)); // 1g: 1 x 100 / 0.25;
  }

  @Test
  void noPolicyBeatsTheBound() {
    JctBound b = JctBound.of(CONFIG, MIXED);
    for (Policy p :
        List.of(
            StaticPolicy.wholeGpu(SimProfiles.of(Catalog.A100_40GB)),
            StaticSearch.plannerMix(CONFIG, List.of(MIXED)),
            new DynamicPolicy())) {
      assertThat(b.ratio(Simulation.run(CONFIG, MIXED, p).jctMean()))
          .as(p.name())
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void guardedDynamicIsNeverWorseThanTheBestStaticOnTheMixedTrace() {
    StaticSearch.Result best = StaticSearch.run(CONFIG, List.of(MIXED), UNIFORM, 120);
    double dynamic = Simulation.run(CONFIG, MIXED, new DynamicPolicy()).jctMean();

    DynamicGuard g = DynamicGuard.choose("dynamic", dynamic, best.best().name(), best.jctMean());

    assertThat(g.jctMean()).isLessThanOrEqualTo(best.jctMean());
    assertThat(g.stayedStatic()).isEqualTo(dynamic > best.jctMean());
  }

  @Test
  void theGuardKeepsDynamicOnlyWhenItIsNoWorse() {
    assertThat(DynamicGuard.choose("dynamic", 90, "mix:a", 100).policy()).isEqualTo("dynamic");
    DynamicGuard lost = DynamicGuard.choose("dynamic", 110, "mix:a", 100);
    assertThat(lost.policy()).isEqualTo("mix:a");
    assertThat(lost.stayedStatic()).isTrue();
    assertThat(lost.reason()).contains("stayed static on mix:a");
  }
}
