package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both daemon benchmarks end to end with a few jobs; what they print is checked, not timed. */
class DaemonBenchmarksIT {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir Path work;

  @Test
  void submitThroughputRunsEveryRowAndTheDaemonKeepsEveryJob() throws Exception {
    DaemonSubmitBenchmark.Options options =
        new DaemonSubmitBenchmark.Options(12, 3, List.of(1, 3), 3, work);
    DaemonSubmitBenchmark.Report report = DaemonSubmitBenchmark.run(options, work, QUIET);
    // run() itself fails unless the daemon reports all 12 jobs queued.
    assertThat(report.rows()).hasSize(8);
    for (DaemonSubmitBenchmark.Row row : report.rows()) {
      assertThat(row.rounds()).as(row.kind() + " x" + row.threads()).hasSize(3);
      assertThat(row.count()).as(row.kind() + " x" + row.threads()).isEqualTo(12);
    }
    assertThat(report.sqlite()).startsWith("journal_mode=wal, synchronous=2 (FULL)");
    assertThat(report.markdown())
        .contains("| SQLite alone: SqliteJobStore.insert, 1 transaction/job")
        .contains("| SQLite alone: SqliteJobStore.insert, concurrent ones share commits")
        .contains("| daemon: POST /api/v1/jobs")
        .contains("| HTTP floor: GET /api/v1/health")
        .contains("- 3 threads: the daemon accepts ");
  }

  @Test
  void submitToExecRunsTheCommandOnEveryPath() throws Exception {
    SubmitToExecBenchmark.Options options =
        new SubmitToExecBenchmark.Options(
            3, 1, List.of(SubmitToExecBenchmark.Route.values()), work);
    SubmitToExecBenchmark.Report report = SubmitToExecBenchmark.run(options, work, QUIET);
    for (SubmitToExecBenchmark.Route route : SubmitToExecBenchmark.Route.values()) {
      List<SubmitToExecBenchmark.Sample> samples = report.samples().get(route);
      assertThat(samples).as(route.key).hasSize(3);
      for (SubmitToExecBenchmark.Sample s : samples) {
        assertThat(s.sent()).as(route.key).isPositive();
        assertThat(s.spawned()).as(route.key).isPositive();
        assertThat(s.running()).as(route.key).isPositive();
        if (route.daemon()) {
          assertThat(List.of(s.answered(), s.submitted(), s.placed()))
              .as(route.key)
              .allMatch(t -> t > 0);
        }
      }
      assertThat(report.markdown()).contains("| " + route.label);
    }
  }
}
