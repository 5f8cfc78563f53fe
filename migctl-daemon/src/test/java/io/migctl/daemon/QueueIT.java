package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon keeps its queue in memory between scheduling rounds: what the store says must always
 * win — a job cancelled while queued never starts, a retried job queues again, and a restarted
 * daemon finds the queue it left.
 */
class QueueIT {

  static final String SMALL =
      """
      version: v1
      mig-configs:
        small:
          - devices: all
            mig-enabled: true
            mig-devices: {"1g.5gb": 2}
      """;

  static final String MEDIUM =
      """
      version: v1
      mig-configs:
        medium:
          - devices: all
            mig-enabled: true
            mig-devices: {"2g.10gb": 1}
      """;

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void aCancelledQueuedJobNeverRunsAndARestartedDaemonFindsTheQueue() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    Path cancelledRan = work.resolve("cancelled-ran");
    long cancelled;
    long later;
    try (TestDaemon d = new TestDaemon(home, sim)) {
      // No MIG device exists yet: both wait.
      cancelled = d.submit(touching("cancelled", cancelledRan, "1g.5gb"));
      long kept = d.submit(touching("kept", work.resolve("kept-ran"), "1g.5gb"));
      TestDaemon.await(
          "a waiting reason",
          Duration.ofSeconds(20),
          () -> d.get("/api/v1/jobs/" + kept).json().hasNonNull("waiting"));
      assertThat(d.post("/api/v1/jobs/" + cancelled + "/cancel", "{}").status()).isEqualTo(200);
      assertThat(d.get("/api/v1/jobs/" + cancelled).json().get("state").asText())
          .isEqualTo("cancelled");
      assertThat(d.get("/api/v1/jobs/" + cancelled).json().has("waiting")).isFalse();

      // Two devices appear: only the job still queued takes one.
      apply(d, SMALL, "small");
      d.awaitState(kept, "succeeded");
      assertThat(work.resolve("kept-ran")).exists();
      assertThat(cancelledRan).doesNotExist();
      for (JsonNode e : d.get("/api/v1/jobs/" + cancelled + "/events").json()) {
        assertThat(e.get("kind").asText()).isNotIn("placed", "launched");
      }

      // A job no device of the layout fits is still queued when the daemon stops.
      later = d.submit(touching("later", work.resolve("later-ran"), "2g.10gb"));
      TestDaemon.await(
          "a waiting reason",
          Duration.ofSeconds(20),
          () -> d.get("/api/v1/jobs/" + later).json().hasNonNull("waiting"));
    }
    try (TestDaemon d = new TestDaemon(home, sim)) {
      assertThat(d.get("/api/v1/jobs/" + later).json().get("state").asText()).isEqualTo("queued");
      apply(d, MEDIUM, "medium");
      d.awaitState(later, "succeeded");
      assertThat(work.resolve("later-ran")).exists();
      assertThat(d.get("/api/v1/jobs/" + cancelled).json().get("state").asText())
          .isEqualTo("cancelled");
      assertThat(cancelledRan).doesNotExist();
    }
  }

  @Test
  void aRetriedJobQueuesAgainAndRuns() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    Path marker = work.resolve("first-attempt");
    try (TestDaemon d = new TestDaemon(home, sim)) {
      apply(d, SMALL, "small");
      // Fails on its first attempt, succeeds on the second.
      long id =
          d.submit(
              Map.of(
                  "name",
                  "flaky",
                  "command",
                  List.of(
                      "sh",
                      "-c",
                      "test -e \"$1\" || { : > \"$1\"; exit 3; }",
                      "flaky",
                      marker.toString()),
                  "gpu",
                  "1g.5gb",
                  "retries",
                  1));
      d.awaitState(id, "succeeded");
      JsonNode job = d.get("/api/v1/jobs/" + id).json();
      assertThat(job.get("attempt").asInt()).isEqualTo(2);
      assertThat(Files.exists(marker)).isTrue();
      long queuedEvents = 0;
      for (JsonNode e : d.get("/api/v1/jobs/" + id + "/events").json()) {
        if (e.path("to").asText().equals("queued")) {
          queuedEvents++;
        }
      }
      assertThat(queuedEvents).as("queued on submit and again for the retry").isEqualTo(2);
    }
  }

  private static Map<String, Object> touching(String name, Path file, String profile) {
    return Map.of(
        "name",
        name,
        "command",
        List.of("sh", "-c", ": > \"$1\"", name, file.toString()),
        "gpu",
        profile);
  }

  private static void apply(TestDaemon d, String config, String select) {
    TestDaemon.Reply applied =
        d.postJson("/api/v1/layout/apply", Map.of("config", config, "select", select));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
  }
}
