package io.migctl.replay;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migctl.core.replay.DynamicGuard;
import io.migctl.core.replay.JctBound;
import io.migctl.core.replay.SimResult;
import io.migctl.core.replay.Simulation;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's JSON: the parameters (model, GPUs, reconfiguration and checkpoint-restart times),
 * then each policy's metrics and its first run's time series.
 */
public final class TraceJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TraceJson() {}

  /** The report. */
  record Report(
      String title,
      String model,
      int gpus,
      double reconfigSeconds,
      double checkpointRestartSeconds,
      String bestStatic,
      String bestStaticFoundBy,
      JctBound bound,
      DynamicGuard guardedDynamic,
      List<Policy> policies,
      List<String> seriesColumns) {}

  /** One policy's metrics (means over the runs) and its first run's series. */
  record Policy(@JsonUnwrapped PolicyRow metrics, List<double[]> series) {}

  /**
   * What the report says beside the policies' rows; each may be null (not computed).
   *
   * @param bestStaticFoundBy how the best static layout was found ({@link
   *     io.migctl.core.replay.StaticSearch.Result#foundBy()})
   * @param bound the lower bounds on mean JCT
   * @param guardedDynamic dynamic or the best static, whichever is no worse
   */
  public record Baselines(String bestStaticFoundBy, JctBound bound, DynamicGuard guardedDynamic) {}

  /** The JSON text; {@code bestStatic} may be null (no static layout ran). */
  public static String write(
      String title,
      Simulation.Config config,
      List<PolicyRow> rows,
      PolicyRow bestStatic,
      Baselines baselines) {
    List<Policy> policies = new ArrayList<>();
    for (PolicyRow r : rows) {
      List<double[]> series = new ArrayList<>();
      for (SimResult.Sample x : r.runs().get(0).samples()) {
        series.add(
            new double[] {x.time(), x.sliceUtilisation(), x.gpuUtilisation(), x.queueLength()});
      }
      policies.add(new Policy(r, series));
    }
    Report report =
        new Report(
            title,
            config.model().key(),
            config.gpus(),
            config.reconfigSeconds(),
            config.checkpointSeconds(),
            bestStatic == null ? null : bestStatic.policy(),
            baselines.bestStaticFoundBy(),
            baselines.bound(),
            baselines.guardedDynamic(),
            policies,
            List.of("time_s", "sliceUtil", "gpuUtil", "queue"));
    try {
      return JSON.writeValueAsString(report) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
