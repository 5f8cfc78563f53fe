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
 * Runs the scale benchmarks with JMH's command-line options and prints a Markdown table: p50 and
 * p99 of one decision, and events per second of the incremental loop. Run by {@code
 * scripts/bench-scale.sh}.
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
    System.out.println("| benchmark | scheduler | GPUs | p50 | p99 | max | events/s |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      String scheduler = run.getParams().getParam("scheduler");
      String gpus = run.getParams().getParam("gpus");
      Result<?> primary = run.getPrimaryResult();
      Statistics s = primary.getStatistics();
      String unit = primary.getScoreUnit();
      if (unit.endsWith("/op")) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s | |%n",
            name,
            scheduler,
            gpus,
            time(s.getPercentile(50), unit),
            time(s.getPercentile(99), unit),
            time(s.getMax(), unit));
      } else {
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | | | | %,.0f ± %,.0f (%s) |%n",
            name,
            scheduler,
            gpus,
            primary.getScore(),
            primary.getScoreError(),
            unit);
      }
    }
  }

  private static String time(double value, String unit) {
    return unit.equals("us/op")
        ? String.format(Locale.ROOT, "%.3f ms", value / 1000.0)
        : String.format(Locale.ROOT, "%.3f %s", value, unit);
  }
}
