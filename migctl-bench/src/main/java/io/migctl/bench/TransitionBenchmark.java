package io.migctl.bench;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Compares migctl's apply with NVIDIA mig-parted's algorithm ({@link MigPartedBaseline}) on random
 * MIG reconfigurations of simulated GPUs, and prints a Markdown table.
 *
 * <p>For each model, {@code --transitions} transitions are drawn ({@link TransitionGenerator}) and
 * each runs twice on identical fresh one-GPU simulated nodes: once with the baseline, once with
 * migctl's {@code LayoutApplier}. The output depends only on the arguments: the same seed prints
 * the same table.
 *
 * <p>Usage: {@code TransitionBenchmark [--seed N] [--transitions N] [--models a100-40gb,h100-80gb]}
 */
public final class TransitionBenchmark {

  /**
   * What to run.
   *
   * @param seed the seed of the random transitions
   * @param transitions transitions per model, at least 1
   * @param models the catalog models to run on
   */
  public record Options(long seed, int transitions, List<GpuModel> models) {

    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_TRANSITIONS = 1000;

    public Options {
      models = List.copyOf(models);
      if (transitions < 1) {
        throw new IllegalArgumentException("--transitions must be at least 1, was " + transitions);
      }
      if (models.isEmpty()) {
        throw new IllegalArgumentException("--models names no model; e.g. a100-40gb,h100-80gb");
      }
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the bad argument and what is accepted
     */
    public static Options parse(String... args) {
      long seed = DEFAULT_SEED;
      int transitions = DEFAULT_TRANSITIONS;
      List<GpuModel> models = List.of(Catalog.A100_40GB, Catalog.H100_80GB);
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (!flag.equals("--seed") && !flag.equals("--transitions") && !flag.equals("--models")) {
          throw new IllegalArgumentException(
              "unknown argument \"" + flag + "\"; use --seed N, --transitions N, --models M1,M2");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--seed" -> seed = number(flag, value);
          case "--transitions" -> transitions = Math.toIntExact(number(flag, value));
          default ->
              models =
                  Arrays.stream(value.split(",", -1))
                      .map(String::strip)
                      .map(Catalog::require)
                      .toList();
        }
      }
      return new Options(seed, transitions, models);
    }

    private static long number(String flag, String value) {
      try {
        return Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            flag + " takes a whole number, not \"" + value + "\"", e);
      }
    }
  }

  private TransitionBenchmark() {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException | ArithmeticException e) {
      System.err.println("TransitionBenchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path work;
    try {
      work = Files.createTempDirectory("migctl-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the journal", e);
    }
    try {
      print(run(options, work.resolve("apply-journal.jsonl")), System.out);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param journalFile where migctl's applier journals its applies
   */
  static TransitionReport run(Options options, Path journalFile) {
    TransitionRunner runner =
        new TransitionRunner(new ApplyJournal(journalFile, Clock.systemUTC()));
    List<TransitionReport.ModelResult> results = new ArrayList<>();
    for (GpuModel model : options.models()) {
      TransitionGenerator generator =
          new TransitionGenerator(model, new Random(modelSeed(options.seed(), model)));
      List<Transition> transitions = new ArrayList<>();
      List<Measurement> baseline = new ArrayList<>();
      List<Measurement> migctl = new ArrayList<>();
      for (int i = 0; i < options.transitions(); i++) {
        Transition t = generator.next(i);
        transitions.add(t);
        try {
          baseline.add(runner.baseline(t));
          migctl.add(runner.migctl(t));
        } catch (RuntimeException e) {
          throw new IllegalStateException(
              "transition "
                  + t
                  + " on "
                  + model.key()
                  + " (seed "
                  + options.seed()
                  + ") failed: "
                  + e.getMessage(),
              e);
        }
      }
      results.add(new TransitionReport.ModelResult(model, transitions, baseline, migctl));
    }
    return new TransitionReport(options.seed(), results);
  }

  /** A per-model seed, so that a model's transitions do not depend on the other models asked. */
  static long modelSeed(long seed, GpuModel model) {
    return seed * 0x9E3779B97F4A7C15L + model.key().hashCode();
  }

  private static void print(TransitionReport report, PrintStream out) {
    out.print(report.markdown());
    out.flush();
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("TransitionBenchmark: could not delete " + root + ": " + e.getMessage());
    }
  }
}
