package io.migctl.replay;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.migctl.core.replay.Policy;
import io.migctl.core.replay.SimJob;
import io.migctl.core.replay.SimResult;
import io.migctl.core.replay.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** One policy's metrics, averaged over seeds (one job list a seed), with the runs behind them. */
public record PolicyRow(
    String policy,
    double jctMean,
    double jctP50,
    double jctP99,
    double queueMean,
    double queueP99,
    @JsonProperty("sliceUtilisation") double sliceUtil,
    @JsonProperty("gpuUtilisation") double gpuUtil,
    double reconfigurations,
    @JsonIgnore List<SimResult> runs) {

  /**
   * Runs {@code template} on each job list (a {@linkplain Policy#fresh fresh} copy for each, as a
   * policy may keep state) and averages the metrics.
   *
   * @throws Simulation.Unrunnable when some job fits no slice the policy can offer
   */
  public static PolicyRow run(Policy template, Simulation.Config config, List<List<SimJob>> lists) {
    List<SimResult> runs = new ArrayList<>();
    for (List<SimJob> jobs : lists) {
      runs.add(Simulation.run(config, jobs, template.fresh()));
    }
    return new PolicyRow(
        template.name(),
        avg(runs, SimResult::jctMean),
        avg(runs, SimResult::jctP50),
        avg(runs, SimResult::jctP99),
        avg(runs, SimResult::queueMean),
        avg(runs, SimResult::queueP99),
        avg(runs, SimResult::sliceUtilisation),
        avg(runs, SimResult::gpuUtilisation),
        avg(runs, r -> r.reconfigurations()),
        runs);
  }

  private static double avg(List<SimResult> runs, ToDoubleFunction<SimResult> f) {
    return runs.stream().mapToDouble(f).average().orElse(0);
  }
}
