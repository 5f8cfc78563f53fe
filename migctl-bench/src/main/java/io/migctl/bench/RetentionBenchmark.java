package io.migctl.bench;

import io.migctl.core.job.JobRetention;
import io.migctl.home.MigctlHome;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What finished jobs cost on disk (issue 13.8): N trivial jobs ({@code true}) on a daemon that
 * keeps every finished job, against one that keeps the newest K ({@code serve --keep-finished K}),
 * on a simulated node. The retention timer's sweep is run after every {@code --sweep-every} jobs,
 * as the timer would between them. Prints one Markdown table: the job folders (allocated, as {@code
 * du -sk} reports them), the database files, and the jobs left.
 */
public final class RetentionBenchmark {

  private RetentionBenchmark() {}

  /**
   * @param jobs trivial jobs per daemon
   * @param keep finished jobs the retaining daemon keeps
   * @param sweepEvery jobs between two sweeps
   * @param dir where the temporary daemon homes go
   */
  public record Options(int jobs, int keep, int sweepEvery, Path dir) {

    /** Parses the command line ({@code --jobs N --keep K --sweep-every S --dir DIR}). */
    public static Options parse(String... args) {
      Flags f = Flags.parse(Set.of("jobs", "keep", "sweep-every", "dir"), args);
      return new Options(
          f.integer("jobs", 2000, 1),
          f.integer("keep", 100, 0),
          f.integer("sweep-every", 250, 1),
          Path.of(f.text("dir", System.getProperty("java.io.tmpdir"))));
    }
  }

  public static void main(String[] args) throws Exception {
    BenchMain.run(
        "RetentionBenchmark",
        args,
        Options::parse,
        Options::dir,
        "migctl-bench-retention-",
        (options, work) -> run(options, work, System.err));
  }

  static String run(Options options, Path work, PrintStream progress) throws Exception {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%d trivial jobs on a simulated a100-40gb:1 node, swept every %d jobs%n%n",
            options.jobs(),
            options.sweepEvery()));
    out.append(
        "| --keep-finished | jobs left | job folders | jobs/ (du) | migctl.db | its WAL |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    for (String keep : List.of(JobRetention.ALL, Integer.toString(options.keep()))) {
      progress.printf(
          Locale.ROOT, "bench-retention: %d jobs, --keep-finished %s...%n", options.jobs(), keep);
      Path home = work.resolve("keep-" + keep);
      MigctlHome files = new MigctlHome(home);
      JobRetention retention = JobRetention.parse(List.of(keep));
      try (BenchDaemon d =
          BenchDaemon.start(
              home, "a100-40gb:1", o -> o.withJobs(o.jobs().withKeepFinished(retention)))) {
        for (int done = 0; done < options.jobs(); ) {
          int batch = Math.min(options.sweepEvery(), options.jobs() - done);
          List<Long> ids = new ArrayList<>();
          for (int i = 0; i < batch; i++) {
            ids.add(d.submit("{\"name\": \"trivial\", \"command\": [\"true\"]}"));
          }
          for (long id : ids) {
            d.awaitFinished(id, Duration.ofMinutes(2));
          }
          d.settle();
          d.removeFinished();
          done += batch;
        }
        long left = 0;
        var counts = d.jobCounts();
        for (var it = counts.elements(); it.hasNext(); ) {
          left += it.next().asLong();
        }
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d | %s | %s | %s |%n",
                keep,
                left,
                folders(files.jobs()),
                kib(duKiB(files.jobs())),
                kib(size(files.database()) / 1024),
                // SQLite's write-ahead log, beside the database
                kib(size(Path.of(files.database() + "-wal")) / 1024)));
      }
    }
    out.append(
        "\nThe database file does not shrink (SQLite reuses the freed pages): it stops growing."
            + " The WAL is checkpointed back into it every 1000 pages.\n");
    return out.toString();
  }

  private static long folders(Path jobs) throws IOException {
    try (Stream<Path> s = Files.list(jobs)) {
      return s.count();
    }
  }

  /** Allocated size as {@code du -sk} reports it. */
  private static long duKiB(Path dir) throws IOException, InterruptedException {
    ToolResult du =
        new SystemToolRunner()
            .run(ToolCommand.of("du", "-sk", dir.toString()).withOutput(ToolCommand.Output.MERGED));
    String text = du.stdout().strip();
    if (!du.succeeded()) {
      throw new IOException("du -sk " + dir + " failed: " + text);
    }
    return Long.parseLong(text.split("\\s+")[0]);
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  private static String kib(long kib) {
    return kib >= 10 * 1024
        ? String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0)
        : String.format(Locale.ROOT, "%d KiB", kib);
  }
}
