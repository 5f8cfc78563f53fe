package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.Seeds;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The event loop on tiny hand-computed traces, and the engine's busy-instance rule. */
class SimulationTest {

  private static final Simulation.Config ONE = new Simulation.Config(Catalog.A100_40GB, 1, 5, 10);
  private static final SimProfiles P = SimProfiles.of(Catalog.A100_40GB);
  private static final Map<Integer, Double> WHOLE = Map.of(7, 1.0);
  private static final Map<Integer, Double> SPLIT = Map.of(7, 1.0, 4, 0.7, 3, 0.6);

  private static double jct(SimResult r, int id) {
    return r.finished().stream().filter(f -> f.id() == id).findFirst().orElseThrow().jct();
  }

  @Test
  void wholeGpuRunsOneJobAtItsDuration() {
    SimResult r =
        Simulation.run(ONE, List.of(new SimJob(0, 10, 100, WHOLE)), StaticPolicy.wholeGpu(P));
    assertThat(r.jctMean()).isEqualTo(100);
    assertThat(r.queueMean()).isZero();
    assertThat(r.makespan()).isEqualTo(110);
    assertThat(r.sliceUtilisation()).isCloseTo(100.0 / 110, within(1e-12));
    assertThat(r.gpuUtilisation()).isCloseTo(100.0 / 110, within(1e-12));
  }

  @Test
  void wholeGpuQueuesTheSecondJob() {
    SimResult r =
        Simulation.run(
            ONE,
            List.of(new SimJob(0, 0, 100, WHOLE), new SimJob(1, 10, 50, WHOLE)),
            StaticPolicy.wholeGpu(P));
    assertThat(jct(r, 0)).isEqualTo(100);
    assertThat(jct(r, 1)).isEqualTo(140);
    assertThat(r.queueMean()).isEqualTo(45);
    assertThat(r.jctP50()).isEqualTo(100);
    assertThat(r.jctP99()).isEqualTo(140);
    assertThat(r.reconfigurations()).isZero();
  }

  @Test
  void staticDispatchesOntoTheFastestFreeSliceThenTheSmallest() {
    List<SimJob> jobs =
        List.of(
            new SimJob(0, 0, 100, SPLIT),
            new SimJob(1, 0, 60, SPLIT),
            new SimJob(2, 1, 30, Map.of(3, 1.0, 4, 1.0, 7, 1.0)));
    SimResult r = Simulation.run(ONE, jobs, StaticPolicy.of(List.of(4, 3)));
    // job 0 on the 4g (0.7): 100 / 0.7; job 1 on the 3g (0.6): 100 s; job 2 waits for the 3g
    // (its speed is 1.0 on both, and the 3g frees first at 100), then runs 30 s.
    assertThat(jct(r, 0)).isCloseTo(100 / 0.7, within(1e-9));
    assertThat(jct(r, 1)).isCloseTo(100, within(1e-9));
    assertThat(jct(r, 2)).isCloseTo(129, within(1e-9));
    assertThat(r.finished().get(2).slices()).isEqualTo(3);
    // busy slice-seconds: 4 × 142.857 + 3 × 100 + 3 × 30 over 7 × makespan (142.857)
    double makespan = 100 / 0.7;
    assertThat(r.sliceUtilisation())
        .isCloseTo((4 * makespan + 3 * 130) / (7 * makespan), within(1e-9));
  }

  @Test
  void staticPrefersTheSmallestSliceOnEqualSpeed() {
    SimResult r =
        Simulation.run(
            ONE,
            List.of(new SimJob(0, 0, 30, Map.of(3, 1.0, 4, 1.0))),
            StaticPolicy.of(List.of(4, 3)));
    assertThat(r.finished().get(0).slices()).isEqualTo(3);
  }

  @Test
  void dynamicKeepsTheWholeGpuForOneJobAndSplitsItForTwoWaiting() {
    List<SimJob> jobs =
        List.of(
            new SimJob(0, 0, 100, SPLIT),
            new SimJob(1, 10, 60, SPLIT),
            new SimJob(2, 10, 60, SPLIT));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    // job 0 alone: the whole GPU. At 100 two wait: 4g + 3g (0.7 + 0.6) beats 7g (1.0) by > 10%;
    // the reshape takes 5 s.
    assertThat(jct(r, 0)).isEqualTo(100);
    assertThat(jct(r, 1)).isCloseTo(105 + 60 / 0.7 - 10, within(1e-9));
    assertThat(jct(r, 2)).isCloseTo(105 + 60 / 0.6 - 10, within(1e-9));
    assertThat(r.reconfigurations()).isEqualTo(1);
    Reconfiguration c = r.reshapes().get(0);
    assertThat(c.time()).isEqualTo(100);
    assertThat(c.destroyed()).extracting(p -> p.profile().computeSlices()).containsExactly(7);
    assertThat(c.created())
        .extracting(p -> p.profile().computeSlices())
        .containsExactlyInAnyOrder(4, 3);
  }

  @Test
  void dynamicReshapesForAJobOnlyAfterTheGatesMinimumWait() {
    // Both arrive at 0; 4g + 3g beats the idle 7g, but a GPU is reshaped for a job only once it
    // has waited 2 s (ReshapeGate.Params.DEFAULT_MIN_WAIT): the simulation wakes itself then.
    List<SimJob> jobs = List.of(new SimJob(0, 0, 70, SPLIT), new SimJob(1, 0, 60, SPLIT));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    assertThat(r.reshapes()).extracting(Reconfiguration::time).containsExactly(2.0);
    assertThat(jct(r, 0)).isCloseTo(7 + 70 / 0.7, within(1e-9));
  }

  @Test
  void dynamicKeepsIdleInstancesThroughTheCooldownWhileTheQueueDoesNotGrowAndWakesAtItsEnd() {
    // t=2: 4g + 3g for jobs 0 and 1 (three queued then), ready at 7; both end by 7 + 10 / 0.6.
    // Job 2 needs the whole GPU: destroying the idle pair waits for the 30 s cooldown (the queue
    // has shrunk to 1), so the second reshape is at 2 + 30 = 32, ready at 37, and job 2 (arrived
    // at 1) ends at 47.
    List<SimJob> jobs =
        List.of(
            new SimJob(0, 0, 10, SPLIT), new SimJob(1, 0, 10, SPLIT), new SimJob(2, 1, 10, WHOLE));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    assertThat(r.reshapes()).extracting(Reconfiguration::time).containsExactly(2.0, 32.0);
    assertThat(jct(r, 2)).isCloseTo(46, within(1e-9));
  }

  @Test
  void dynamicRunsASingleJobOnTheWholeGpu() {
    SimResult r = Simulation.run(ONE, List.of(new SimJob(0, 3, 100, SPLIT)), new DynamicPolicy());
    assertThat(jct(r, 0)).isEqualTo(100);
    assertThat(r.reconfigurations()).isZero();
  }

  @Test
  void theEngineRefusesToDestroyABusyInstance() {
    Policy rogue =
        new Policy() {
          @Override
          public String name() {
            return "rogue";
          }

          @Override
          public List<PlacedInstance> initialLayout(SimProfiles profiles) {
            return profiles.layout(List.of(7));
          }

          @Override
          public void schedule(Simulation sim) {
            if (!sim.queue().isEmpty()) {
              sim.start(sim.queue().get(0), sim.slots(0).get(0));
              sim.reshape(0, P.layout(List.of(4, 3)), "rogue");
            }
          }
        };
    assertThatThrownBy(() -> Simulation.run(ONE, List.of(new SimJob(0, 0, 10, SPLIT)), rogue))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("busy");
  }

  @Test
  void aJobThatFitsNoSliceIsReported() {
    assertThatThrownBy(
            () ->
                Simulation.run(
                    ONE, List.of(new SimJob(0, 0, 10, WHOLE)), StaticPolicy.of(List.of(4, 3))))
        .isInstanceOf(Simulation.Unrunnable.class);
  }

  @Test
  void dynamicNeverReshapesABusyInstanceOnRandomTraces() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    List<Map<Integer, Double>> tables =
        List.of(
            Map.of(7, 1.0, 4, 0.7, 3, 0.6, 2, 0.4, 1, 0.25),
            Map.of(7, 1.0, 4, 0.6, 3, 0.5),
            Map.of(7, 1.0, 4, 0.8, 3, 0.7, 2, 0.5),
            Map.of(7, 1.0));
    for (int round = 0; round < 20; round++) {
      List<SimJob> jobs = new ArrayList<>();
      double t = 0;
      int n = 20 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        t += random.nextDouble() * 60;
        jobs.add(new SimJob(i, t, 30 + random.nextDouble() * 900, tables.get(random.nextInt(4))));
      }
      Simulation.Config config =
          new Simulation.Config(Catalog.A100_40GB, 1 + random.nextInt(4), 5, 60);
      SimResult r = Simulation.run(config, jobs, new DynamicPolicy());
      assertThat(r.jobs()).as("seed %d", seed).isEqualTo(n);
      for (Reconfiguration c : r.reshapes()) {
        assertThat(c.kept()).as("seed %d: %s", seed, c).containsAll(c.busy());
        for (PlacedInstance b : c.busy()) {
          assertThat(c.destroyed()).as("seed %d: %s", seed, c).doesNotContain(b);
        }
      }
      for (SimResult.Finished f : r.finished()) {
        SimJob j = jobs.get(f.id());
        assertThat(f.start()).as("seed %d", seed).isGreaterThanOrEqualTo(j.arrival());
        assertThat(f.finish() - f.start())
            .as("seed %d", seed)
            .isCloseTo(j.runTime(f.slices()), within(1e-6));
      }
    }
  }

  @Test
  void percentilesAreNearestRank() {
    double[] v = {5, 1, 4, 2, 3};
    assertThat(Simulation.percentile(v, 50)).isEqualTo(3);
    assertThat(Simulation.percentile(v, 99)).isEqualTo(5);
    assertThat(Simulation.mean(v)).isEqualTo(3);
  }
}
