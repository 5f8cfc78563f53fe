package io.migctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.job.Admission;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.Requirement;
import io.migctl.core.mig.ProfileName;
import io.migctl.daemon.store.Database;
import io.migctl.daemon.store.SqliteJobStore;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * How many jobs per second the node daemon accepts through {@code POST /api/v1/jobs}, each one
 * committed durably to SQLite before the answer, against the same inserts made straight into a
 * SQLite file with the same settings in the same run.
 *
 * <p>First, to let the JIT compile both paths, a throw-away database file and a throw-away daemon
 * get {@code --warmup} inserts, {@code --warmup} submissions and 4 × {@code --warmup} health
 * requests, untimed. Then for each client thread count, a fresh database file and a fresh daemon on
 * a simulated {@code a100-40gb:2} node get {@code --jobs} requests of each kind, cut into {@code
 * --rounds} slices that take turns (the sync latency of a virtual disk drifts by a factor of ten
 * within a minute; taking turns spreads the drift over all rows alike):
 *
 * <ul>
 *   <li>inserts through {@link SqliteJobStore#insert} into the file, with the daemon's own {@link
 *       Database} (WAL, {@code synchronous=FULL}), each forced into a transaction of its own (one
 *       commit and one sync per job): the baseline;
 *   <li>the same inserts as the daemon makes them, where inserts from several threads at once share
 *       a transaction and its sync ({@link Database#inSharedTransaction}): the best the store can
 *       do on this disk;
 *   <li>{@code POST /api/v1/jobs} to the daemon, each a real HTTP/1.1 request on a kept-alive
 *       connection of its client thread ({@link PlainHttp}), answered once the job is committed
 *       (the same insert, sharing a transaction with other threads' inserts and with its audit
 *       line);
 *   <li>{@code GET /api/v1/health}: an HTTP round trip with one small read and no write, the floor.
 * </ul>
 *
 * <p>Each row gives the wall-clock rate and the CPU time this process (daemon and clients alike)
 * spent per request, which other programs on a shared machine disturb less than the rate.
 *
 * <p>The jobs ask for {@code 7g.40gb}, which no MIG device of the node offers (it has none), so
 * they all stay queued and nothing is launched: the rows measure submission alone. At the end the
 * daemon must report every job queued.
 *
 * <p>Usage: {@code DaemonSubmitBenchmark [--jobs N] [--warmup N] [--threads 1,8] [--rounds N]
 * [--dir DIR]}
 */
public final class DaemonSubmitBenchmark {

  /** The simulated node. */
  static final String NODE = "a100-40gb:2";

  /** Health requests per warm-up submission: the HTTP path needs many more to be compiled. */
  static final int HEALTH_WARMUP_FACTOR = 4;

  /** Untimed health requests per client thread before a daemon's rows, to open connections. */
  static final int CONNECT_REQUESTS = 5;

  /** A profile the node's models know but the node has no device of. */
  static final String UNPLACEABLE_PROFILE = "7g.40gb";

  /**
   * What to run.
   *
   * @param jobs timed requests per row
   * @param warmup untimed inserts and submissions (and 4 × as many health requests) first
   * @param threads the client thread counts, one group of rows each
   * @param rounds how many slices the {@code jobs} requests of each row are cut into, the rows of a
   *     thread count taking turns slice by slice
   * @param dir where the temporary homes and database files go (a fresh folder inside it)
   */
  public record Options(int jobs, int warmup, List<Integer> threads, int rounds, Path dir) {

    public static final int DEFAULT_JOBS = 2000;

    /**
     * Enough for the JIT to have compiled the submission path on this 2-core machine: after 500,
     * the first timed rounds ran at 60 % of the last ones; after 5,000, at 80-100 %. A daemon runs
     * for days, so the rate it keeps is the one worth measuring; the first-round column shows what
     * is left of the warm-up.
     */
    public static final int DEFAULT_WARMUP = 5000;

    public static final List<Integer> DEFAULT_THREADS = List.of(1, 8);
    public static final int DEFAULT_ROUNDS = 10;

    public Options {
      threads = List.copyOf(threads);
      if (jobs < 1) {
        throw new IllegalArgumentException("--jobs must be at least 1, was " + jobs);
      }
      if (warmup < 0) {
        throw new IllegalArgumentException("--warmup must not be negative, was " + warmup);
      }
      if (threads.isEmpty()) {
        throw new IllegalArgumentException("--threads names no thread count");
      }
      if (rounds < 1 || rounds > jobs) {
        throw new IllegalArgumentException(
            "--rounds must lie between 1 and --jobs (" + jobs + "), was " + rounds);
      }
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the bad argument and what is accepted
     */
    public static Options parse(String... args) {
      Flags f = Flags.parse(Set.of("jobs", "warmup", "threads", "rounds", "dir"), args);
      int jobs = f.integer("jobs", DEFAULT_JOBS, 1);
      return new Options(
          jobs,
          f.integer("warmup", DEFAULT_WARMUP, 0),
          f.integers("threads", DEFAULT_THREADS, 1),
          f.integer("rounds", Math.min(DEFAULT_ROUNDS, jobs), 1),
          Path.of(f.text("dir", System.getProperty("java.io.tmpdir"))));
    }
  }

  /** What a row measured. */
  enum Kind {
    SQLITE("SQLite alone: SqliteJobStore.insert, 1 transaction/job"),
    SQLITE_SHARED("SQLite alone: SqliteJobStore.insert, concurrent ones share commits"),
    SUBMIT("daemon: POST /api/v1/jobs (HTTP + validation + same insert)"),
    HEALTH("HTTP floor: GET /api/v1/health (no write)");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * The runs of each kind, with the CPU time this process spent while they ran (all its threads:
   * daemon, clients, compiler, collector), which another program on the machine does not change as
   * much as it changes the wall-clock rates.
   */
  private static final class CpuClock {
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<Kind, List<Parallel.Run>> runs = new EnumMap<>(Kind.class);
    private final Map<Kind, Long> nanos = new EnumMap<>(Kind.class);

    /** A run that {@link #time} measures. */
    @FunctionalInterface
    interface Work {
      Parallel.Run run() throws InterruptedException;
    }

    void time(Kind kind, Work work) throws InterruptedException {
      long before = os.getProcessCpuTime();
      Parallel.Run run = work.run();
      nanos.merge(kind, os.getProcessCpuTime() - before, Long::sum);
      runs.computeIfAbsent(kind, k -> new ArrayList<>()).add(run);
    }

    List<Parallel.Run> runs(Kind kind) {
      return runs.getOrDefault(kind, List.of());
    }

    long nanos(Kind kind) {
      return nanos.getOrDefault(kind, 0L);
    }
  }

  /**
   * One row.
   *
   * @param kind what was timed
   * @param threads client threads
   * @param rounds the timed runs, one per round, in order
   * @param cpuNanos the CPU time of this process during the rounds
   */
  record Row(Kind kind, int threads, List<Parallel.Run> rounds, long cpuNanos) {

    Row {
      rounds = List.copyOf(rounds);
    }

    int count() {
      return rounds.stream().mapToInt(Parallel.Run::count).sum();
    }

    long elapsedNanos() {
      return rounds.stream().mapToLong(Parallel.Run::elapsedNanos).sum();
    }

    /** Requests per second over all rounds. */
    double perSecond() {
      return count() * 1e9 / elapsedNanos();
    }

    /** CPU time of the process (daemon and client together) per request, in nanoseconds. */
    double cpuNanosPerRequest() {
      return (double) cpuNanos / count();
    }

    /** Mean time from sending a request (or starting an insert) to its answer, in nanoseconds. */
    double meanNanosPerRequest() {
      return (double) elapsedNanos() * threads / count();
    }
  }

  /**
   * The result.
   *
   * @param machine what it ran on
   * @param sqlite the SQLite settings read back from the baseline's connection
   * @param rows per thread count: SQLite, daemon, floor
   */
  record Report(Options options, String machine, String sqlite, List<Row> rows) {

    Optional<Row> find(Kind kind, int threads) {
      return rows.stream().filter(r -> r.kind() == kind && r.threads() == threads).findFirst();
    }

    /** The report as Markdown: a heading, the setup, the table and the ratios. */
    String markdown() {
      StringBuilder b = new StringBuilder();
      b.append("## Job submission throughput: REST API vs SQLite alone (durable commits)\n\n");
      b.append("- machine: ").append(machine).append('\n');
      b.append("- SQLite: ").append(sqlite).append('\n');
      b.append("- ")
          .append(options.jobs())
          .append(" timed requests per row, after ")
          .append(options.warmup())
          .append(" warm-up inserts and submissions and ")
          .append(HEALTH_WARMUP_FACTOR * options.warmup())
          .append(" health requests; a fresh database file and a fresh daemon per thread count\n");
      b.append("- jobs ask for ")
          .append(UNPLACEABLE_PROFILE)
          .append(", which no device of the simulated ")
          .append(NODE)
          .append(" node offers, so every job stays queued and nothing is launched\n\n");
      MarkdownTable t =
          new MarkdownTable(
              1,
              "what",
              "threads",
              "per second",
              "ms per request",
              "CPU ms per request",
              "first round /s",
              "last round /s",
              "vs SQLite");
      for (Row r : rows) {
        double base = find(Kind.SQLITE, r.threads()).map(Row::perSecond).orElse(Double.NaN);
        t.row(
            r.kind().label,
            Integer.toString(r.threads()),
            MarkdownTable.whole(r.perSecond()),
            MarkdownTable.millis(r.meanNanosPerRequest()),
            MarkdownTable.millis(r.cpuNanosPerRequest()),
            MarkdownTable.whole(r.rounds().getFirst().perSecond()),
            MarkdownTable.whole(r.rounds().getLast().perSecond()),
            MarkdownTable.ratio(r.perSecond(), base));
      }
      b.append(t.render()).append('\n');
      for (int threads : options.threads()) {
        Optional<Row> sqlite = find(Kind.SQLITE, threads);
        Optional<Row> submit = find(Kind.SUBMIT, threads);
        if (sqlite.isPresent() && submit.isPresent()) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "- %d thread%s: the daemon accepts %s jobs/s, %s of SQLite's %s inserts/s"
                      + " (one transaction each)",
                  threads,
                  threads == 1 ? "" : "s",
                  MarkdownTable.whole(submit.get().perSecond()),
                  MarkdownTable.ratio(submit.get().perSecond(), sqlite.get().perSecond()),
                  MarkdownTable.whole(sqlite.get().perSecond())));
          find(Kind.SQLITE_SHARED, threads)
              .ifPresent(
                  shared ->
                      b.append(" and ")
                          .append(MarkdownTable.ratio(submit.get().perSecond(), shared.perSecond()))
                          .append(" of the ")
                          .append(MarkdownTable.whole(shared.perSecond()))
                          .append("/s of the store alone with shared commits"));
          if (threads == 1) {
            // With one client, the time per request is the latency, so the difference is the cost.
            b.append("; HTTP, validation and the rest of the daemon add ")
                .append(
                    MarkdownTable.millis(
                        submit.get().meanNanosPerRequest() - sqlite.get().meanNanosPerRequest()))
                .append(" ms per job");
          }
          b.append('\n');
        }
      }
      b.append(
          "- the rows of a thread count take turns in "
              + options.rounds()
              + " rounds of "
              + options.jobs() / options.rounds()
              + " or so requests each, so that a change in the disk's sync latency during the"
              + " run hits them alike; \"first/last round\": the rate in the first and the last"
              + " of them (the daemon holds more queued jobs in each round)\n");
      return b.toString();
    }
  }

  private DaemonSubmitBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(
        "DaemonSubmitBenchmark",
        args,
        Options::parse,
        Options::dir,
        "migctl-bench-submit-",
        (options, work) -> run(options, work, System.err).markdown());
  }

  /**
   * Runs the benchmark in {@code work}, which must exist and may be deleted afterwards.
   *
   * @param progress gets a line as each row starts
   */
  static Report run(Options options, Path work, PrintStream progress) throws Exception {
    int most = Collections.max(options.threads());
    if (options.warmup() > 0) {
      progress.printf(
          Locale.ROOT,
          "bench-daemon: warming up: %d inserts, %d submissions, %d health requests...%n",
          options.warmup(),
          options.warmup(),
          HEALTH_WARMUP_FACTOR * options.warmup());
      try (Database db = Database.open(work.resolve("warmup-sqlite/migctl.db"))) {
        inserts(db, most, 0, options.warmup(), false);
      }
      try (BenchDaemon daemon = BenchDaemon.start(work.resolve("warmup-daemon"), NODE)) {
        Parallel.run(most, options.warmup(), i -> daemon.submit(submission("warmup-" + i)));
        Parallel.run(most, HEALTH_WARMUP_FACTOR * options.warmup(), i -> health(daemon));
      }
    }
    List<Row> rows = new ArrayList<>();
    String sqliteSettings = "unknown";
    for (int threads : options.threads()) {
      progress.printf(
          Locale.ROOT, "bench-daemon: submit throughput, %d client thread(s)...%n", threads);
      CpuClock cpu = new CpuClock();
      try (Database db = Database.open(work.resolve("sqlite-" + threads + "/migctl.db"));
          BenchDaemon daemon = BenchDaemon.start(work.resolve("daemon-" + threads), NODE)) {
        sqliteSettings = settings(db);
        // Untimed: the first requests to a fresh daemon.
        Parallel.run(threads, CONNECT_REQUESTS * threads, i -> health(daemon));
        int done = 0;
        for (int round = 0; round < options.rounds(); round++) {
          int first = done;
          int count = (options.jobs() * (round + 1)) / options.rounds() - done;
          done += count;
          cpu.time(Kind.SQLITE, () -> inserts(db, threads, first, count, true));
          cpu.time(
              Kind.SQLITE_SHARED, () -> inserts(db, threads, options.jobs() + first, count, false));
          cpu.time(
              Kind.SUBMIT,
              () ->
                  Parallel.run(
                      threads, count, i -> daemon.submit(submission("bench-" + (first + i)))));
          cpu.time(Kind.HEALTH, () -> Parallel.run(threads, count, i -> health(daemon)));
        }
        JsonNode counts = daemon.jobCounts();
        long queued = counts.path("queued").asLong(-1);
        if (queued != options.jobs() || counts.size() != 1) {
          throw new IllegalStateException(
              "the daemon should hold "
                  + options.jobs()
                  + " queued jobs and no other, but has "
                  + counts);
        }
      }
      for (Kind k : Kind.values()) {
        rows.add(new Row(k, threads, cpu.runs(k), cpu.nanos(k)));
      }
    }
    return new Report(options, Machine.describe(work), sqliteSettings, rows);
  }

  private static void health(BenchDaemon daemon) throws IOException {
    PlainHttp.Answer r = daemon.get("/api/v1/health");
    if (r.status() != 200) {
      throw new IllegalStateException(
          "GET /api/v1/health answered " + r.status() + ": " + r.body());
    }
  }

  /** The body of a submission of a job that can never be placed on the node. */
  static String submission(String name) {
    return "{\"name\":\""
        + name
        + "\",\"command\":[\"true\"],\"gpu\":\""
        + UNPLACEABLE_PROFILE
        + "\"}";
  }

  /**
   * Inserts {@code count} jobs from {@code threads} threads.
   *
   * @param alone each insert in a transaction of its own (an outer one, which the insert joins),
   *     rather than shared with inserts of other threads
   */
  private static Parallel.Run inserts(Database db, int threads, int first, int count, boolean alone)
      throws InterruptedException {
    SqliteJobStore store = new SqliteJobStore(db);
    GpuNeed need = new GpuNeed.Profile(ProfileName.parse(UNPLACEABLE_PROFILE));
    Optional<Requirement> requirement =
        Admission.requirement(need, SimulatedNodeSpec.parse(NODE).gpus());
    IntConsumer insert =
        i ->
            store.insert(
                JobSpec.of("bench-" + (first + i), List.of("true"), need),
                requirement,
                Optional.empty(),
                Instant.now());
    Parallel.Task task =
        alone
            ? i ->
                db.inTransaction(
                    "insert alone",
                    c -> {
                      insert.accept(i);
                      return null;
                    })
            : insert::accept;
    return Parallel.run(threads, count, task);
  }

  /** E.g. {@code journal_mode=wal, synchronous=2 (FULL)}, as the connection reports them. */
  private static String settings(Database db) {
    return db.read(
        "read settings",
        c -> {
          try (Statement s = c.createStatement()) {
            String mode;
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
              mode = rs.next() ? rs.getString(1) : "?";
            }
            int sync;
            try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
              sync = rs.next() ? rs.getInt(1) : -1;
            }
            String syncName =
                switch (sync) {
                  case 0 -> "OFF";
                  case 1 -> "NORMAL";
                  case 2 -> "FULL";
                  case 3 -> "EXTRA";
                  default -> "?";
                };
            return "journal_mode="
                + mode
                + ", synchronous="
                + sync
                + " ("
                + syncName
                + "), the daemon's Database class (one writing and one reading connection), file "
                + db.file().getFileName();
          }
        });
  }
}
