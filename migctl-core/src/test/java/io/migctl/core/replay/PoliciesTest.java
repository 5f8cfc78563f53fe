package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.Seeds;
import io.migctl.core.mig.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Policy names and the best-of-all-static search. */
class PoliciesTest {

  private static final SimProfiles P = SimProfiles.of(Catalog.A100_40GB);

  @Test
  void parsesNames() {
    assertThat(Policies.parse("whole-gpu", P).name()).isEqualTo("whole-gpu");
    assertThat(Policies.parse("dynamic", P).name()).isEqualTo("dynamic");
    assertThat(Policies.parse("static:3+2+2", P).name()).isEqualTo("static:3+2+2");
    assertThatThrownBy(() -> Policies.parse("static:4+4", P))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Policies.parse("nope", P))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void placesMisoPartitionCodes() {
    assertThat(P.layout(List.of(2, 1, 4))).hasSize(3);
    assertThat(P.layout(List.of(3, 2, 2))).hasSize(3);
    assertThat(P.layout(List.of(1, 1, 1, 1, 1, 1, 1))).hasSize(7);
  }

  @Test
  void bestStaticIsTheTrueMinimumOverSeeds() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    List<List<Integer>> layouts =
        List.of(
            List.of(7),
            List.of(4, 3),
            List.of(3, 3),
            List.of(3, 2, 2),
            List.of(4, 2, 1),
            List.of(1, 1, 1, 1, 1, 1, 1));
    Simulation.Config config = new Simulation.Config(Catalog.A100_40GB, 2, 5, 60);
    List<List<SimJob>> lists = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<SimJob> jobs = new ArrayList<>();
      double t = 0;
      for (int i = 0; i < 30; i++) {
        t += random.nextDouble() * 80;
        double q = 0.3 + random.nextDouble() * 0.4;
        jobs.add(
            new SimJob(
                i,
                t,
                60 + random.nextDouble() * 600,
                Map.of(7, 1.0, 4, q + 0.2, 3, q + 0.1, 2, q * 0.7)));
      }
      lists.add(jobs);
    }
    StaticPolicy best = Policies.bestStatic(config, lists, layouts);
    double bestMean = Double.POSITIVE_INFINITY;
    List<Integer> argmin = null;
    for (List<Integer> l : layouts) {
      double sum = 0;
      try {
        for (List<SimJob> jobs : lists) {
          sum += Simulation.run(config, jobs, StaticPolicy.of(l)).jctMean();
        }
      } catch (Simulation.Unrunnable e) {
        continue; // 7 × 1g: no job here fits a 1g
      }
      if (sum / lists.size() < bestMean) {
        bestMean = sum / lists.size();
        argmin = l;
      }
    }
    assertThat(best.sizes()).as("seed %d", seed).isEqualTo(argmin);
  }
}
