package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonIT {

  static final String MIXED_LAYOUT =
      """
      version: v1
      mig-configs:
        mixed:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"3g.20gb": 1, "2g.10gb": 1, "1g.5gb": 2}
          - devices: [1]
            mig-enabled: true
            mig-devices: {"2g.10gb": 1, "1g.5gb": 5}
      """;

  @TempDir Path home;

  @Test
  void fiftyMixedJobsEachSeeOnlyTheirOwnDeviceAndNeverShareOne() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    try (TestDaemon d = new TestDaemon(home, sim)) {
      TestDaemon.Reply applied =
          d.postJson("/api/v1/layout/apply", Map.of("config", MIXED_LAYOUT, "select", "mixed"));
      assertThat(applied.status()).as(applied.body()).isEqualTo(200);
      assertThat(d.get("/api/v1/gpus").json().findValues("uuid")).hasSize(2 + 4 + 6);

      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", "job-" + i);
        job.put(
            "command",
            List.of(
                "sh", "-c", "printf '%s\\n' \"$CUDA_VISIBLE_DEVICES\"; sleep 0.05", "job-" + i));
        switch (i % 5) {
          case 0, 1 -> job.put("gpu", "1g.5gb");
          case 2 -> job.put("gpu", "2g.10gb");
          case 3 -> job.put("gpu", "3g.20gb");
          default -> job.put("gpuMemory", "8GiB");
        }
        job.put("tenant", i % 2 == 0 ? "research" : "prod");
        TestDaemon.Reply r = d.postJson("/api/v1/jobs", job);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        ids.add(r.json().get("id").asLong());
      }

      TestDaemon.await(
          "all 50 jobs to finish",
          Duration.ofMinutes(2),
          () ->
              d.get("/api/v1/jobs?state=succeeded,failed,cancelled,lost&limit=100").json().size()
                  == 50);

      for (JsonNode e : d.get("/api/v1/jobs/" + ids.get(49) + "/events").json()) {
        System.err.println("DEBUG " + e);
      }
      Map<Long, String> deviceOf = new HashMap<>();
      for (long id : ids) {
        JsonNode job = d.get("/api/v1/jobs/" + id).json();
        assertThat(job.get("state").asText()).as("job %d: %s", id, job).isEqualTo("succeeded");
        assertThat(job.get("exitStatus").asInt()).isZero();
        String uuid = job.get("device").get("uuid").asText();
        assertThat(uuid).startsWith("MIG-");
        deviceOf.put(id, uuid);
        Path out = d.daemon.jobs().attemptDir(id, 1).resolve("stdout.log");
        assertThat(Files.readString(out)).as("output of job %d", id).isEqualTo(uuid + "\n");
      }

      // The event history: from its placement to its end, a job holds its device; no two such
      // intervals on one device overlap in the global event order.
      Map<String, List<long[]>> holds = new HashMap<>();
      for (long id : ids) {
        long placed = -1;
        for (JsonNode e : d.get("/api/v1/jobs/" + id + "/events").json()) {
          if (e.get("kind").asText().equals("placed")) {
            placed = e.get("seq").asLong();
          }
          if (placed >= 0
              && e.get("to").asText().matches("succeeded|failed|queued|lost|cancelled")
              && !e.get("kind").asText().equals("placed")) {
            holds
                .computeIfAbsent(e.get("device").asText(), k -> new ArrayList<>())
                .add(new long[] {placed, e.get("seq").asLong()});
            placed = -1;
          }
        }
        assertThat(placed).as("job %d ended its hold", id).isEqualTo(-1);
      }
      assertThat(holds.values().stream().mapToInt(List::size).sum()).isEqualTo(50);
      for (Map.Entry<String, List<long[]>> e : holds.entrySet()) {
        List<long[]> list = new ArrayList<>(e.getValue());
        list.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < list.size(); i++) {
          assertThat(list.get(i)[0])
              .as("device %s held twice at once", e.getKey())
              .isGreaterThan(list.get(i - 1)[1]);
        }
      }
      assertThat(holds.keySet()).containsAll(deviceOf.values());
      // nothing stays held
      for (JsonNode gpu : d.get("/api/v1/gpus").json()) {
        for (JsonNode inst : gpu.get("instances")) {
          assertThat(inst.get("busy").asBoolean()).as("%s", inst).isFalse();
        }
      }
    }
  }
}
