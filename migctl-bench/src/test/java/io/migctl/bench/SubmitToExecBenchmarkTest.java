package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.bench.SubmitToExecBenchmark.Options;
import io.migctl.bench.SubmitToExecBenchmark.Report;
import io.migctl.bench.SubmitToExecBenchmark.Route;
import io.migctl.bench.SubmitToExecBenchmark.Sample;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitToExecBenchmarkTest {

  private static final long MS = 1_000_000L;

  @Test
  void defaultsAndOverrides() {
    Options d = Options.parse();
    assertThat(d.jobs()).isEqualTo(200);
    assertThat(d.warmup()).isEqualTo(20);
    assertThat(d.routes()).containsExactly(Route.PROCESS, Route.DAEMON);
    Options o = Options.parse("--jobs", "3", "--paths", "daemon-gpu,process,supervisor");
    assertThat(o.routes()).containsExactly(Route.PROCESS, Route.SUPERVISOR, Route.DAEMON_GPU);
    assertThatThrownBy(() -> Options.parse("--paths", "daemon"))
        .hasMessage("--paths must include process, the baseline");
    assertThatThrownBy(() -> Options.parse("--paths", "process,k8s"))
        .hasMessageContaining("--paths takes some of process,supervisor,daemon,daemon-gpu");
  }

  @Test
  void readsNanosecondsSinceTheEpochAsDatePrintsThem() {
    assertThat(SubmitToExecBenchmark.parseClock("1764345600123456789\n"))
        .isEqualTo(1_764_345_600_123_456_789L);
    assertThatThrownBy(() -> SubmitToExecBenchmark.parseClock("1764345600N"))
        .hasMessageContaining("a date without %N support?");
    assertThatThrownBy(() -> SubmitToExecBenchmark.parseClock(""))
        .hasMessageContaining("expected nanoseconds since the epoch");
    Instant t = Instant.ofEpochSecond(1_764_345_600L, 42);
    assertThat(SubmitToExecBenchmark.epochNanos(t)).isEqualTo(1_764_345_600_000_000_042L);
  }

  @Test
  void printsPercentilesRatiosAndWhereTheTimeGoes() {
    Map<Route, List<Sample>> samples = new EnumMap<>(Route.class);
    samples.put(Route.PROCESS, new ArrayList<>());
    samples.put(Route.DAEMON, new ArrayList<>());
    long t0 = 1_764_345_600_000_000_000L;
    for (int i = 1; i <= 100; i++) {
      // Baseline: i ms, spawn returns 1 ms before the command runs.
      samples.get(Route.PROCESS).add(new Sample(t0, 0, 0, 0, t0 + (i - 1) * MS, t0 + i * MS));
      // Daemon: 10·i ms; answered at 2, submitted at 1, placed at 3, launched at 4 ms.
      samples
          .get(Route.DAEMON)
          .add(new Sample(t0, t0 + 2 * MS, t0 + MS, t0 + 3 * MS, t0 + 4 * MS, t0 + 10 * i * MS));
    }
    Report report =
        new Report(
            new Options(100, 0, List.of(Route.PROCESS, Route.DAEMON), Path.of("/tmp")),
            "m",
            samples);
    assertThat(report.summary(Route.DAEMON).p99()).isEqualTo(990 * MS);
    String md = report.markdown();
    assertThat(md)
        .containsPattern(
            "\\| ProcessBuilder.start \\(baseline\\) +\\| +50\\.00 \\| +90\\.00 \\| +99\\.00 \\|"
                + " +100\\.00 \\| +1\\.00× \\| +1\\.00× \\|")
        .containsPattern(
            "\\| daemon: POST /api/v1/jobs, no GPU +\\| +500\\.00 \\| +900\\.00 \\| +990\\.00 \\|"
                + " +1000\\.00 \\| +10\\.0× \\| +10\\.0× \\|")
        .containsPattern(
            "\\| ProcessBuilder.start \\(baseline\\) +\\| +– \\| +– \\| +– \\| +49\\.00 \\| +50\\.00 \\|")
        .containsPattern(
            "\\| daemon: POST /api/v1/jobs, no GPU +\\| +2\\.00 \\| +1\\.00 \\| +3\\.00 \\| +4\\.00 \\|"
                + " +500\\.00 \\|")
        // Daemon: 500 - 50 = 450 ms more; launched to running 496 ms (median) vs 1 ms: 495 ms.
        .contains(
            "- daemon: POST /api/v1/jobs, no GPU: 450.00 ms (p50) more than the baseline; from the"
                + " launched event to the command running (the supervisor script) takes 495.00 ms"
                + " more than from start() returning to the command running in the baseline: 110%"
                + " of the difference");
  }
}
