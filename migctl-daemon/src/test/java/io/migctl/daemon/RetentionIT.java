package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.JobRetention;
import io.migctl.daemon.store.Database;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finished jobs do not pile up forever (issue 13.8): beyond {@code --keep-finished} their rows,
 * events and folders go, oldest first, at start and on the retention timer; queued and running jobs
 * stay, whatever their age.
 */
class RetentionIT {

  @TempDir Path home;
  @TempDir Path work;

  private static final Map<String, String> ENV =
      Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

  private TestDaemon keeping(SimulatedMigDriver sim, String keep) throws Exception {
    return new TestDaemon(
        home,
        sim,
        ENV,
        o -> o.withJobs(o.jobs().withKeepFinished(JobRetention.parse(List.of(keep)))));
  }

  private Path folder(long id) {
    return home.resolve("jobs").resolve(Long.toString(id));
  }

  @Test
  void keepingThreeRemovesTheOldestFinishedJobsRowsEventsAndFoldersButNoUnfinishedOne()
      throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    Path go = work.resolve("go");
    List<Long> finished = new ArrayList<>();
    long queued;
    long running;
    try (TestDaemon d = keeping(sim, "3")) {
      // Waits for ever: no MIG device exists.
      queued = d.submit(Map.of("name", "queued", "command", List.of("true"), "gpu", "1g.5gb"));
      running =
          d.submit(
              Map.of(
                  "name",
                  "running",
                  "command",
                  List.of(
                      "sh",
                      "-c",
                      "while [ ! -e \"$1\" ]; do sleep 0.05; done",
                      "r",
                      go.toString())));
      d.awaitState(running, "running");
      for (int i = 0; i < 5; i++) {
        long id = d.submit(Map.of("name", "done-" + i, "command", List.of("true")));
        d.awaitState(id, "succeeded"); // one after the other: they finish in id order
        finished.add(id);
      }
      finished.forEach(id -> assertThat(folder(id)).isDirectory());

      assertThat(d.daemon().jobs().removeFinished())
          .containsExactly(finished.get(0), finished.get(1));

      for (long gone : finished.subList(0, 2)) {
        assertThat(d.get("/api/v1/jobs/" + gone).status()).isEqualTo(404);
        assertThat(d.get("/api/v1/jobs/" + gone + "/events").status()).isEqualTo(404);
        assertThat(folder(gone)).doesNotExist();
      }
      for (long kept : finished.subList(2, 5)) {
        assertThat(d.get("/api/v1/jobs/" + kept).json().get("state").asText())
            .isEqualTo("succeeded");
        assertThat(folder(kept)).isDirectory();
      }
      assertThat(d.get("/api/v1/jobs/" + queued).json().get("state").asText()).isEqualTo("queued");
      assertThat(d.get("/api/v1/jobs/" + running).json().get("state").asText())
          .isEqualTo("running");
      assertThat(folder(running).resolve("attempt-1/supervisor.pid")).exists();
      // A second look removes nothing more.
      assertThat(d.daemon().jobs().removeFinished()).isEmpty();
    }
    assertThat(eventRows(finished.subList(0, 2))).isZero();
    assertThat(eventRows(finished.subList(2, 5))).isPositive();

    // At start, a daemon keeping one removes two more; the unfinished jobs stay.
    try (TestDaemon d = keeping(sim, "1")) {
      TestDaemon.await(
          "the retention at start",
          Duration.ofSeconds(30),
          // Rows go first, then folders: wait for both.
          () ->
              d.get("/api/v1/jobs/" + finished.get(3)).status() == 404
                  && !Files.exists(folder(finished.get(3))));
      assertThat(d.get("/api/v1/jobs/" + finished.get(2)).status()).isEqualTo(404);
      assertThat(d.get("/api/v1/jobs/" + finished.get(4)).status()).isEqualTo(200);
      assertThat(folder(finished.get(3))).doesNotExist();
      assertThat(d.get("/api/v1/jobs/" + queued).json().get("state").asText()).isEqualTo("queued");
      assertThat(d.get("/api/v1/jobs/" + running).json().get("state").asText())
          .isEqualTo("running");
      Files.createFile(go);
      d.awaitState(running, "succeeded");
      assertThat(folder(running)).isDirectory();
    }
  }

  /** Rows of job_events for these jobs, read from the database file itself. */
  private long eventRows(List<Long> ids) {
    try (Database db = Database.open(home.resolve("migctl.db"))) {
      return db.read(
          "count events",
          c -> {
            long n = 0;
            for (long id : ids) {
              try (PreparedStatement s =
                  c.prepareStatement("SELECT count(*) FROM job_events WHERE job_id = ?")) {
                s.setLong(1, id);
                try (ResultSet rs = s.executeQuery()) {
                  rs.next();
                  n += rs.getLong(1);
                }
              }
            }
            return n;
          });
    }
  }
}
