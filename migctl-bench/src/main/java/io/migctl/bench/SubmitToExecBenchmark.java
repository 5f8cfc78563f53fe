package io.migctl.bench;

import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobState;
import io.migctl.daemon.run.JobProcesses;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * How long a trivial job takes from its submission through the REST API until its command runs,
 * against starting the same command with {@link ProcessBuilder} in the same run.
 *
 * <p>The command is {@code date +%s%N} with its standard output in a file: it prints the wall-clock
 * time (CLOCK_REALTIME) at which it runs, which is the clock of {@link Instant#now()}. Latency is
 * that time minus {@link Instant#now()} just before the request is sent, or before {@code start()}
 * is called. The paths, interleaved, each run {@code --warmup} times untimed and then {@code
 * --jobs} times, one job at a time (each waits until the one before has finished):
 *
 * <ol>
 *   <li>{@link ProcessBuilder#start()} of the command: the baseline;
 *   <li>{@link JobProcesses#launch}, without a daemon: {@code setsid}, the supervisor script, the
 *       command;
 *   <li>{@code POST /api/v1/jobs} of a job with no GPU need to a daemon on a simulated {@code
 *       a100-40gb:2} node;
 *   <li>the same with {@code "gpu": "1g.5gb"}, GPU 0 having been given seven free {@code 1g.5gb}
 *       devices through {@code POST /api/v1/layout/apply} first.
 * </ol>
 *
 * <p>For the daemon's paths, the job's stored events (submitted, placed, launched) tell where the
 * time goes.
 *
 * <p>{@code --paths} picks the paths (default {@code process,daemon}; all: {@code
 * process,supervisor,daemon,daemon-gpu}); it must include the baseline.
 *
 * <p>Usage: {@code SubmitToExecBenchmark [--jobs N] [--warmup N] [--paths P1,P2] [--dir DIR]}
 */
public final class SubmitToExecBenchmark {

  /** The simulated node. */
  static final String NODE = "a100-40gb:2";

  /** Gives GPU 0 seven 1g.5gb devices. */
  static final String LAYOUT =
      """
      version: v1
      mig-configs:
        bench:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"1g.5gb": 7}
      """;

  /** The trivial command: prints when it runs, in nanoseconds since the epoch. */
  static final List<String> COMMAND = List.of("date", "+%s%N");

  private static final Duration JOB_DEADLINE = Duration.ofSeconds(60);

  /**
   * What to run.
   *
   * @param jobs timed jobs per path
   * @param warmup untimed jobs per path first
   * @param routes the paths, the baseline ({@link Route#PROCESS}) among them
   * @param dir where the temporary home goes (a fresh folder inside it)
   */
  public record Options(int jobs, int warmup, List<Route> routes, Path dir) {

    public static final int DEFAULT_JOBS = 200;
    public static final int DEFAULT_WARMUP = 20;
    public static final List<Route> DEFAULT_ROUTES = List.of(Route.PROCESS, Route.DAEMON);

    public Options {
      routes = routes.stream().distinct().sorted().toList();
      if (jobs < 1) {
        throw new IllegalArgumentException("--jobs must be at least 1, was " + jobs);
      }
      if (warmup < 0) {
        throw new IllegalArgumentException("--warmup must not be negative, was " + warmup);
      }
      if (!routes.contains(Route.PROCESS)) {
        throw new IllegalArgumentException(
            "--paths must include " + Route.PROCESS.key + ", the baseline");
      }
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the bad argument and what is accepted
     */
    public static Options parse(String... args) {
      Flags f = Flags.parse(Set.of("jobs", "warmup", "paths", "dir"), args);
      List<String> keys = Arrays.stream(Route.values()).map(r -> r.key).toList();
      return new Options(
          f.integer("jobs", DEFAULT_JOBS, 1),
          f.integer("warmup", DEFAULT_WARMUP, 0),
          f.words("paths", DEFAULT_ROUTES.stream().map(r -> r.key).toList(), keys).stream()
              .map(Route::of)
              .toList(),
          Path.of(f.text("dir", System.getProperty("java.io.tmpdir"))));
    }
  }

  /** The ways of starting the command: the rows, in the order they are run and printed. */
  public enum Route {
    /** {@link ProcessBuilder#start()}: the baseline. */
    PROCESS("process", "ProcessBuilder.start (baseline)"),
    /** {@link JobProcesses#launch}, without a daemon. */
    SUPERVISOR("supervisor", "JobProcesses.launch: setsid + supervisor.sh, no daemon"),
    /** The daemon, a job without a GPU. */
    DAEMON("daemon", "daemon: POST /api/v1/jobs, no GPU"),
    /** The daemon, a job on a free 1g.5gb device. */
    DAEMON_GPU("daemon-gpu", "daemon: POST /api/v1/jobs, gpu 1g.5gb (free device)");

    final String key;
    final String label;

    Route(String key, String label) {
      this.key = key;
      this.label = label;
    }

    boolean daemon() {
      return this == DAEMON || this == DAEMON_GPU;
    }

    static Route of(String key) {
      for (Route r : values()) {
        if (r.key.equals(key)) {
          return r;
        }
      }
      throw new IllegalArgumentException("no path " + key);
    }
  }

  /**
   * One job's moments, in nanoseconds since the epoch; 0 where the path has no such moment.
   *
   * @param sent just before the request was sent (or the process started)
   * @param answered the 201 answer arrived (daemon)
   * @param submitted the job's submitted event (daemon: after validation, before the insert)
   * @param placed the job's placed event (daemon)
   * @param spawned {@code start()} or {@code launch()} returned (daemon: the launched event)
   * @param running the command's own reading of the clock
   */
  record Sample(long sent, long answered, long submitted, long placed, long spawned, long running) {

    long latency() {
      return running - sent;
    }
  }

  /**
   * The result.
   *
   * @param machine what it ran on
   * @param samples the timed jobs of each path
   */
  record Report(Options options, String machine, Map<Route, List<Sample>> samples) {

    Percentiles.Summary summary(Route path) {
      return Percentiles.of(samples.get(path).stream().mapToLong(Sample::latency).toArray());
    }

    /** The median of {@code moment - sent} over the samples that have the moment, or NaN. */
    double medianSince(Route path, ToLongFunction<Sample> moment) {
      return medianBetween(path, Sample::sent, moment);
    }

    /** The report as Markdown: a heading, the setup, the latency table and the breakdown. */
    String markdown() {
      StringBuilder b = new StringBuilder();
      b.append("## Submit-to-exec latency of a trivial job\n\n");
      b.append("- machine: ").append(machine).append('\n');
      b.append("- ")
          .append(options.jobs())
          .append(" timed jobs per path after ")
          .append(options.warmup())
          .append(" warm-up, one at a time, the paths interleaved; simulated ")
          .append(NODE)
          .append(" node\n");
      b.append(
          "- the command is `date +%s%N` (output to a file): latency = the time it prints minus"
              + " Instant.now() just before the request is sent / start() is called\n\n");
      Percentiles.Summary base = summary(Route.PROCESS);
      MarkdownTable t =
          new MarkdownTable(
              1,
              "path",
              "p50 ms",
              "p90 ms",
              "p99 ms",
              "max ms",
              "p50 vs baseline",
              "p99 vs baseline");
      for (Route p : samples.keySet()) {
        Percentiles.Summary s = summary(p);
        t.row(
            p.label,
            MarkdownTable.millis(s.p50()),
            MarkdownTable.millis(s.p90()),
            MarkdownTable.millis(s.p99()),
            MarkdownTable.millis(s.max()),
            MarkdownTable.ratio(s.p50(), base.p50()),
            MarkdownTable.ratio(s.p99(), base.p99()));
      }
      b.append(t.render()).append('\n');

      b.append("Where the time goes: median ms from sending the request to each moment\n\n");
      MarkdownTable w =
          new MarkdownTable(
              1,
              "path",
              "201 answered",
              "submitted event",
              "placed event",
              "spawn returned / launched event",
              "command runs");
      for (Route p : samples.keySet()) {
        w.row(
            p.label,
            cell(medianSince(p, Sample::answered)),
            cell(medianSince(p, Sample::submitted)),
            cell(medianSince(p, Sample::placed)),
            cell(medianSince(p, Sample::spawned)),
            cell(medianSince(p, Sample::running)));
      }
      b.append(w.render()).append('\n');
      double baseTail = medianBetween(Route.PROCESS, Sample::spawned, Sample::running);
      for (Route p : samples.keySet()) {
        if (!p.daemon()) {
          continue;
        }
        double extra = summary(p).p50() - base.p50();
        double supervisor = medianBetween(p, Sample::spawned, Sample::running) - baseTail;
        b.append(
            String.format(
                Locale.ROOT,
                "- %s: %s ms (p50) more than the baseline; from the launched event to the command"
                    + " running (the supervisor script) takes %s ms more than from start()"
                    + " returning to the command running in the baseline: %s of the difference%n",
                p.label,
                MarkdownTable.millis(extra),
                MarkdownTable.millis(supervisor),
                percent(supervisor, extra)));
      }
      if (samples.containsKey(Route.SUPERVISOR)) {
        double extra = summary(Route.SUPERVISOR).p50() - base.p50();
        b.append(
            String.format(
                Locale.ROOT,
                "- %s, the supervisor alone: %s ms (p50) more than the baseline%n",
                Route.SUPERVISOR.label,
                MarkdownTable.millis(extra)));
      }
      b.append(
          "- medians of each moment are taken separately, so a row need not add up; event"
              + " times come from the daemon's clock (the same wall clock, in this JVM)\n");
      return b.toString();
    }

    /** The median of {@code to - from} over the samples that have both moments, or NaN. */
    double medianBetween(Route path, ToLongFunction<Sample> from, ToLongFunction<Sample> to) {
      long[] v =
          samples.get(path).stream()
              .filter(s -> from.applyAsLong(s) != 0 && to.applyAsLong(s) != 0)
              .mapToLong(s -> to.applyAsLong(s) - from.applyAsLong(s))
              .toArray();
      return v.length == 0 ? Double.NaN : Percentiles.nearestRank(sortedCopy(v), 50);
    }

    private static String percent(double part, double whole) {
      return whole <= 0 || Double.isNaN(part)
          ? "n/a"
          : String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
    }

    private static String cell(double nanos) {
      return Double.isNaN(nanos) ? "–" : MarkdownTable.millis(nanos);
    }
  }

  private SubmitToExecBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(
        "SubmitToExecBenchmark",
        args,
        Options::parse,
        Options::dir,
        "migctl-bench-exec-",
        (options, work) -> run(options, work, System.err).markdown());
  }

  /**
   * Runs the benchmark in {@code work}, which must exist and may be deleted afterwards.
   *
   * @param progress gets a line as the run starts
   */
  static Report run(Options options, Path work, PrintStream progress) throws Exception {
    progress.printf(
        Locale.ROOT,
        "bench-daemon: submit-to-exec latency, %d + %d warm-up jobs per path...%n",
        options.jobs(),
        options.warmup());
    Map<Route, List<Sample>> samples = new EnumMap<>(Route.class);
    for (Route p : options.routes()) {
      samples.put(p, new ArrayList<>());
    }
    JobProcesses processes = new JobProcesses();
    Path processDir = Files.createDirectories(work.resolve("process"));
    Path supervisorDir = Files.createDirectories(work.resolve("supervisor"));
    boolean needsDaemon = options.routes().stream().anyMatch(Route::daemon);
    try (BenchDaemon daemon = needsDaemon ? BenchDaemon.start(work.resolve("home"), NODE) : null) {
      if (options.routes().contains(Route.DAEMON_GPU)) {
        daemon.applyLayout(LAYOUT, "bench");
      }
      for (int i = 0; i < options.warmup() + options.jobs(); i++) {
        boolean timed = i >= options.warmup();
        for (Route p : options.routes()) {
          Sample s =
              switch (p) {
                case PROCESS -> direct(processDir, i);
                case SUPERVISOR -> supervised(processes, supervisorDir, i);
                case DAEMON -> submitted(daemon, i, Optional.empty());
                case DAEMON_GPU -> submitted(daemon, i, Optional.of("1g.5gb"));
              };
          if (timed) {
            samples.get(p).add(s);
          }
        }
      }
    }
    return new Report(options, Machine.describe(work), samples);
  }

  private static Sample direct(Path dir, int i) throws IOException, InterruptedException {
    Path out = dir.resolve(i + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(COMMAND)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    long sent = epochNanos();
    Process p = pb.start();
    long spawned = epochNanos();
    if (!p.waitFor(JOB_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", COMMAND) + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", COMMAND) + " exited " + p.exitValue());
    }
    return new Sample(sent, 0, 0, 0, spawned, readClock(out));
  }

  private static Sample supervised(JobProcesses processes, Path dir, int i) throws Exception {
    Path attempt = dir.resolve(Integer.toString(i));
    long sent = epochNanos();
    JobProcesses.Launched launched =
        processes.launch(attempt, COMMAND, BenchDaemon.jobEnvironment(), dir);
    long spawned = epochNanos();
    launched.exited().get(JOB_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    return new Sample(sent, 0, 0, 0, spawned, readClock(attempt.resolve("stdout.log")));
  }

  private static Sample submitted(BenchDaemon daemon, int i, Optional<String> gpu)
      throws Exception {
    String name = "exec-" + gpu.orElse("none") + "-" + i;
    String body =
        "{\"name\":\""
            + name
            + "\",\"command\":"
            + BenchDaemon.JSON.writeValueAsString(COMMAND)
            + gpu.map(g -> ",\"gpu\":\"" + g + "\"").orElse("")
            + "}";
    long sent = epochNanos();
    long id = daemon.submit(body);
    long answered = epochNanos();
    JobEvent end = daemon.awaitFinished(id, JOB_DEADLINE);
    daemon.settle();
    if (end.to() != JobState.SUCCEEDED) {
      throw new IllegalStateException(
          "job " + id + " (" + name + ") ended " + end.to().wireName() + ": " + end.detail());
    }
    long submittedAt = 0;
    long placedAt = 0;
    long launchedAt = 0;
    for (JobEvent e : daemon.events(id)) {
      switch (e.kind()) {
        case "submitted" -> submittedAt = epochNanos(e.at());
        case "placed" -> {
          placedAt = epochNanos(e.at());
          if (gpu.isPresent() && e.device().isEmpty()) {
            throw new IllegalStateException("job " + id + " was placed without a MIG device");
          }
        }
        case "launched" -> launchedAt = epochNanos(e.at());
        default -> {
          // exited and the like come after the command ran
        }
      }
    }
    return new Sample(
        sent,
        answered,
        submittedAt,
        placedAt,
        launchedAt,
        readClock(daemon.attemptDir(id, 1).resolve("stdout.log")));
  }

  /** Reads the nanoseconds since the epoch that {@code date +%s%N} wrote. */
  static long readClock(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file).strip();
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("the command wrote no " + file, e);
    }
    try {
      return parseClock(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads what {@code date +%s%N} printed: nanoseconds since the epoch.
   *
   * @throws IllegalArgumentException when it is not such a number (e.g. a {@code date} without
   *     {@code %N}, which prints the letter N)
   */
  static long parseClock(String text) {
    String t = text.strip();
    if (t.length() < 19 || !t.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "expected nanoseconds since the epoch from date +%s%N, got \""
              + t
              + "\" (a date without %N support?)");
    }
    return Long.parseLong(t);
  }

  static long epochNanos() {
    return epochNanos(Instant.now());
  }

  static long epochNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static long[] sortedCopy(long[] v) {
    long[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
