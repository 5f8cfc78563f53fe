package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.plan.ReshapeGate;
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

  static final String MIG_OFF =
      """
      version: v1
      mig-configs:
        no-mig:
          - devices: all
            mig-enabled: false
      """;

  @TempDir Path home;

  @Test
  void reshapesIdleInstancesForAJobThatFitsNoDeviceAndNeverTouchesBusyOnes() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            new Repartition(true, new ReshapeGate.Params(Duration.ofSeconds(60), Duration.ZERO)))) {
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
        cancelAll(d, sleepers);
      }
    }
  }

  @Test
  void oneReshapeServesEveryJobItCanForTheWholeQueue() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            new Repartition(true, new ReshapeGate.Params(Duration.ofSeconds(60), Duration.ZERO)))) {
      // With MIG off nothing can be reshaped: both jobs wait until the layout below exists, and
      // are then offered together.
      TestDaemon.Reply off =
          d.postJson("/api/v1/layout/apply", Map.of("config", MIG_OFF, "select", "no-mig"));
      assertThat(off.status()).as(off.body()).isEqualTo(200);
      List<Long> jobs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        jobs.add(
            d.submit(
                Map.of("name", "mid-" + i, "command", List.of("sleep", "60"), "gpu", "3g.20gb")));
      }
      for (long id : jobs) {
        TestDaemon.await(
            "a waiting reason",
            Duration.ofSeconds(20),
            () -> d.get("/api/v1/jobs/" + id).json().hasNonNull("waiting"));
      }
      try {
        applySevenSmall(d);
        for (long id : jobs) {
          d.awaitState(id, "running");
        }
        // Keeping any 1g.5gb would leave room for one 3g.20gb only: one reshape made room for
        // both (4g.20gb + 3g.20gb: as many jobs, and the ties go to more compute).
        assertThat(d.get("/api/v1/gpus").json().findValues("profile"))
            .extracting(JsonNode::asText)
            .containsExactlyInAnyOrder("4g.20gb", "3g.20gb");
        List<String> devices = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (long id : jobs) {
          devices.add(d.get("/api/v1/jobs/" + id).json().get("device").get("uuid").asText());
          for (JsonNode e : d.get("/api/v1/jobs/" + id + "/events").json()) {
            if (e.get("kind").asText().equals("reshape")) {
              details.add(e.get("detail").asText());
            }
          }
        }
        assertThat(devices).doesNotHaveDuplicates();
        assertThat(details).hasSize(2);
        for (String detail : details) {
          assertThat(detail)
              .contains(
                  "GPU 0: destroy idle 1g.5gb@0:1, 1g.5gb@1:1, 1g.5gb@2:1, 1g.5gb@3:1, 1g.5gb@4:1,"
                      + " 1g.5gb@5:1, 1g.5gb@6:1; create 4g.20gb@0:4, 3g.20gb@4:4")
              .contains("score 2.00 vs 0.00 kept");
        }
      } finally {
        cancelAll(d, jobs);
      }
    }
  }

  @Test
  void aCoolingGpuStillFillsRoomNoInstanceTakes() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    // MIG on and no instance: the first job's reshape only creates, and so may the second's,
    // however long the cooldown.
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            new Repartition(true, new ReshapeGate.Params(Duration.ofMinutes(30), Duration.ZERO)))) {
      List<Long> jobs = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          long id =
              d.submit(
                  Map.of("name", "mid-" + i, "command", List.of("sleep", "60"), "gpu", "3g.20gb"));
          jobs.add(id);
          d.awaitState(id, "running");
        }
        assertThat(d.get("/api/v1/gpus").json().findValues("profile"))
            .extracting(JsonNode::asText)
            .hasSize(2)
            .allMatch(p -> p.equals("3g.20gb") || p.equals("4g.20gb"));
        for (long id : jobs) {
          String detail = "";
          for (JsonNode e : d.get("/api/v1/jobs/" + id + "/events").json()) {
            if (e.get("kind").asText().equals("reshape")) {
              detail = e.get("detail").asText();
            }
          }
          assertThat(detail).contains("destroy nothing");
        }
      } finally {
        cancelAll(d, jobs);
      }
    }
  }

  @Test
  void aJobThatACoolingGpuWouldServeSaysWhenItsChanceComes() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            new Repartition(true, new ReshapeGate.Params(Duration.ofMinutes(10), Duration.ZERO)))) {
      applySevenSmall(d);
      long first =
          d.submit(Map.of("name", "first", "command", List.of("sleep", "60"), "gpu", "3g.20gb"));
      d.awaitState(first, "running");
      // The second 3g.20gb would need the idle 1g.5gb at 0..3 destroyed: not within the cooldown.
      long second =
          d.submit(
              Map.of("name", "second", "command", List.of("sh", "-c", "exit 0"), "gpu", "3g.20gb"));
      TestDaemon.await(
          "a note about the cooldown",
          Duration.ofSeconds(20),
          () ->
              d.get("/api/v1/jobs/" + second)
                  .json()
                  .path("waiting")
                  .asText()
                  .contains("reshaped less than 600s ago (next chance in"));
      assertThat(d.get("/api/v1/jobs/" + second).json().get("state").asText()).isEqualTo("queued");
      assertThat(d.get("/api/v1/gpus").json().findValues("profile"))
          .extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "3g.20gb");
      // The first job's slice frees: the second takes it, and its note goes.
      d.post("/api/v1/jobs/" + first + "/cancel", "{}");
      d.awaitState(second, "succeeded");
      assertThat(d.get("/api/v1/jobs/" + second).json().has("waiting")).isFalse();
    }
  }

  /**
   * The API says why a job waits in words ({@code waiting}) and as data ({@code wait}). That
   * nothing is reshaped without {@code --repartition}, however long the job waits, is {@link
   * JobRuntimeScenarioTest#withoutRepartitionAJobNoDeviceOffersWaitsWithItsReasonAndNothingIsReshaped}
   * on virtual time.
   */
  @Test
  void withoutRepartitionTheApiSaysWhyTheJobWaitsInWordsAndAsData() throws Exception {
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
      JsonNode job = d.get("/api/v1/jobs/" + big).json();
      assertThat(job.get("state").asText()).isEqualTo("queued");
      assertThat(job.get("waiting").asText()).contains("no MIG device in the current layout");
      JsonNode wait = job.get("wait");
      assertThat(wait.get("kind").asText()).isEqualTo("no-free-device");
      assertThat(wait.get("memoryMiB").asLong()).isEqualTo(job.get("requiredMemoryMiB").asLong());
      assertThat(wait.get("computeSlices").asInt()).isEqualTo(3);
      assertThat(wait.get("fittingInUse").size()).isZero();
      assertThat(wait.get("free").get("1g.5gb").asInt()).isEqualTo(7);
      d.post("/api/v1/jobs/" + big + "/cancel", "{}");
    }
  }

  /** Cancels the jobs and waits until they are. */
  private static void cancelAll(TestDaemon d, List<Long> jobs) {
    for (long id : jobs) {
      d.post("/api/v1/jobs/" + id + "/cancel", "{}");
    }
    for (long id : jobs) {
      d.awaitState(id, "cancelled");
    }
  }

  private static void applySevenSmall(TestDaemon d) {
    TestDaemon.Reply applied =
        d.postJson("/api/v1/layout/apply", Map.of("config", SEVEN_SMALL, "select", "all-1g"));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
  }
}
