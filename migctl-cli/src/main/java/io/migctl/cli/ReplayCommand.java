package io.migctl.cli;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.DynamicGuard;
import io.migctl.core.replay.DynamicPolicy;
import io.migctl.core.replay.Fairness;
import io.migctl.core.replay.JctBound;
import io.migctl.core.replay.Policies;
import io.migctl.core.replay.Policy;
import io.migctl.core.replay.SimJob;
import io.migctl.core.replay.SimProfiles;
import io.migctl.core.replay.Simulation;
import io.migctl.core.replay.StaticPolicy;
import io.migctl.core.replay.StaticSearch;
import io.migctl.core.replay.TenantAssignment;
import io.migctl.core.replay.TenantResult;
import io.migctl.core.replay.TenantWeights;
import io.migctl.input.TextFiles;
import io.migctl.replay.CsvTrace;
import io.migctl.replay.JobTable;
import io.migctl.replay.Layouts;
import io.migctl.replay.MisoTrace;
import io.migctl.replay.PolicyRow;
import io.migctl.replay.Svg;
import io.migctl.replay.TraceJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migctl replay FILE} (also {@code migctl sim trace FILE}, its older name): the event-driven
 * simulation of a trace on a virtual cluster, one policy or all of them on the same arrivals, as a
 * table or JSON, and with {@code --out} the JSON and an SVG chart.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate a job trace on a virtual cluster under a partitioning policy.",
      "",
      "FILE is MISO's workload folder (trace_100.json, job_models.json,",
      "DERIVED_mig_slice_speed.csv), Alibaba's v2023 pod list (by its CSV header), a",
      "cluster's job table named by its columns (Helios and AcmeTrace cluster_log/trace_*.csv,",
      "Alibaba's spot-GPU v2026 job_info_df.csv, PAI v2020's pai_task_table.csv), or a",
      "plain CSV arrival_s,duration_s,need (need: fraction of one GPU, 0 < need <= 1).",
      "Prints mean/p50/p99 job completion time, queueing delay, slice and GPU utilisation,",
      "reconfigurations and the ratios against the best static layout and whole-gpu.",
      "Gang jobs (Alibaba's multi-GPU and whole-GPU pods: all their whole GPUs at once)",
      "are also shown apart from slice jobs: count, mean wait, mean and p95 JCT.",
      "With tenants (a tenant column, or --tenants N) and --fairness, it also prints each",
      "tenant's mean and p99 wait and Jain's fairness index, fairness policies side by side.",
      "No driver is used: the cluster exists only in the simulation."
    })
final class ReplayCommand implements Runnable {

  private static final String[] MISO_FILES = {
    "trace_100.json", "job_models.json", "DERIVED_mig_slice_speed.csv"
  };

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The trace: a MISO folder or a CSV file.")
  Path file;

  @Option(
      names = "--cluster",
      required = true,
      paramLabel = "SPEC",
      description = "The GPUs, as --simulate takes them, e.g. a100-40gb:8 (one model only).")
  String cluster;

  @Option(
      names = "--policy",
      paramLabel = "P",
      defaultValue = "all",
      description = {
        "whole-gpu, static:<sizes> (e.g. static:3+2+2 or static:3g.20gb+4g.20gb), dynamic,",
        "or all: every policy on the same arrivals, with the best static (default)."
      })
  String policy;

  @Option(
      names = "--fairness",
      paramLabel = "F[,F...]",
      defaultValue = "fifo",
      description = {
        "Who goes first among waiting jobs, across tenants: fifo (arrival order), drf",
        "(weighted dominant-resource fairness, FIFO within a tenant), fifo,drf, or all;",
        "each runs with every placement policy shown (default: fifo)."
      })
  String fairness;

  @Option(
      names = "--tenants",
      paramLabel = "N",
      description = {
        "For a trace that names no tenants (MISO, Alibaba, a CSV without a tenant column):",
        "job i belongs to tenant t<k>, k = 1 + (SplitMix64(i) mod N); see the README."
      })
  Integer tenants;

  @Option(
      names = "--tenant-weights",
      paramLabel = "NAME=W[,...]",
      description = "Tenants' weights, e.g. a=2,b=1 (default: 1 each).")
  String tenantWeights;

  @Option(
      names = "--format",
      paramLabel = "F",
      description = "miso, alibaba, jobs or csv (default: detected from FILE).")
  String format;

  @Option(
      names = "--seeds",
      paramLabel = "N",
      description = "MISO: arrival seeds 1..N, metrics averaged (default 5); others: 1.")
  Integer seeds;

  @Option(
      names = "--reconfig",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "Time to reshape idle slices (default: ${DEFAULT-VALUE}).")
  double reconfig;

  @Option(
      names = "--checkpoint",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "The checkpoint-restart pause of a running job that the dynamic policy moves (only"
              + " checkpointable jobs move: MISO's; default: ${DEFAULT-VALUE}, MISO's average).")
  double checkpoint;

  @Option(
      names = "--gap",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "MISO: mean arrival gap, half for the first third (default: ${DEFAULT-VALUE}).")
  double gap;

  @Option(
      names = "--load",
      paramLabel = "L",
      defaultValue = "1.0",
      description =
          "Alibaba: compress arrivals, job tables: stretch or compress them, until the offered"
              + " load is L x the GPUs (default: ${DEFAULT-VALUE}).")
  double load;

  @Option(
      names = "--days",
      paramLabel = "D",
      defaultValue = "30",
      description = "Alibaba: pods created in the trace's last D days (default: ${DEFAULT-VALUE}).")
  double days;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "2000",
      description =
          "Alibaba: at most the first N of those pods; job tables: the first N jobs by arrival"
              + " (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--synthesize-times",
      paramLabel = "SEED",
      description = {
        "Alibaba's pod list without times (openb_pod_list_multigpu50.csv): from SEED, draw",
        "--limit of its GPU pods at random, Poisson arrivals (scaled to --load) and log-normal",
        "durations with the median (540 s) and p90 (5757 s) of the default list's pods.",
        "Required for such a list, refused otherwise."
      })
  Long synthesizeTimes;

  @Option(
      names = "--search-budget",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "--policy all: simulation runs the search for the best static layout may spend on"
              + " per-GPU mixes (the planner's mix, then one GPU changed at a time; default 1000).")
  int searchBudget;

  @Option(names = "--out", paramLabel = "DIR", description = "Write <format>.json and .svg here.")
  Path out;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  /** The trace's job lists (one a seed), static candidates and a description. */
  private record Loaded(
      String name,
      String title,
      List<List<SimJob>> lists,
      List<List<Integer>> layouts,
      String tenantRule) {

    Loaded(String name, String title, List<List<SimJob>> lists, List<List<Integer>> layouts) {
      this(name, title, lists, layouts, "");
    }
  }

  /**
   * {@code trace} with its tenants: the trace's own (a tenant column), or {@code --tenants N} by
   * {@link TenantAssignment}'s rule, or the default tenant alone; {@link Loaded#tenantRule} says
   * which.
   */
  private Loaded withTenants(Loaded trace) {
    boolean named =
        trace.lists().stream()
            .flatMap(List::stream)
            .anyMatch(j -> !j.tenant().equals(SimJob.DEFAULT_TENANT));
    if (tenants == null) {
      return new Loaded(
          trace.name(),
          trace.title(),
          trace.lists(),
          trace.layouts(),
          named ? "from the trace's tenant column" : "one tenant (the trace names none)");
    }
    if (named) {
      throw new InvalidInputException(
          "--tenants "
              + tenants
              + ": "
              + file
              + " names its own tenants in its tenant column; leave --tenants out");
    }
    List<List<SimJob>> lists = new ArrayList<>();
    try {
      trace.lists().forEach(l -> lists.add(TenantAssignment.assign(l, tenants)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--tenants " + tenants + ": " + e.getMessage(), e);
    }
    return new Loaded(
        trace.name(),
        trace.title(),
        lists,
        trace.layouts(),
        "--tenants "
            + tenants
            + ": job i belongs to t<k>, k = 1 + (SplitMix64(i) mod "
            + tenants
            + ")");
  }

  private static Map<String, Integer> jobsByTenant(List<SimJob> jobs) {
    Map<String, Integer> out = new TreeMap<>();
    jobs.forEach(j -> out.merge(j.tenant(), 1, Integer::sum));
    return out;
  }

  /** {@code --fairness}: names separated by commas, or {@code all}; each once, in order. */
  private static List<Fairness> parseFairness(String text, Map<String, Integer> weights) {
    Set<String> names = new LinkedHashSet<>();
    for (String part : text.split(",", -1)) {
      String n = part.strip().toLowerCase(Locale.ROOT);
      if (n.equals("all")) {
        names.addAll(Fairness.NAMES);
      } else {
        names.add(n);
      }
    }
    List<Fairness> out = new ArrayList<>();
    for (String n : names) {
      try {
        out.add(Fairness.parse(n, weights));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--fairness " + text + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public void run() {
    GpuModel model;
    int gpus;
    Map<String, Integer> counts = parseCluster(cluster);
    if (counts.size() > 1) {
      throw new InvalidInputException(
          "--cluster "
              + cluster
              + ": the simulator supports one GPU model per cluster, and this names "
              + counts.size()
              + " ("
              + String.join(", ", counts.keySet())
              + "); simulate each model separately");
    }
    model = Catalog.require(counts.keySet().iterator().next());
    gpus = counts.values().iterator().next();
    if (seeds != null && seeds < 1) {
      throw new InvalidInputException("--seeds " + seeds + ": give 1 or more");
    }
    if (!(checkpoint >= 0) || Double.isInfinite(checkpoint)) {
      throw new InvalidInputException("--checkpoint " + checkpoint + ": give 0 or more seconds");
    }
    if (!(reconfig >= 0) || Double.isInfinite(reconfig)) {
      throw new InvalidInputException("--reconfig " + reconfig + ": give 0 or more seconds");
    }
    if (!(gap > 0) || !(load > 0) || !(days > 0) || limit < 1) {
      throw new InvalidInputException("--gap, --load, --days and --limit must be positive");
    }
    SimProfiles profiles;
    try {
      profiles = SimProfiles.of(model);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--cluster " + cluster + ": " + e.getMessage(), e);
    }
    Map<String, Integer> weights;
    try {
      weights = TenantWeights.parse(tenantWeights);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--tenant-weights " + tenantWeights + ": " + e.getMessage());
    }
    List<Fairness> fairs = parseFairness(fairness, weights);
    String fmt = format == null ? detect(file) : checkFormat(format, file);
    if (synthesizeTimes != null && !fmt.equals("alibaba")) {
      throw new InvalidInputException(
          "--synthesize-times: only for Alibaba's pod list without times; "
              + file
              + " is a "
              + fmt
              + " trace with its own times");
    }
    Loaded trace = withTenants(load(fmt, model, gpus));
    if (trace.lists().get(0).isEmpty()) {
      throw new InvalidInputException(file + ": the trace has no jobs");
    }
    trace.lists().stream()
        .flatMap(List::stream)
        .filter(j -> j.gpus() > gpus)
        .findFirst()
        .ifPresent(
            j -> {
              throw new InvalidInputException(
                  "--cluster "
                      + cluster
                      + ": job "
                      + j.id()
                      + " of the trace needs "
                      + j.gpus()
                      + " whole GPUs at once and the cluster has "
                      + gpus
                      + "; give at least "
                      + j.gpus()
                      + " GPUs (e.g. "
                      + model.key()
                      + ":"
                      + j.gpus()
                      + ")");
            });
    Map<String, Integer> jobsByTenant = jobsByTenant(trace.lists().get(0));
    for (String named : weights.keySet()) {
      if (!jobsByTenant.containsKey(named)) {
        throw new InvalidInputException(
            "--tenant-weights "
                + tenantWeights
                + ": tenant "
                + named
                + " has no jobs in the trace; its tenants are "
                + String.join(", ", jobsByTenant.keySet()));
      }
    }
    double span =
        trace.lists().stream().flatMap(List::stream).mapToDouble(SimJob::arrival).max().orElse(0);
    Simulation.Config config =
        new Simulation.Config(model, gpus, reconfig, Math.max(60, span / 400), checkpoint)
            .withTenantWeights(weights);

    boolean all = policy.strip().equals("all");
    Policy chosen = null;
    if (!all) {
      try {
        chosen = Policies.parse(policy, profiles);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--policy " + policy + ": " + e.getMessage(), e);
      }
    }
    PolicyRow whole = run(StaticPolicy.wholeGpu(profiles), config, trace.lists());
    List<PolicyRow> statics = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    PolicyRow best = null;
    Policy bestPolicy = null;
    List<List<Integer>> bestLayouts = List.of();
    for (List<Integer> sizes : trace.layouts()) {
      StaticPolicy p = StaticPolicy.of(sizes);
      try {
        PolicyRow r = PolicyRow.run(p, config, trace.lists());
        statics.add(r);
        if (best == null || r.jctMean() < best.jctMean()) {
          best = r;
          bestPolicy = p;
          bestLayouts = List.of(sizes);
        }
      } catch (Simulation.Unrunnable | IllegalArgumentException e) {
        skipped.add(p.name());
      }
    }
    String searchLine = "";
    String foundBy = null;
    if (all) {
      if (searchBudget < 1) {
        throw new InvalidInputException("--search-budget " + searchBudget + ": give 1 or more");
      }
      try {
        StaticSearch.Result search =
            StaticSearch.run(config, trace.lists(), trace.layouts(), searchBudget);
        if (best == null || search.jctMean() < best.jctMean()) {
          best = PolicyRow.run(search.best(), config, trace.lists());
          bestPolicy = search.best();
          bestLayouts = search.best().perGpu();
          statics.add(best);
        }
        foundBy = best.policy().equals(search.best().name()) ? search.foundBy() : "uniform";
        searchLine = searchLine(search, best, foundBy);
      } catch (IllegalArgumentException e) {
        searchLine = "static search: " + e.getMessage() + "\n";
      }
    }
    // Baselines and the static layouts run under fifo (the best static is chosen there); the shown
    // placement policies run under every fairness policy asked for.
    List<Policy> placements = new ArrayList<>();
    if (all) {
      placements.add(StaticPolicy.wholeGpu(profiles));
      if (bestPolicy != null) {
        placements.add(bestPolicy);
      }
      placements.add(Policies.parse("dynamic", profiles));
      if (!bestLayouts.isEmpty()) {
        placements.add(DynamicPolicy.startingFrom(DynamicPolicy.Params.defaults(), bestLayouts));
      }
    } else {
      placements.add(chosen);
    }
    Map<String, PolicyRow> ranUnderFifo = new LinkedHashMap<>();
    ranUnderFifo.put(whole.policy(), whole);
    statics.forEach(r -> ranUnderFifo.put(r.policy(), r));
    List<PolicyRow> shown = new ArrayList<>();
    for (Policy p : placements) {
      for (Fairness f : fairs) {
        PolicyRow done = f.name().equals("fifo") ? ranUnderFifo.get(p.name()) : null;
        shown.add(done != null ? done : run(p, f, config, trace.lists()));
      }
    }
    // JSON: as before tenants (whole-gpu, every static layout, dynamic), each shown policy under
    // every fairness policy asked for.
    List<PolicyRow> rows = new ArrayList<>();
    shown.stream().filter(r -> r.policy().equals(whole.policy())).forEach(rows::add);
    if (all) {
      rows.addAll(statics);
    }
    shown.stream().filter(r -> !rows.contains(r)).forEach(rows::add);
    DynamicGuard guard = guard(shown, best);
    JctBound bound = JctBound.mean(config, trace.lists());
    String text =
        table(trace.title(), config, shown, best, whole, all ? statics : List.of(), skipped)
            + gangTable(trace.lists(), rows)
            + tenantTable(trace.tenantRule(), jobsByTenant, weights, shown, fairs)
            + searchLine
            + (guard == null ? "" : "guarded dynamic: " + guard.reason() + "\n")
            + boundLines(bound, shown);
    String jsonText =
        TraceJson.write(
            trace.title(), config, rows, best, new TraceJson.Baselines(foundBy, bound, guard));
    PrintWriter w = spec.commandLine().getOut();
    w.print(json ? jsonText : text);
    if (out != null) {
      try {
        Files.createDirectories(out);
        Files.writeString(out.resolve(trace.name() + ".json"), jsonText);
        Files.writeString(out.resolve(trace.name() + ".md"), text);
        Files.writeString(
            out.resolve(trace.name() + ".svg"),
            Svg.chart(
                trace.title(),
                shown.stream().filter(r -> r.fairness().equals(fairs.get(0).name())).toList()));
      } catch (IOException e) {
        throw new IllegalStateException(
            "--out " + out + ": cannot write the report: " + TextFiles.problem(e), e);
      }
      if (!json) {
        w.println();
        w.println("wrote " + out.resolve(trace.name() + ".json") + " and .svg, .md");
      }
    }
    w.flush();
  }

  /**
   * Gang jobs beside slice jobs, per policy row: empty when the trace has no gang job. A policy
   * that slices GPUs may serve small jobs quickly while whole-GPU and multi-GPU jobs wait.
   */
  private static String gangTable(List<List<SimJob>> lists, List<PolicyRow> rows) {
    Map<Integer, Integer> byGpus = new TreeMap<>();
    lists.get(0).stream()
        .filter(SimJob::isGang)
        .forEach(j -> byGpus.merge(j.gpus(), 1, Integer::sum));
    if (byGpus.isEmpty()) {
      return "";
    }
    List<String> counts = new ArrayList<>();
    byGpus.forEach((n, c) -> counts.add(c + " x " + n + " GPU" + (n > 1 ? "s" : "")));
    StringBuilder t =
        new StringBuilder(
            "\ngang jobs (whole GPUs, all at once: "
                + String.join(", ", counts)
                + ") beside slice jobs:\n");
    String cell = "%6s %10s %10s %10s";
    t.append(
        String.format(
            Locale.ROOT,
            "%-26s %-6s  " + cell + "   " + cell + "%n",
            "POLICY",
            "FAIR",
            "GANG",
            "MEAN WAIT",
            "MEAN JCT",
            "P95 JCT",
            "SLICE",
            "MEAN WAIT",
            "MEAN JCT",
            "P95 JCT"));
    String nums = "%6d %10.0f %10.0f %10.0f";
    for (PolicyRow r : rows) {
      t.append(String.format(Locale.ROOT, "%-26s %-6s  ", r.policy(), r.fairness()))
          .append(r.jobGroups(nums + "   " + nums + "%n"));
    }
    return t.toString();
  }

  /** How the best static layout was found, and the planner's mix. */
  private static String searchLine(StaticSearch.Result search, PolicyRow best, String foundBy) {
    return String.format(
        Locale.ROOT,
        "%nbest static %s found by %s; static search: %d of %d simulation runs; planner mix"
            + " (mig plan on the demand distribution): %s, mean JCT %.0f s%n",
        best.policy(),
        foundBy,
        search.simulations(),
        search.budget(),
        search.plannerMix() == null ? "none runs the trace" : search.plannerMix().name(),
        search.plannerJct());
  }

  /**
   * The better dynamic (from whole GPUs, or from the best static's layout) kept only where it is no
   * worse than the best static (all under fifo); null when either did not run.
   */
  private static DynamicGuard guard(List<PolicyRow> shown, PolicyRow best) {
    return shown.stream()
        .filter(r -> r.policy().startsWith("dynamic") && r.fairness().equals("fifo"))
        .min(java.util.Comparator.comparingDouble(PolicyRow::jctMean))
        .filter(r -> best != null)
        .map(r -> DynamicGuard.choose(r.policy(), r.jctMean(), best.policy(), best.jctMean()))
        .orElse(null);
  }

  /** The lower bound on mean JCT and each shown policy's distance to it. */
  private static String boundLines(JctBound bound, List<PolicyRow> shown) {
    StringBuilder t =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%nbound on mean JCT: %.0f s (no queue on each job's fastest slice %.0f s,"
                    + " pooled-capacity work %.0f s); mean JCT / bound:",
                bound.best(),
                bound.noQueue(),
                bound.work()));
    for (PolicyRow r : shown) {
      t.append(String.format(Locale.ROOT, " %s %.2f;", r.policy(), bound.ratio(r.jctMean())));
    }
    t.setLength(t.length() - 1);
    return t.append('\n').toString();
  }

  private PolicyRow run(Policy p, Simulation.Config config, List<List<SimJob>> lists) {
    return run(p, Fairness.fifo(), config, lists);
  }

  private PolicyRow run(Policy p, Fairness f, Simulation.Config config, List<List<SimJob>> lists) {
    try {
      return PolicyRow.run(p, f, config, lists);
    } catch (Simulation.Unrunnable e) {
      throw new InvalidInputException(
          "policy " + p.name() + " cannot run this trace: " + e.getMessage(), e);
    }
  }

  /** Model key → GPU count, from {@code a100-40gb:8} or {@code a100-40gb:1,h100-80gb:1}. */
  private static Map<String, Integer> parseCluster(String spec) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new InvalidInputException("--cluster " + spec + ": an empty entry");
      }
      String[] f = p.split(":", -1);
      int n = 1;
      if (f.length > 2) {
        throw new InvalidInputException(
            "--cluster " + spec + ": use MODEL:COUNT, e.g. a100-40gb:8");
      }
      if (f.length == 2) {
        try {
          n = Integer.parseInt(f[1].strip());
        } catch (NumberFormatException e) {
          throw new InvalidInputException(
              "--cluster " + spec + ": \"" + f[1] + "\" is not a GPU count", e);
        }
        if (n < 1) {
          throw new InvalidInputException("--cluster " + spec + ": a count is at least 1");
        }
      }
      GpuModel m;
      try {
        m = Catalog.require(f[0].strip());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--cluster " + spec + ": " + e.getMessage(), e);
      }
      counts.merge(m.key(), n, Integer::sum);
    }
    return counts;
  }

  /** miso for a folder with MISO's files, alibaba for a CSV with its header, else csv. */
  static String detect(Path file) {
    if (Files.isDirectory(file)) {
      List<String> missing = new ArrayList<>();
      for (String f : MISO_FILES) {
        if (!Files.isRegularFile(file.resolve(f))) {
          missing.add(f);
        }
      }
      if (!missing.isEmpty()) {
        throw new InvalidInputException(
            file + " is a folder but not MISO's workload: missing " + String.join(", ", missing));
      }
      return "miso";
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(file + ": no such trace file or folder");
    }
    String header;
    try {
      header = firstLine(file);
    } catch (IOException e) {
      throw new InvalidInputException(file + ": " + TextFiles.problem(e), e);
    }
    if (header.contains("gpu_milli")
        && (header.contains("creation_time") || header.contains("num_gpu"))) {
      return "alibaba";
    }
    if (JobTable.detect(header)) {
      return "jobs";
    }
    return "csv";
  }

  /** The first line of {@code file}; the header names the format, and no header is longer. */
  private static String firstLine(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1)
          .lines()
          .findFirst()
          .orElse("");
    }
  }

  private static String checkFormat(String format, Path file) {
    String f = format.strip().toLowerCase(Locale.ROOT);
    switch (f) {
      case "miso" -> {
        if (!Files.isDirectory(file)) {
          throw new InvalidInputException(
              "--format miso: " + file + " is not a folder; give MISO's workload folder");
        }
        return detect(file);
      }
      case "alibaba", "jobs", "csv" -> {
        if (!Files.isRegularFile(file)) {
          throw new InvalidInputException(
              "--format " + f + ": " + file + " is not a file; give the CSV file");
        }
        return f;
      }
      default ->
          throw new InvalidInputException(
              "--format "
                  + format
                  + ": use miso, alibaba, jobs or csv (or leave it out to detect)");
    }
  }

  private Loaded load(String fmt, GpuModel model, int gpus) {
    try {
      switch (fmt) {
        case "miso" -> {
          int n = seeds == null ? 5 : seeds;
          MisoTrace trace = MisoTrace.read(file);
          List<List<SimJob>> lists = new ArrayList<>();
          for (int s = 1; s <= n; s++) {
            lists.add(trace.jobs(s, gap));
          }
          List<List<Integer>> layouts =
              Files.isRegularFile(file.resolve("partition_code.json"))
                  ? Layouts.miso(file)
                  : Layouts.maximal(model);
          String title =
              String.format(
                  Locale.ROOT,
                  "MISO %d jobs, %d x %s, mean gap %.0f s (half for the first third), seeds"
                      + " 1..%d, reconfiguration %.0f s",
                  trace.size(),
                  gpus,
                  model.key(),
                  gap,
                  n,
                  reconfig);
          return new Loaded("miso", title, lists, layouts);
        }
        case "alibaba" -> {
          CsvTrace.TimeSynthesis synthesis =
              synthesizeTimes == null ? null : new CsvTrace.TimeSynthesis(synthesizeTimes);
          List<SimJob> raw = CsvTrace.alibaba(file, model, days, limit, synthesis);
          CsvTrace.Scaled scaled =
              synthesis == null
                  ? CsvTrace.scaleToLoad(raw, load, gpus)
                  : CsvTrace.stretchToLoad(raw, load, gpus);
          long gangs = raw.stream().filter(SimJob::isGang).count();
          String title =
              String.format(
                  Locale.ROOT,
                  "Alibaba v2023 %d GPU pods (%d of them gang jobs on whole GPUs; %s),"
                      + " arrivals x %.4f, %d x %s; offered load %.1f whole GPUs (sum of GPU"
                      + " durations / arrival span), reconfiguration %.0f s",
                  scaled.jobs().size(),
                  gangs,
                  synthesis == null
                      ? String.format(Locale.ROOT, "first of the last %.0f days", days)
                      : limit + " drawn at random, " + synthesis.describe(),
                  scaled.scale(),
                  gpus,
                  model.key(),
                  scaled.offeredLoad(),
                  reconfig);
          return new Loaded("alibaba", title, List.of(scaled.jobs()), Layouts.maximal(model));
        }
        case "jobs" -> {
          JobTable.Read read = JobTable.read(file, model, gpus, limit);
          if (read.jobs().isEmpty()) {
            throw new InvalidInputException(
                file
                    + ": no job of this "
                    + read.kind()
                    + " asks for a GPU, has ended and has a duration"
                    + (read.tooLarge() > 0
                        ? " and fits " + gpus + " GPUs (" + read.tooLarge() + " are larger)"
                        : ""));
          }
          // A job table comes from a cluster of its own size: its arrivals are stretched or
          // compressed until it offers this cluster --load.
          CsvTrace.Scaled scaled = CsvTrace.stretchToLoad(read.jobs(), load, gpus);
          long gangs = read.jobs().stream().filter(SimJob::isGang).count();
          String title =
              String.format(
                  Locale.ROOT,
                  "%s, %s: the first %d jobs by arrival (%d of them gang jobs on whole GPUs%s),"
                      + " arrivals x %.4f, %d x %s; offered load %.1f whole GPUs (sum of GPU"
                      + " durations / arrival span), reconfiguration %.0f s",
                  file.getFileName(),
                  read.kind(),
                  read.jobs().size(),
                  gangs,
                  read.tooLarge() > 0
                      ? "; " + read.tooLarge() + " larger than the cluster left out"
                      : "",
                  scaled.scale(),
                  gpus,
                  model.key(),
                  scaled.offeredLoad(),
                  reconfig);
          return new Loaded("jobs", title, List.of(scaled.jobs()), Layouts.maximal(model));
        }
        default -> {
          List<SimJob> jobs;
          try {
            jobs = CsvTrace.plain(file, model);
          } catch (InvalidTextException e) {
            throw notOurs(e.getMessage());
          }
          if (jobs.isEmpty()) {
            throw notOurs(file + ": the trace has no jobs");
          }
          String title =
              String.format(
                  Locale.ROOT,
                  "%s, %d jobs, %d x %s, reconfiguration %.0f s",
                  file.getFileName(),
                  jobs.size(),
                  gpus,
                  model.key(),
                  reconfig);
          return new Loaded("csv", title, List.of(jobs), Layouts.maximal(model));
        }
      }
    } catch (IOException e) {
      // The readers name the file and line of what is wrong in the text (InvalidTextException);
      // what is left is the file system's answer.
      throw new InvalidInputException(file + " (" + fmt + " trace): " + TextFiles.problem(e), e);
    }
  }

  /** What {@code migctl replay} reads, for a file that is none of it. */
  private static final String TRACES_READ =
      "migctl replay reads MISO's workload folder, Alibaba's v2023 pod list, a cluster's job table"
          + " (a header naming gpu_request, plan_gpu or gpu_num, and submit_time or start_time),"
          + " PAI v2020's task table, or a plain CSV arrival_s,duration_s,need";

  /**
   * {@code message} as it is when the file starts as a plain CSV trace does (its header names
   * arrival_s, or its first line is three numbers), else with what replay reads: the file is
   * another kind of table (a node list, a runtime column).
   */
  private InvalidInputException notOurs(String message) {
    String first = "";
    try {
      first = firstLine(file);
    } catch (IOException e) {
      // the message as it is
    }
    String[] f = first.split(",", -1);
    boolean plain =
        first.contains("arrival")
            || f.length >= 3
                && f[0].strip().matches("[0-9.eE+-]+")
                && f[1].strip().matches("[0-9.eE+-]+")
                && f[2].strip().matches("[0-9.eE+-]+");
    if (plain) {
      return new InvalidInputException(message);
    }
    return new InvalidInputException(
        message
            + "; the first line ("
            + (first.length() > 80 ? first.substring(0, 77) + "..." : first)
            + ") is no header of a trace: "
            + TRACES_READ);
  }

  /**
   * Per tenant and placement policy, the fairness policies side by side: jobs, mean and p99 wait,
   * mean JCT and share index, then each policy's Jain index. Empty for one tenant under one
   * fairness policy (the main table says it all).
   */
  private static String tenantTable(
      String rule,
      Map<String, Integer> jobsByTenant,
      Map<String, Integer> weights,
      List<PolicyRow> shown,
      List<Fairness> fairs) {
    if (jobsByTenant.size() < 2 && fairs.size() < 2) {
      return "";
    }
    StringBuilder t = new StringBuilder();
    t.append("\ntenants: ").append(rule).append("; ");
    List<String> described = new ArrayList<>();
    jobsByTenant.forEach(
        (name, n) ->
            described.add(name + " " + n + " jobs, weight " + weights.getOrDefault(name, 1)));
    t.append(String.join("; ", described)).append('\n');
    t.append(
        "SHARE: the time-average, while a tenant had work, of what it held over its due (its"
            + " weighted share, or all it asked for if less), at most 1;\n"
            + "JAIN = (sum SHARE)^2 / (n sum SHARE^2), 1 when every tenant got its due\n\n");
    String cell = "%9s %9s %9s %6s";
    StringBuilder head =
        new StringBuilder(String.format(Locale.ROOT, "%-26s %-12s %5s", "", "", ""));
    StringBuilder cols =
        new StringBuilder(
            String.format(Locale.ROOT, "%-26s %-12s %5s", "POLICY", "TENANT", "JOBS"));
    for (Fairness f : fairs) {
      head.append(String.format(Locale.ROOT, "   %-36s", "-- " + f.name() + " --"));
      cols.append("   ")
          .append(String.format(Locale.ROOT, cell, "MEAN WAIT", "P99 WAIT", "MEAN JCT", "SHARE"));
    }
    t.append(head.toString().stripTrailing()).append('\n');
    t.append(cols).append('\n');
    Map<String, Map<String, PolicyRow>> byPolicy = new LinkedHashMap<>();
    for (PolicyRow r : shown) {
      byPolicy.computeIfAbsent(r.policy(), k -> new LinkedHashMap<>()).put(r.fairness(), r);
    }
    byPolicy.forEach(
        (policy, byFairness) -> {
          for (String tenant : jobsByTenant.keySet()) {
            t.append(
                String.format(
                    Locale.ROOT, "%-26s %-12s %5d", policy, tenant, jobsByTenant.get(tenant)));
            for (Fairness f : fairs) {
              TenantResult x =
                  byFairness.get(f.name()).tenants().stream()
                      .filter(r -> r.tenant().equals(tenant))
                      .findFirst()
                      .orElseThrow();
              t.append("   ")
                  .append(
                      String.format(
                          Locale.ROOT,
                          "%9.0f %9.0f %9.0f %6.2f",
                          x.waitMean(),
                          x.waitP99(),
                          x.jctMean(),
                          x.shareIndex()));
            }
            t.append('\n');
          }
          t.append(String.format(Locale.ROOT, "%-26s %-18s", policy, "JAIN"));
          for (Fairness f : fairs) {
            t.append(
                String.format(Locale.ROOT, "   %29s %6.2f", "", byFairness.get(f.name()).jain()));
          }
          t.append('\n');
        });
    return t.toString();
  }

  private static String table(
      String title,
      Simulation.Config config,
      List<PolicyRow> shown,
      PolicyRow best,
      PolicyRow whole,
      List<PolicyRow> statics,
      List<String> skipped) {
    StringBuilder t = new StringBuilder();
    t.append(title).append('\n');
    t.append(
        String.format(
            Locale.ROOT,
            "reconfiguration %.1f s, checkpoint-restart of a moved job %.1f s; best static: %s%n%n",
            config.reconfigSeconds(),
            config.checkpointSeconds(),
            best == null
                ? "none (every static layout leaves some job without a slice)"
                : best.policy()));
    t.append(
        String.format(
            Locale.ROOT,
            "%-26s %9s %8s %8s %9s %9s %6s %6s %9s %11s %10s %-11s %5s%n",
            "POLICY",
            "MEAN JCT",
            "P50 JCT",
            "P99 JCT",
            "MEAN WAIT",
            "P99 WAIT",
            "SLICE",
            "GPU",
            "RECONFIGS",
            "/BEST STAT",
            "/WHOLE-GPU",
            "FAIRNESS",
            "JAIN"));
    for (PolicyRow r : shown) {
      String name =
          r.policy() + (best != null && r.policy().equals(best.policy()) ? " (best static)" : "");
      t.append(
          String.format(
              Locale.ROOT,
              "%-26s %9.0f %8.0f %8.0f %9.0f %9.0f %6.2f %6.2f %9.1f %11s %10.2f %-11s %5.2f%n",
              name,
              r.jctMean(),
              r.jctP50(),
              r.jctP99(),
              r.queueMean(),
              r.queueP99(),
              r.sliceUtil(),
              r.gpuUtil(),
              r.reconfigurations(),
              best == null
                  ? "n/a"
                  : String.format(Locale.ROOT, "%.2f", r.jctMean() / best.jctMean()),
              r.jctMean() / whole.jctMean(),
              r.fairness(),
              r.jain()));
    }
    t.append(
        "(times in seconds; SLICE and GPU: mean utilisation; ratios against fifo's; JAIN: Jain's"
            + " index over the tenants' SHARE, below)\n");
    if (!statics.isEmpty()) {
      t.append("\nall static layouts:\n");
      for (PolicyRow r : statics) {
        t.append(
            String.format(
                Locale.ROOT,
                "  %-24s mean JCT %7.0f  p99 %7.0f  slice util %.2f%n",
                r.policy(),
                r.jctMean(),
                r.jctP99(),
                r.sliceUtil()));
      }
    }
    if (!skipped.isEmpty() && !statics.isEmpty()) {
      t.append("skipped (some job fits no slice of the layout): ")
          .append(String.join(", ", skipped))
          .append('\n');
    }
    return t.toString();
  }
}
