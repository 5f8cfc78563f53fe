package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Gang jobs on whole GPUs: all of them at once, never some held while waiting for the rest. */
class GangJobsTest {

  private static final SimProfiles P = SimProfiles.of(Catalog.A100_40GB);

  private static Simulation.Config cluster(int gpus) {
    return new Simulation.Config(Catalog.A100_40GB, gpus, 5, 10);
  }

  private static SimJob gang(int id, double arrival, double duration, int gpus) {
    return SimJob.gang(id, arrival, duration, gpus, Catalog.A100_40GB);
  }

  private static SimJob slice(int id, double arrival, double duration, int slices) {
    return new SimJob(id, arrival, duration, Map.of(slices, 1.0, 7, 1.0));
  }

  private static SimResult.Finished done(SimResult r, int id) {
    return r.finished().stream().filter(f -> f.id() == id).findFirst().orElseThrow();
  }

  @Test
  void aGangJobWaitsForAllItsGpusAndHoldsNoneMeanwhile() {
    // GPU 0 busy until 100; the 2-GPU job arriving at 10 must not hold GPU 1, so the one-GPU job
    // arriving at 20 runs there at once.
    // Jobs 3 and 4 wait for the 2-GPU job and then get both of its GPUs as it frees them together.
    List<SimJob> jobs =
        List.of(
            gang(0, 0, 100, 1),
            gang(1, 10, 50, 2),
            gang(2, 20, 30, 1),
            gang(3, 120, 10, 1),
            gang(4, 120, 10, 1));
    SimResult r = Simulation.run(cluster(2), jobs, StaticPolicy.wholeGpu(P));

    assertThat(done(r, 2).start()).isEqualTo(20);
    assertThat(done(r, 1).start()).isEqualTo(100);
    assertThat(done(r, 1).finish()).isEqualTo(150);
    assertThat(done(r, 1).slices()).isEqualTo(14);
    assertThat(done(r, 1).gpus()).isEqualTo(2);
    assertThat(done(r, 3).start()).isEqualTo(150);
    assertThat(done(r, 4).start()).isEqualTo(150);
    assertThat(r.gpuUtilisation()).isEqualTo((100 + 30 + 2 * 50 + 2 * 10) / (2 * 160.0));
  }

  @Test
  void theEngineRefusesToStartAGangJobOnFewerGpusOrOnOneSlice() {
    SimJob job = gang(0, 0, 10, 2);
    assertThatThrownBy(
            () -> runWith(cluster(2), job, s -> s.startGang(job, List.of(s.slots(0).get(0)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs 2 whole GPUs at once, was given 1");
    assertThatThrownBy(() -> runWith(cluster(2), job, s -> s.start(job, s.slots(0).get(0))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use startGang");
    assertThatThrownBy(
            () ->
                runWith(
                    cluster(2),
                    job,
                    s -> s.startGang(job, List.of(s.slots(0).get(0), s.slots(0).get(0)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("each once");
  }

  @Test
  void aGangJobRefusesAGpuThatIsSliced() {
    SimJob job = gang(0, 0, 10, 2);
    Simulation.Config two = cluster(2);
    assertThatThrownBy(
            () ->
                Simulation.run(
                    two,
                    List.of(job),
                    new TestPolicy(
                        List.of(List.of(7), List.of(4, 3)),
                        s -> s.startGang(job, List.of(s.slots(0).get(0), s.slots(1).get(0))))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("free whole GPUs");
  }

  @Test
  void aStaticLayoutRunsGangJobsOnlyOnItsWholeGpus() {
    List<SimJob> jobs = List.of(gang(0, 0, 100, 2), slice(1, 0, 40, 2), slice(2, 0, 40, 2));
    MixedStaticPolicy mix =
        new MixedStaticPolicy(List.of(List.of(7), List.of(7), List.of(3, 2, 2), List.of(3, 2, 2)));
    SimResult r = Simulation.run(cluster(4), jobs, mix);

    assertThat(done(r, 0).start()).isZero();
    assertThat(done(r, 0).gpu()).isZero();
    // the slice jobs ran beside it, on the sliced GPUs
    assertThat(done(r, 1).gpu()).isGreaterThanOrEqualTo(2);
    assertThat(done(r, 2).gpu()).isGreaterThanOrEqualTo(2);
    assertThat(r.gangJobs()).isEqualTo(new SimResult.JobGroup(1, 0, 100, 100));
    assertThat(r.sliceJobs().jobs()).isEqualTo(2);

    assertThatThrownBy(
            () -> Simulation.run(cluster(4), jobs, MixedStaticPolicy.uniform(List.of(3, 2, 2), 4)))
        .isInstanceOf(Simulation.Unrunnable.class);
    assertThatThrownBy(() -> Simulation.run(cluster(4), List.of(gang(0, 0, 10, 3)), mix))
        .isInstanceOf(Simulation.Unrunnable.class);
  }

  @Test
  void dynamicReshapesIdleSlicedGpusBackToWholeForAGangJob() {
    // Small jobs first: dynamic splits both GPUs for them; the 2-GPU job then needs both whole.
    List<SimJob> jobs = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      jobs.add(slice(i, 0, 50, 1));
    }
    jobs.add(gang(9, 10, 100, 2));
    SimResult r = Simulation.run(cluster(2), jobs, new DynamicPolicy());

    assertThat(r.jobs()).isEqualTo(10);
    SimResult.Finished g = done(r, 9);
    assertThat(g.start()).isGreaterThanOrEqualTo(50);
    assertThat(g.finish() - g.start()).isEqualTo(100);
    assertThat(r.reshapes())
        .anyMatch(x -> x.reason().contains("job 9 needs 2 whole GPUs"))
        .allMatch(x -> x.kept().containsAll(x.busy()));
  }

  @Test
  void theBoundCountsEveryGpuOfAGangJob() {
    // Two 2-GPU jobs on 2 GPUs: one after the other, 100 s and 200 s.
    JctBound b = JctBound.of(cluster(2), List.of(gang(0, 0, 100, 2), gang(1, 0, 100, 2)));
    assertThat(b.noQueue()).isEqualTo(100);
    assertThat(b.work()).isEqualTo(150);
    assertThatThrownBy(() -> JctBound.of(cluster(2), List.of(gang(0, 0, 100, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 4 GPUs; the cluster has 2");
  }

  @Test
  void theStaticSearchLeavesGpusWholeForGangJobs() {
    List<SimJob> jobs =
        List.of(
            gang(0, 0, 100, 2),
            slice(1, 0, 40, 1),
            slice(2, 0, 40, 1),
            slice(3, 5, 40, 1),
            slice(4, 5, 40, 1));
    StaticSearch.Result r =
        StaticSearch.run(cluster(4), List.of(jobs), List.of(List.of(1, 1, 1, 1, 1, 1, 1)), 20);
    assertThat(r.best().perGpu()).filteredOn(List.of(7)::equals).hasSizeGreaterThanOrEqualTo(2);
    assertThat(StaticSearch.plannerMix(cluster(4), List.of(jobs)).perGpu())
        .filteredOn(List.of(7)::equals)
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void onAGeneratedTraceWithGangJobsTheBoundHoldsAndGuardedDynamicIsNoWorseThanTheBestStatic() {
    Simulation.Config eight = Simulation.Config.of(Catalog.A100_40GB, 8);
    List<SimJob> jobs =
        MixedDemandTrace.generate(Catalog.A100_40GB, 7, 300, 0.05, 0.04, 4, 60, 1200);
    assertThat(jobs).filteredOn(SimJob::isMultiGpu).hasSizeBetween(5, 25);
    assertThat(MixedDemandTrace.generate(Catalog.A100_40GB, 7, 300, 0.05, 0, 2, 60, 1200))
        .isEqualTo(MixedDemandTrace.generate(Catalog.A100_40GB, 7, 300, 0.05, 60, 1200));

    StaticSearch.Result best = StaticSearch.run(eight, List.of(jobs), P.maximalLayouts(), 120);
    assertThat(best.best().perGpu()).filteredOn(List.of(7)::equals).hasSizeGreaterThanOrEqualTo(4);
    SimResult dynamic = Simulation.run(eight, jobs, new DynamicPolicy());
    assertThat(dynamic.gangJobs().jobs()).isEqualTo(jobs.stream().filter(SimJob::isGang).count());
    DynamicGuard g =
        DynamicGuard.choose("dynamic", dynamic.jctMean(), best.best().name(), best.jctMean());
    assertThat(g.jctMean()).isLessThanOrEqualTo(best.jctMean());

    JctBound bound = JctBound.of(eight, jobs);
    for (Policy p : List.of(StaticPolicy.wholeGpu(P), best.best(), new DynamicPolicy())) {
      assertThat(bound.ratio(Simulation.run(eight, jobs, p).jctMean()))
          .as(p.name())
          .isGreaterThanOrEqualTo(1);
    }
  }

  private static void runWith(Simulation.Config config, SimJob job, Consumer<Simulation> act) {
    Simulation.run(config, List.of(job), new TestPolicy(List.of(List.of(7), List.of(7)), act));
  }

  /** Fixed layouts per GPU; on its first call, does {@code act}. */
  private static final class TestPolicy implements Policy {
    private final List<List<Integer>> layouts;
    private final Consumer<Simulation> act;

    TestPolicy(List<List<Integer>> layouts, Consumer<Simulation> act) {
      this.layouts = layouts;
      this.act = act;
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public List<PlacedInstance> initialLayout(SimProfiles profiles) {
      return profiles.layout(layouts.get(0));
    }

    @Override
    public List<PlacedInstance> initialLayout(SimProfiles profiles, int gpu) {
      return profiles.layout(layouts.get(gpu));
    }

    @Override
    public void schedule(Simulation sim) {
      act.accept(sim);
    }
  }
}
