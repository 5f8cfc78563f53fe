package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.bench.DaemonSubmitBenchmark.Kind;
import io.migctl.bench.DaemonSubmitBenchmark.Options;
import io.migctl.bench.DaemonSubmitBenchmark.Report;
import io.migctl.bench.DaemonSubmitBenchmark.Row;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonSubmitBenchmarkTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void defaultsAndOverrides() {
    Options d = Options.parse();
    assertThat(d.jobs()).isEqualTo(2000);
    assertThat(d.warmup()).isEqualTo(5000);
    assertThat(d.threads()).containsExactly(1, 8);
    assertThat(d.rounds()).isEqualTo(10);
    Options o =
        Options.parse("--jobs", "5", "--warmup", "0", "--threads", "2", "--dir", "/var/tmp");
    assertThat(o).isEqualTo(new Options(5, 0, List.of(2), 5, Path.of("/var/tmp")));
    assertThatThrownBy(() -> Options.parse("--rounds", "11", "--jobs", "10"))
        .hasMessageContaining("--rounds must lie between 1 and --jobs (10), was 11");
    assertThatThrownBy(() -> Options.parse("--threads", "0"))
        .hasMessage("--threads must be at least 1, was 0");
  }

  @Test
  void theSubmissionIsValidJsonAskingForTheUnplaceableProfile() throws Exception {
    JsonNode body = BenchDaemon.JSON.readTree(DaemonSubmitBenchmark.submission("bench-7"));
    assertThat(body.get("name").asText()).isEqualTo("bench-7");
    assertThat(body.get("gpu").asText()).isEqualTo("7g.40gb");
    assertThat(body.get("command").get(0).asText()).isEqualTo("true");
  }

  @Test
  void rowsAddUpTheirRoundsAndPrintRatiosAgainstSqliteOfTheSameThreadCount() {
    // SQLite: 100 inserts in 2 rounds of 50, each taking 0.5 s: 100/s.
    // CPU: 0.2 s for the 100 inserts, 2 ms each.
    Row sqlite =
        new Row(Kind.SQLITE, 1, List.of(run(50, SECOND / 2), run(50, SECOND / 2)), SECOND / 5);
    // Daemon: the first round takes 1 s, the second 4 s: 20/s, 50/s then 12.5/s.
    Row submit =
        new Row(Kind.SUBMIT, 1, List.of(run(50, SECOND), run(50, 4 * SECOND)), SECOND / 10);
    Row health =
        new Row(Kind.HEALTH, 1, List.of(run(50, SECOND / 4), run(50, SECOND / 4)), SECOND / 20);
    Row shared =
        new Row(
            Kind.SQLITE_SHARED, 1, List.of(run(50, SECOND / 4), run(50, SECOND / 4)), SECOND / 5);
    assertThat(sqlite.perSecond()).isEqualTo(100.0);
    assertThat(submit.perSecond()).isEqualTo(20.0);
    assertThat(submit.meanNanosPerRequest()).isEqualTo(50_000_000.0);
    Report report =
        new Report(
            new Options(100, 0, List.of(1), 2, Path.of("/tmp")),
            "a test machine",
            "journal_mode=wal, synchronous=2 (FULL)",
            List.of(sqlite, shared, submit, health));
    String md = report.markdown();
    assertThat(md)
        .contains("- machine: a test machine")
        .contains("synchronous=2 (FULL)")
        .containsPattern(
            "\\| SQLite alone[^|]*1 transaction/job *\\| +1 \\| +100 \\| +10\\.00 \\| +2\\.00 \\| +100"
                + " \\| +100"
                + " \\| +1\\.00× \\|")
        .containsPattern(
            "\\| SQLite alone[^|]*share commits *\\| +1 \\| +200 \\| +5\\.00 \\| +2\\.00 \\| +200"
                + " \\| +200"
                + " \\| +2\\.00× \\|")
        .containsPattern(
            "\\| daemon: POST[^|]*\\| +1 \\| +20 \\| +50\\.00 \\| +1\\.00 \\| +50 \\| +13 \\| +0\\.20×"
                + " \\|")
        .containsPattern(
            "\\| HTTP floor[^|]*\\| +1 \\| +200 \\| +5\\.00 \\| +0\\.50 \\| +200 \\| +200 \\| +2\\.00×"
                + " \\|")
        .contains(
            "- 1 thread: the daemon accepts 20 jobs/s, 0.20× of SQLite's 100 inserts/s (one"
                + " transaction each) and 0.10× of the 200/s of the store alone with shared"
                + " commits; HTTP, validation and the rest of the daemon add 40.00 ms per job\n");
  }

  /** A run of {@code count} tasks evenly spread over {@code nanos}. */
  private static Parallel.Run run(int count, long nanos) {
    long[] ends = new long[count];
    for (int i = 0; i < count; i++) {
      ends[i] = nanos * (i + 1) / count;
    }
    return new Parallel.Run(0, ends);
  }
}
