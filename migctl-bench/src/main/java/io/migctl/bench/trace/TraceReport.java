package io.migctl.bench.trace;

import io.migctl.core.job.Durations;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.core.replay.DynamicGuard;
import io.migctl.core.replay.DynamicPolicy;
import io.migctl.core.replay.JctBound;
import io.migctl.core.replay.MixedDemandTrace;
import io.migctl.core.replay.Policy;
import io.migctl.core.replay.SimJob;
import io.migctl.core.replay.SimProfiles;
import io.migctl.core.replay.Simulation;
import io.migctl.core.replay.StaticPolicy;
import io.migctl.core.replay.StaticSearch;
import io.migctl.replay.CsvTrace;
import io.migctl.replay.Layouts;
import io.migctl.replay.MisoTrace;
import io.migctl.replay.PolicyRow;
import io.migctl.replay.Svg;
import io.migctl.replay.TraceJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every policy ({@code whole-gpu}, each static layout, per-GPU mixes, {@code dynamic}) on the
 * same arrivals and cluster, prints a table with ratios against the best static layout and {@code
 * whole-gpu}, and writes {@code <name>.json} and {@code <name>.svg} (utilisation and queue length
 * over time, first seed) to {@code --out}.
 *
 * <p>Usage: {@code TraceReport [--miso DIR] [--seeds 5] [--gpus 8] [--reconfig 5] [--checkpoint 30]
 * [--gap 60] [--alibaba FILE --alibaba-gpus N --alibaba-days D --alibaba-limit N --alibaba-load L]
 * [--multigpu FILE --multigpu-gpus 16 --multigpu-limit 1000 --multigpu-load 1.0 --multigpu-seed 1]
 * [--csv FILE --csv-gpus N] [--mixed none | --mixed-jobs 400 --mixed-seeds 3 --mixed-whole 0.05
 * --mixed-gap 60 --mixed-duration 1200 --mixed-gpus 8] [--search-budget 1000] [--out DIR]}. The
 * best static is searched over per-GPU mixes too ({@link StaticSearch}); every table shows the
 * ratio to the lower bound on mean JCT ({@link JctBound}) and dynamic guarded by the best static
 * ({@link DynamicGuard}).
 */
public final class TraceReport {

  private static DynamicPolicy.Params dynamicParams = DynamicPolicy.Params.defaults();

  /** Simulation runs the static search may spend per trace ({@code --search-budget}). */
  private static int searchBudget = 1000;

  private TraceReport() {}

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
            new ReshapeGate.Params(
                Durations.parse(
                    flags.getOrDefault("dyn-cooldown", d.gate().cooldown().toSeconds() + "s")),
                Durations.parse(
                    flags.getOrDefault("dyn-min-wait", d.gate().minWait().toSeconds() + "s"))),
            Double.parseDouble(flags.getOrDefault("dyn-min-speed", String.valueOf(d.minSpeed()))),
            Double.parseDouble(flags.getOrDefault("dyn-move-gain", String.valueOf(d.moveGain()))));
    double reconfig = Double.parseDouble(flags.getOrDefault("reconfig", "5"));
    searchBudget = Integer.parseInt(flags.getOrDefault("search-budget", "1000"));
    double checkpoint =
        Double.parseDouble(
            flags.getOrDefault(
                "checkpoint", String.valueOf(Simulation.Config.DEFAULT_CHECKPOINT_SECONDS)));
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
      List<List<Integer>> layouts = Layouts.miso(Path.of(miso));
      String title =
          String.format(
                  Locale.ROOT,
                  "MISO %d jobs, %d x %s, mean gap %.0f s (half for the first third), seeds 1..%d,"
                      + " reconfiguration %.0f s, checkpoint-restart %.0f s",
                  trace.size(),
                  gpus,
                  model.key(),
                  gap,
                  seeds,
                  reconfig,
                  checkpoint)
              + "; dynamic "
              + dynamicParams;
      report(
          "miso",
          title,
          new Simulation.Config(model, gpus, reconfig, 60, checkpoint),
          lists,
          layouts,
          out);
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
      List<SimJob> jobs = raw.stream().map(j -> j.withArrival(j.arrival() * scale)).toList();
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
    if (flags.containsKey("multigpu")) {
      int gpus = Integer.parseInt(flags.getOrDefault("multigpu-gpus", "16"));
      int limit = Integer.parseInt(flags.getOrDefault("multigpu-limit", "1000"));
      double load = Double.parseDouble(flags.getOrDefault("multigpu-load", "1.0"));
      CsvTrace.TimeSynthesis synthesis =
          new CsvTrace.TimeSynthesis(Long.parseLong(flags.getOrDefault("multigpu-seed", "1")));
      List<SimJob> raw =
          CsvTrace.alibaba(Path.of(flags.get("multigpu")), model, 30, limit, synthesis);
      CsvTrace.Scaled scaled = CsvTrace.stretchToLoad(raw, load, gpus);
      String title =
          String.format(
              Locale.ROOT,
              "Alibaba v2023 multi-GPU list, %d GPU pods (%d gang jobs on whole GPUs) drawn at"
                  + " random, %s; offered load %.1f whole GPUs, %d x %s, reconfiguration %.0f s",
              raw.size(),
              raw.stream().filter(SimJob::isGang).count(),
              synthesis.describe(),
              scaled.offeredLoad(),
              gpus,
              model.key(),
              reconfig);
      double span = scaled.jobs().stream().mapToDouble(SimJob::arrival).max().orElse(0);
      report(
          "multigpu",
          title,
          new Simulation.Config(model, gpus, reconfig, Math.max(60, span / 400)),
          List.of(scaled.jobs()),
          allLayouts(model),
          out);
    }
    if (!flags.getOrDefault("mixed", "").equals("none")) {
      int gpus = Integer.parseInt(flags.getOrDefault("mixed-gpus", "8"));
      int n = Integer.parseInt(flags.getOrDefault("mixed-jobs", "400"));
      int seeds = Integer.parseInt(flags.getOrDefault("mixed-seeds", "3"));
      double whole = Double.parseDouble(flags.getOrDefault("mixed-whole", "0.05"));
      double gap = Double.parseDouble(flags.getOrDefault("mixed-gap", "60"));
      double duration = Double.parseDouble(flags.getOrDefault("mixed-duration", "1200"));
      List<List<SimJob>> lists = new ArrayList<>();
      for (int s = 1; s <= seeds; s++) {
        lists.add(MixedDemandTrace.generate(model, s, n, whole, gap, duration));
      }
      String title =
          String.format(
              Locale.ROOT,
              "Generated mixed demand, %d jobs, %.0f %% whole-GPU, mean gap %.0f s, mean duration"
                  + " %.0f s, seeds 1..%d, %d x %s, reconfiguration %.0f s",
              n,
              whole * 100,
              gap,
              duration,
              seeds,
              gpus,
              model.key(),
              reconfig);
      report(
          "mixed",
          title,
          new Simulation.Config(model, gpus, reconfig, 60, checkpoint),
          lists,
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
    return Layouts.maximal(model);
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
    List<PolicyRow> rows = new ArrayList<>();
    rows.add(row(StaticPolicy.wholeGpu(profiles), config, lists));
    List<String> skipped = new ArrayList<>();
    PolicyRow bestStatic = null;
    List<List<Integer>> bestLayouts = null;
    for (List<Integer> sizes : layouts) {
      StaticPolicy p = StaticPolicy.of(sizes);
      PolicyRow r;
      try {
        r = row(p, config, lists);
      } catch (Simulation.Unrunnable e) {
        skipped.add(p.name());
        continue;
      }
      rows.add(r);
      if (bestStatic == null || r.jctMean() < bestStatic.jctMean()) {
        bestStatic = r;
        bestLayouts = List.of(sizes);
      }
    }
    StaticSearch.Result search = StaticSearch.run(config, lists, layouts, searchBudget);
    PolicyRow planner =
        search.plannerMix() == null ? null : row(search.plannerMix(), config, lists);
    PolicyRow mix = row(search.best(), config, lists);
    if (bestStatic == null || mix.jctMean() < bestStatic.jctMean()) {
      bestStatic = mix;
      bestLayouts = search.best().perGpu();
    }
    if (!search.best().isUniform()) {
      rows.add(mix);
    }
    if (planner != null && !planner.policy().equals(mix.policy())) {
      rows.add(planner);
    }
    PolicyRow dynamic = row(new DynamicPolicy(dynamicParams), config, lists);
    rows.add(dynamic);
    // Dynamic again, starting from the best static's layout instead of whole GPUs; the guard takes
    // the better of the two.
    PolicyRow fromBest = row(DynamicPolicy.startingFrom(dynamicParams, bestLayouts), config, lists);
    rows.add(fromBest);
    PolicyRow betterDynamic = fromBest.jctMean() < dynamic.jctMean() ? fromBest : dynamic;
    DynamicGuard guard =
        DynamicGuard.choose(
            betterDynamic.policy(),
            betterDynamic.jctMean(),
            bestStatic.policy(),
            bestStatic.jctMean());
    JctBound bound = JctBound.mean(config, lists);
    PolicyRow whole = rows.get(0);
    StringBuilder text = new StringBuilder();
    text.append("## ").append(title).append("\n\n");
    text.append(
        String.format(
            Locale.ROOT,
            "Best static: %s, found by %s; static search: %d of %d simulation runs.%n"
                + "Planner mix (mig plan on the demand distribution): %s, mean JCT %.0f s.%n"
                + "Bound on mean JCT: no queue on the fastest slice %.0f s; pooled-capacity work"
                + " bound (SRPT) %.0f s; ratios use %.0f s.%n"
                + "Guarded dynamic: %s.%n%n",
            bestStatic.policy(),
            bestStatic == mix ? search.foundBy() : "uniform",
            search.simulations(),
            search.budget(),
            search.plannerMix() == null ? "none runs" : search.plannerMix().name(),
            search.plannerJct(),
            bound.noQueue(),
            bound.work(),
            bound.best(),
            guard.reason()));
    text.append(
        "| policy | mean JCT s | p50 JCT | p99 JCT | mean queue s | p99 queue | slice util | GPU util"
            + " | reconfigs | JCT / best static | JCT / whole-gpu | JCT / bound |\n");
    text.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    List<PolicyRow> shown = new ArrayList<>();
    shown.add(whole);
    if (planner != null && planner != bestStatic && !planner.policy().equals(mix.policy())) {
      shown.add(planner);
    }
    shown.add(bestStatic);
    shown.add(dynamic);
    shown.add(fromBest);
    for (PolicyRow r : shown) {
      String note = r == bestStatic ? " (best static)" : r == planner ? " (planner mix)" : "";
      text.append(line(r, note, bestStatic, whole, bound));
    }
    text.append(
        String.format(
            Locale.ROOT,
            "| dynamic, guarded (%s) | %.0f | | | | | | | | %.2f | %.2f | %.2f |%n",
            guard.stayedStatic() ? "stayed static" : guard.policy() + " kept",
            guard.jctMean(),
            guard.jctMean() / bestStatic.jctMean(),
            guard.jctMean() / whole.jctMean(),
            bound.ratio(guard.jctMean())));
    text.append(
        "\nAll static layouts:\n\n| policy | mean JCT s | p99 JCT | slice util |\n|---|---|---|---|\n");
    // Every row but whole-gpu and the two dynamic ones.
    for (PolicyRow r : rows.subList(1, rows.size() - 2)) {
      text.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f | %.2f |%n",
              r.policy(),
              r.jctMean(),
              r.jctP99(),
              r.sliceUtil()));
    }
    if (shown.stream().anyMatch(r -> r.gangJobs().jobs() > 0)) {
      text.append(
          "\nGang jobs (whole GPUs, all at once) beside slice jobs:\n\n| policy | gang jobs | mean"
              + " wait s | mean JCT s | p95 JCT s | slice jobs | mean wait s | mean JCT s | p95"
              + " JCT s |\n|---|---|---|---|---|---|---|---|---|\n");
      for (PolicyRow r : shown) {
        text.append("| ")
            .append(r.policy())
            .append(r.jobGroups(" | %d | %.0f | %.0f | %.0f | %d | %.0f | %.0f | %.0f |%n"));
      }
    }
    if (!skipped.isEmpty()) {
      text.append("\nSkipped (some job fits no slice of the layout): ")
          .append(skipped)
          .append('\n');
    }
    System.out.println(text);
    Files.writeString(out.resolve(name + ".md"), text);
    Files.writeString(
        out.resolve(name + ".json"),
        TraceJson.write(
            title,
            config,
            rows,
            bestStatic,
            new TraceJson.Baselines(
                bestStatic == mix ? search.foundBy() : "uniform", bound, guard)));
    List<PolicyRow> chart = new ArrayList<>(shown);
    Files.writeString(out.resolve(name + ".svg"), Svg.chart(title, chart));
  }

  private static String line(
      PolicyRow r, String note, PolicyRow bestStatic, PolicyRow whole, JctBound bound) {
    return String.format(
        Locale.ROOT,
        "| %s%s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %s | %.2f | %.2f |%n",
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
        r.jctMean() / whole.jctMean(),
        bound.ratio(r.jctMean()));
  }

  static PolicyRow row(Policy template, Simulation.Config config, List<List<SimJob>> lists) {
    return PolicyRow.run(template, config, lists);
  }
}
