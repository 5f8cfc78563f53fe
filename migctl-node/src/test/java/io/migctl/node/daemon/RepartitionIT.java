package io.migctl.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepartitionIT {

  static final String SEVEN_SMALL =
      """
      version: v1
      mig-configs:
        all-1g:
          - devices: all
            mig-enabled: true
            mig-devices: {"1g.5gb": 7}
      """;

  @TempDir Path home;

  @Test
  void reshapesIdleInstancesForAJobThatFitsNoDeviceAndNeverTouchesBusyOnes() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home, sim, new JobService.Repartition(true, Duration.ofSeconds(60), Duration.ZERO))) {
      applySevenSmall(d);
      List<Long> sleepers = new ArrayList<>();
      Map<Long, String> deviceOf = new HashMap<>();
      try {
        for (int i = 0; i < 2; i++) {
          long id =
              d.submit(
                  Map.of("name", "busy-" + i, "command", List.of("sleep", "60"), "gpu", "1g.5gb"));
          sleepers.add(id);
          d.awaitState(id, "running");
          deviceOf.put(id, d.get("/api/v1/jobs/" + id).json().get("device").get("uuid").asText());
        }

        long big =
            d.submit(
                Map.of("name", "big", "command", List.of("sh", "-c", "exit 0"), "gpu", "3g.20gb"));
        d.awaitState(big, "succeeded");

        JsonNode job = d.get("/api/v1/jobs/" + big).json();
        assertThat(job.get("device").get("profile").asText()).isEqualTo("3g.20gb");
        String bigUuid = job.get("device").get("uuid").asText();
        assertThat(deviceOf.values()).doesNotContain(bigUuid);

        // The busy instances are untouched: same UUIDs, still there, their jobs still running.
        List<String> uuids = d.get("/api/v1/gpus").json().findValuesAsText("uuid");
        assertThat(uuids).contains(bigUuid).containsAll(deviceOf.values());
        for (long id : sleepers) {
          JsonNode s = d.get("/api/v1/jobs/" + id).json();
          assertThat(s.get("state").asText()).isEqualTo("running");
          assertThat(s.get("device").get("uuid").asText()).isEqualTo(deviceOf.get(id));
        }
        // 7 × 1g.5gb less the three in the way of 3g.20gb@4:4, plus the new one.
        assertThat(d.get("/api/v1/gpus").json().findValues("profile"))
            .extracting(JsonNode::asText)
            .containsExactlyInAnyOrder("1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "3g.20gb");

        List<JsonNode> reshapes = new ArrayList<>();
        for (JsonNode e : d.get("/api/v1/jobs/" + big + "/events").json()) {
          if (e.get("kind").asText().equals("reshape")) {
            reshapes.add(e);
          }
        }
        assertThat(reshapes).hasSize(1);
        String detail = reshapes.getFirst().get("detail").asText();
        assertThat(detail)
            .contains("GPU 0")
            .contains("destroy idle 1g.5gb@4:1, 1g.5gb@5:1, 1g.5gb@6:1")
            .contains("create 3g.20gb@4:4")
            .contains("fits no free device")
            .contains("no MIG device in the current layout");
      } finally {
        for (long id : sleepers) {
          d.post("/api/v1/jobs/" + id + "/cancel", "{}");
        }
        for (long id : sleepers) {
          d.awaitState(id, "cancelled");
        }
      }
    }
  }

  @Test
  void withoutRepartitionTheJobStaysQueuedWithTheReason() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d = new TestDaemon(home, sim)) {
      applySevenSmall(d);
      long big =
          d.submit(
              Map.of("name", "big", "command", List.of("sh", "-c", "exit 0"), "gpu", "3g.20gb"));
      TestDaemon.await(
          "a waiting reason",
          Duration.ofSeconds(20),
          () -> d.get("/api/v1/jobs/" + big).json().hasNonNull("waiting"));
      Thread.sleep(3000);
      JsonNode job = d.get("/api/v1/jobs/" + big).json();
      assertThat(job.get("state").asText()).isEqualTo("queued");
      assertThat(job.get("waiting").asText()).contains("no MIG device in the current layout");
      for (JsonNode e : d.get("/api/v1/jobs/" + big + "/events").json()) {
        assertThat(e.get("kind").asText()).isNotEqualTo("reshape");
      }
      assertThat(d.get("/api/v1/gpus").json().findValues("profile"))
          .extracting(JsonNode::asText)
          .containsOnly("1g.5gb")
          .hasSize(7);
      d.post("/api/v1/jobs/" + big + "/cancel", "{}");
    }
  }

  private static void applySevenSmall(TestDaemon d) {
    TestDaemon.Reply applied =
        d.postJson("/api/v1/layout/apply", Map.of("config", SEVEN_SMALL, "select", "all-1g"));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
  }
}
