package io.migctl.bench.scale;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the scale benchmarks with JMH's command-line options and prints a Markdown table: p50, p99
 * and max of one event and its decision (sample time), and events per second (throughput). Run by
 * {@code scripts/bench-scale.sh}.
 */
public final class ScaleReport {
  private ScaleReport() {}

  /**
   * Entry point.
   *
   * @param args JMH options, e.g. {@code -wi 3 -i 5 -f 1 io.migctl.bench.scale}
   */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
    System.out.println();
    System.out.println(
        "| benchmark | scheduler or policy | GPUs | p50 | p99 | p99.9 | max | events/s |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      String scheduler = run.getParams().getParam("scheduler");
      if (scheduler == null) {
        scheduler = run.getParams().getParam("policy");
      }
      String gpus = run.getParams().getParam("gpus");
      Result<?> primary = run.getPrimaryResult();
      Statistics s = primary.getStatistics();
      String unit = primary.getScoreUnit();
      if (unit.endsWith("/op")) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s | %s | |%n",
            name,
            scheduler,
            gpus,
            time(s.getPercentile(50), unit),
            time(s.getPercentile(99), unit),
            time(s.getPercentile(99.9), unit),
            time(s.getMax(), unit));
      } else if (run.getSecondaryResults().containsKey("events")) {
        Result<?> events = run.getSecondaryResults().get("events");
        double perSecond = perSecond(events.getScoreUnit());
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | | | | | %,.0f ± %,.0f simulated |%n",
            name,
            scheduler,
            gpus,
            events.getScore() * perSecond,
            events.getScoreError() * perSecond);
      } else {
        double perSecond = perSecond(unit);
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | | | | | %,.0f ± %,.0f |%n",
            name,
            scheduler,
            gpus,
            primary.getScore() * perSecond,
            primary.getScoreError() * perSecond);
      }
    }
  }

  /** The factor from a throughput unit such as {@code ops/us} to operations per second. */
  private static double perSecond(String unit) {
    return switch (unit) {
      case "ops/s" -> 1;
      case "ops/ms" -> 1e3;
      case "ops/us" -> 1e6;
      case "ops/ns" -> 1e9;
      default -> throw new IllegalArgumentException("unexpected throughput unit " + unit);
    };
  }

  private static String time(double value, String unit) {
    return unit.equals("us/op")
        ? String.format(Locale.ROOT, "%.3f ms", value / 1000.0)
        : String.format(Locale.ROOT, "%.3f %s", value, unit);
  }
}
