package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.PlacedInstance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Moving running checkpointable jobs: hand-computed JCTs and the engine's rules. */
class MigrationTest {

  /** One A100, 5 s per reshape, 30 s checkpoint-restart pause. */
  private static final Simulation.Config ONE =
      new Simulation.Config(Catalog.A100_40GB, 1, 5, 10, 30);

  private static final SimProfiles P = SimProfiles.of(Catalog.A100_40GB);
  private static final Map<Integer, Double> SPEEDS = Map.of(3, 0.6, 7, 1.0);

  private static double jct(SimResult r, int id) {
    return r.finished().stream().filter(f -> f.id() == id).findFirst().orElseThrow().jct();
  }

  @Test
  void aLongJobMovesToTheWholeGpuWhenItsNeighbourFinishes() {
    // t=2 (the gate's minimum wait): 3g+3g scores 1.2 > 1.1 × 1.0 (7g for job 0 alone): both
    // created, ready at 7. t=107: job 1 (60 / 0.6 = 100 s) finishes; job 0 has 1000 - 100 × 0.6 =
    // 940 left. On a new 7g it runs at 940 / (30 + 5 + 940) = 0.96 > 1.5 × 0.6 on average: it is
    // checkpointed, the 3g pair is destroyed after the 30 s checkpoint, the 7g is created by 142,
    // and job 0 ends at 142 + 940 = 1082 (without the move: 7 + 1000 / 0.6 = 1673.7).
    List<SimJob> jobs =
        List.of(new SimJob(0, 0, 1000, SPEEDS, true), new SimJob(1, 0, 60, SPEEDS, true));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    assertThat(jct(r, 1)).isCloseTo(107, within(1e-9));
    assertThat(jct(r, 0)).isCloseTo(1082, within(1e-9));
    assertThat(r.reconfigurations()).isEqualTo(2);
    assertThat(r.finished().get(0).slices()).isEqualTo(7);
  }

  @Test
  void aJobNearlyDoneIsNotMovedSinceThePauseCostsMoreThanItSaves() {
    // As above, but job 0 has 100 - 60 = 40 left at t=107: on a new 7g it would end at
    // 107 + 35 + 40 = 182 (average speed 40 / 75 = 0.53 < 0.9); it stays and ends at
    // 7 + 100 / 0.6 = 173.67.
    List<SimJob> jobs =
        List.of(new SimJob(0, 0, 100, SPEEDS, true), new SimJob(1, 0, 60, SPEEDS, true));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    assertThat(jct(r, 1)).isCloseTo(107, within(1e-9));
    assertThat(jct(r, 0)).isCloseTo(7 + 100 / 0.6, within(1e-9));
    assertThat(r.reconfigurations()).isEqualTo(1);
  }

  @Test
  void nonCheckpointableJobsAreNeverMovedByDynamic() {
    List<SimJob> jobs = List.of(new SimJob(0, 0, 1000, SPEEDS), new SimJob(1, 0, 60, SPEEDS));
    SimResult r = Simulation.run(ONE, jobs, new DynamicPolicy());
    assertThat(jct(r, 0)).isCloseTo(7 + 1000 / 0.6, within(1e-9));
  }

  private static Policy mover(boolean destroyOnly) {
    return new Policy() {
      @Override
      public String name() {
        return "mover";
      }

      @Override
      public List<PlacedInstance> initialLayout(SimProfiles profiles) {
        return profiles.layout(List.of(4, 3));
      }

      @Override
      public void schedule(Simulation sim) {
        if (!sim.queue().isEmpty()) {
          SimSlot three =
              sim.slots(0).stream().filter(s -> s.slices() == 3).findFirst().orElseThrow();
          SimJob j = sim.queue().get(0);
          sim.start(j, three);
          List<PlacedInstance> whole = P.layout(List.of(7));
          if (destroyOnly) {
            sim.reshape(0, whole, "rogue");
          } else {
            sim.reshape(0, whole, Map.of(j, whole.get(0)), "rogue");
          }
        }
      }
    };
  }

  @Test
  void theEngineRefusesToMoveABusyJobThatIsNotCheckpointable() {
    assertThatThrownBy(
            () -> Simulation.run(ONE, List.of(new SimJob(0, 0, 10, SPEEDS)), mover(false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not checkpointable");
  }

  @Test
  void theEngineRefusesToDestroyABusyCheckpointableJobThatIsNotMoved() {
    assertThatThrownBy(
            () -> Simulation.run(ONE, List.of(new SimJob(0, 0, 10, SPEEDS, true)), mover(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("busy");
  }

  @Test
  void theEngineMovesACheckpointableJobAfterThePause() {
    // started on 3g at 0 and moved at once: the 7g exists at 0 + 30 + 5, and the job runs its
    // whole 10 s there: JCT 45.
    SimResult r = Simulation.run(ONE, List.of(new SimJob(0, 0, 10, SPEEDS, true)), mover(false));
    assertThat(jct(r, 0)).isCloseTo(45, within(1e-9));
    assertThat(r.finished().get(0).slices()).isEqualTo(7);
  }
}
