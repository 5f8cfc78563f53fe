package io.migctl.node.trace;

import io.migctl.core.sim.SimResult;
import io.migctl.core.sim.Simulation;
import java.util.List;
import java.util.Locale;

/** The report's JSON: parameters, then each policy's metrics and its first run's time series. */
public final class TraceJson {

  private TraceJson() {}

  /** The JSON text; {@code bestStatic} may be null (no static layout ran). */
  public static String write(
      String title, Simulation.Config config, List<PolicyRow> rows, PolicyRow bestStatic) {
    StringBuilder b = new StringBuilder();
    b.append("{\n  \"title\": \"").append(title.replace("\"", "'")).append("\",\n");
    b.append(
        String.format(
            Locale.ROOT,
            "  \"model\": \"%s\", \"gpus\": %d, \"reconfigSeconds\": %.1f,"
                + " \"checkpointRestartSeconds\": null, \"bestStatic\": \"%s\",\n",
            config.model().key(),
            config.gpus(),
            config.reconfigSeconds(),
            bestStatic == null ? "" : bestStatic.policy()));
    b.append("  \"policies\": [\n");
    for (int i = 0; i < rows.size(); i++) {
      PolicyRow r = rows.get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"policy\": \"%s\", \"jctMean\": %.2f, \"jctP50\": %.2f, \"jctP99\": %.2f,"
                  + " \"queueMean\": %.2f, \"queueP99\": %.2f, \"sliceUtilisation\": %.4f,"
                  + " \"gpuUtilisation\": %.4f, \"reconfigurations\": %.1f, \"series\": [",
              r.policy(),
              r.jctMean(),
              r.jctP50(),
              r.jctP99(),
              r.queueMean(),
              r.queueP99(),
              r.sliceUtil(),
              r.gpuUtil(),
              r.reconfigurations()));
      List<SimResult.Sample> s = r.runs().get(0).samples();
      for (int k = 0; k < s.size(); k++) {
        SimResult.Sample x = s.get(k);
        b.append(
            String.format(
                Locale.ROOT,
                "%s[%.0f, %.3f, %.3f, %d]",
                k == 0 ? "" : ", ",
                x.time(),
                x.sliceUtilisation(),
                x.gpuUtilisation(),
                x.queueLength()));
      }
      b.append("]}").append(i + 1 < rows.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"seriesColumns\": [\"time_s\", \"sliceUtil\", \"gpuUtil\", \"queue\"]\n}\n");
    return b.toString();
  }
}
