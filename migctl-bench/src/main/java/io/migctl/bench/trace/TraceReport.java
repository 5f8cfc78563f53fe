package io.migctl.bench.trace;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.sim.DynamicPolicy;
import io.migctl.core.sim.Policy;
import io.migctl.core.sim.SimJob;
import io.migctl.core.sim.SimProfiles;
import io.migctl.core.sim.SimResult;
import io.migctl.core.sim.Simulation;
import io.migctl.core.sim.StaticPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every policy ({@code whole-gpu}, each static layout, {@code dynamic}) on the same arrivals
 * and cluster, prints a table with ratios against the best static layout and {@code whole-gpu}, and
 * writes {@code <name>.json} and {@code <name>.svg} (utilisation and queue length over time, first
 * seed) to {@code --out}.
 *
 * <p>Usage: {@code TraceReport [--miso DIR] [--seeds 5] [--gpus 8] [--reconfig 5] [--gap 60]
 * [--alibaba FILE --alibaba-gpus N --alibaba-days D --alibaba-limit N --alibaba-load L] [--csv FILE
 * --csv-gpus N] [--out DIR]}.
 */
public final class TraceReport {

  private static DynamicPolicy.Params dynamicParams = DynamicPolicy.Params.defaults();

  private TraceReport() {}

  /** One policy's metrics, averaged over seeds. */
  record Row(
      String policy,
      double jctMean,
      double jctP50,
      double jctP99,
      double queueMean,
      double queueP99,
      double sliceUtil,
      double gpuUtil,
      double reconfigurations,
      List<SimResult> runs) {}

  public static void main(String[] args) throws IOException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    GpuModel model = Catalog.A100_40GB;
    DynamicPolicy.Params d = DynamicPolicy.Params.defaults();
    dynamicParams =
        new DynamicPolicy.Params(
            Double.parseDouble(flags.getOrDefault("dyn-gain", String.valueOf(d.gain()))),
            Double.parseDouble(
                flags.getOrDefault("dyn-hysteresis", String.valueOf(d.hysteresisSeconds()))),
            Double.parseDouble(flags.getOrDefault("dyn-min-speed", String.valueOf(d.minSpeed()))));
    double reconfig = Double.parseDouble(flags.getOrDefault("reconfig", "5"));
    Path out = Path.of(flags.getOrDefault("out", "target/trace-report"));
    Files.createDirectories(out);
    String miso = flags.getOrDefault("miso", "../shared/reference/traces/miso");
    if (!miso.equals("none")) {
      int seeds = Integer.parseInt(flags.getOrDefault("seeds", "5"));
      int gpus = Integer.parseInt(flags.getOrDefault("gpus", "8"));
      double gap = Double.parseDouble(flags.getOrDefault("gap", "60"));
      MisoTrace trace = MisoTrace.read(Path.of(miso));
      List<List<SimJob>> lists = new ArrayList<>();
      for (int s = 1; s <= seeds; s++) {
        lists.add(trace.jobs(s, gap));
      }
      List<List<Integer>> layouts = new ArrayList<>();
      for (String v :
          FlatJson.parse(Files.readString(Path.of(miso, "partition_code.json"))).values()) {
        List<Integer> sizes = new ArrayList<>();
        for (String n : v.replaceAll("[\\[\\]\\s]", "").split(",")) {
          sizes.add(Integer.parseInt(n));
        }
        layouts.add(sizes);
      }
      String title =
          String.format(
                  Locale.ROOT,
                  "MISO %d jobs, %d x %s, mean gap %.0f s (half for the first third), seeds 1..%d,"
                      + " reconfiguration %.0f s",
                  trace.size(),
                  gpus,
                  model.key(),
                  gap,
                  seeds,
                  reconfig)
              + "; dynamic "
              + dynamicParams;
      report("miso", title, new Simulation.Config(model, gpus, reconfig, 60), lists, layouts, out);
    }
    if (flags.containsKey("alibaba")) {
      int gpus = Integer.parseInt(flags.getOrDefault("alibaba-gpus", "8"));
      double days = Double.parseDouble(flags.getOrDefault("alibaba-days", "30"));
      int limit = Integer.parseInt(flags.getOrDefault("alibaba-limit", "2000"));
      double load = Double.parseDouble(flags.getOrDefault("alibaba-load", "1.0"));
      List<SimJob> raw = CsvTrace.alibaba(Path.of(flags.get("alibaba")), model, days, limit);
      double work = raw.stream().mapToDouble(SimJob::duration).sum();
      double rawSpan = raw.stream().mapToDouble(SimJob::arrival).max().orElse(1);
      // The snapshot's arrivals offer ~1 whole GPU of work; to load the cluster, arrival times are
      // scaled down uniformly (order and relative gaps kept) until the offered load (sum of
      // durations on whole GPUs / arrival span) is `load` x the cluster's GPUs.
      double scale = Math.min(1.0, work / rawSpan / (load * gpus));
      List<SimJob> jobs =
          raw.stream()
              .map(j -> new SimJob(j.id(), j.arrival() * scale, j.duration(), j.speeds()))
              .toList();
      double span = rawSpan * scale;
      String title =
          String.format(
              Locale.ROOT,
              "Alibaba v2023 %d one-GPU pods (first of the last %.0f days), arrivals x %.4f, %d x"
                  + " %s; offered load %.1f whole GPUs (sum of durations / arrival span),"
                  + " reconfiguration %.0f s",
              jobs.size(),
              days,
              scale,
              gpus,
              model.key(),
              work / span,
              reconfig);
      report(
          "alibaba",
          title,
          new Simulation.Config(model, gpus, reconfig, Math.max(60, span / 400)),
          List.of(jobs),
          allLayouts(model),
          out);
    }
    if (flags.containsKey("csv")) {
      int gpus = Integer.parseInt(flags.getOrDefault("csv-gpus", "8"));
      List<SimJob> jobs = CsvTrace.plain(Path.of(flags.get("csv")), model);
      report(
          "csv",
          flags.get("csv") + ", " + gpus + " x " + model.key(),
          new Simulation.Config(model, gpus, reconfig, 60),
          List.of(jobs),
          allLayouts(model),
          out);
    }
  }

  /** Every distinct maximal A100 layout (as slice sizes), for traces without MISO's list. */
  static List<List<Integer>> allLayouts(GpuModel model) {
    SimProfiles p = SimProfiles.of(model);
    List<List<Integer>> out = new ArrayList<>();
    for (var layout : p.additions(List.of())) {
      List<Integer> sizes = new ArrayList<>();
      int used = 0;
      for (var i : layout) {
        sizes.add(i.profile().computeSlices());
        used += i.profile().computeSlices();
      }
      sizes.sort(java.util.Comparator.reverseOrder());
      boolean maximal = true;
      for (var q : p.profiles()) {
        if (q.computeSlices() <= model.computeSlices() - used) {
          List<Integer> more = new ArrayList<>(sizes);
          more.add(q.computeSlices());
          try {
            p.layout(more);
            maximal = false;
            break;
          } catch (IllegalArgumentException e) {
            // does not fit: try the next
          }
        }
      }
      if (maximal && !out.contains(sizes)) {
        out.add(sizes);
      }
    }
    return out;
  }

  static void report(
      String name,
      String title,
      Simulation.Config config,
      List<List<SimJob>> lists,
      List<List<Integer>> layouts,
      Path out)
      throws IOException {
    SimProfiles profiles = SimProfiles.of(config.model());
    List<Row> rows = new ArrayList<>();
    rows.add(row(StaticPolicy.wholeGpu(profiles), config, lists));
    List<String> skipped = new ArrayList<>();
    Row bestStatic = null;
    for (List<Integer> sizes : layouts) {
      StaticPolicy p = StaticPolicy.of(sizes);
      Row r;
      try {
        r = row(p, config, lists);
      } catch (Simulation.Unrunnable e) {
        skipped.add(p.name());
        continue;
      }
      rows.add(r);
      if (bestStatic == null || r.jctMean() < bestStatic.jctMean()) {
        bestStatic = r;
      }
    }
    Row dynamic = row(new DynamicPolicy(dynamicParams), config, lists);
    rows.add(dynamic);
    Row whole = rows.get(0);
    StringBuilder text = new StringBuilder();
    text.append("## ").append(title).append("\n\n");
    text.append(
        "| policy | mean JCT s | p50 JCT | p99 JCT | mean queue s | p99 queue | slice util | GPU util"
            + " | reconfigs | JCT / best static | JCT / whole-gpu |\n");
    text.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    List<Row> shown = new ArrayList<>();
    shown.add(whole);
    if (bestStatic != null) {
      shown.add(bestStatic);
    }
    shown.add(dynamic);
    for (Row r : shown) {
      text.append(line(r, r == bestStatic ? " (best static)" : "", bestStatic, whole));
    }
    text.append(
        "\nAll static layouts:\n\n| policy | mean JCT s | p99 JCT | slice util |\n|---|---|---|---|\n");
    for (Row r : rows.subList(1, rows.size() - 1)) {
      text.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f | %.2f |%n",
              r.policy(),
              r.jctMean(),
              r.jctP99(),
              r.sliceUtil()));
    }
    if (!skipped.isEmpty()) {
      text.append("\nSkipped (some job fits no slice of the layout): ")
          .append(skipped)
          .append('\n');
    }
    System.out.println(text);
    Files.writeString(out.resolve(name + ".md"), text);
    Files.writeString(out.resolve(name + ".json"), json(title, config, rows, bestStatic, dynamic));
    List<Row> chart = new ArrayList<>(shown);
    Files.writeString(out.resolve(name + ".svg"), Svg.chart(title, chart));
  }

  private static String line(Row r, String note, Row bestStatic, Row whole) {
    return String.format(
        Locale.ROOT,
        "| %s%s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %s | %.2f |%n",
        r.policy(),
        note,
        r.jctMean(),
        r.jctP50(),
        r.jctP99(),
        r.queueMean(),
        r.queueP99(),
        r.sliceUtil(),
        r.gpuUtil(),
        r.reconfigurations(),
        bestStatic == null
            ? "n/a"
            : String.format(Locale.ROOT, "%.2f", r.jctMean() / bestStatic.jctMean()),
        r.jctMean() / whole.jctMean());
  }

  static Row row(Policy template, Simulation.Config config, List<List<SimJob>> lists) {
    List<SimResult> runs = new ArrayList<>();
    for (List<SimJob> jobs : lists) {
      Policy p = template instanceof DynamicPolicy d ? new DynamicPolicy(d.params()) : template;
      runs.add(Simulation.run(config, jobs, p));
    }
    return new Row(
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

  private static double avg(
      List<SimResult> runs, java.util.function.ToDoubleFunction<SimResult> f) {
    return runs.stream().mapToDouble(f).average().orElse(0);
  }

  private static String json(
      String title, Simulation.Config config, List<Row> rows, Row bestStatic, Row dynamic) {
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
      Row r = rows.get(i);
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
