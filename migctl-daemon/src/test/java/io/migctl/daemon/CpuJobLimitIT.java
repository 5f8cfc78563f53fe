package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs without a GPU cannot fork-storm the node (issue 13.7): no more of them run than the daemon's
 * limit, the rest wait saying why, jobs with a GPU are not held back, and all finish.
 */
class CpuJobLimitIT {

  @TempDir Path home;
  @TempDir Path work;

  /** A job without a GPU that runs until {@code go} exists. */
  private static Map<String, Object> waitingFor(Path go, String name) {
    return Map.of(
        "name",
        name,
        "command",
        List.of("sh", "-c", "while [ ! -e \"$1\" ]; do sleep 0.05; done", name, go.toString()));
  }

  private static String state(TestDaemon d, long id) {
    return d.get("/api/v1/jobs/" + id).json().get("state").asText();
  }

  @Test
  void noMoreJobsWithoutGpuRunThanTheLimitTheRestWaitSayingWhyAndAllFinish() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    Path go = work.resolve("go");
    try (TestDaemon d = new TestDaemon(home, sim, env, o -> o.withJobs(o.jobs().withCpuJobs(2)))) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ids.add(d.submit(waitingFor(go, "cpu-" + i)));
      }
      TestDaemon.await(
          "2 running and 4 waiting for a slot",
          Duration.ofSeconds(30),
          () ->
              ids.stream().filter(id -> state(d, id).equals("running")).count() == 2
                  && ids.stream()
                          .map(id -> d.get("/api/v1/jobs/" + id).json())
                          .filter(j -> j.get("state").asText().equals("queued"))
                          .filter(j -> j.hasNonNull("waiting"))
                          .count()
                      == 4);
      for (long id : ids) {
        JsonNode job = d.get("/api/v1/jobs/" + id).json();
        if (job.get("state").asText().equals("queued")) {
          assertThat(job.get("waiting").asText())
              .isEqualTo("waits for a CPU-job slot: 2 of 2 in use (serve --cpu-jobs)");
        }
      }

      // A job with a GPU is not held back by the full CPU-job slots.
      TestDaemon.Reply applied =
          d.postJson(
              "/api/v1/layout/apply",
              Map.of(
                  "config",
                  "version: v1\nmig-configs:\n  one:\n    - devices: all\n      mig-enabled: true\n"
                      + "      mig-devices: {\"1g.5gb\": 1}\n",
                  "select",
                  "one"));
      assertThat(applied.status()).as(applied.body()).isEqualTo(200);
      long gpuJob = d.submit(Map.of("name", "gpu", "command", List.of("true"), "gpu", "1g.5gb"));
      d.awaitState(gpuJob, "succeeded");
      assertThat(ids.stream().filter(id -> state(d, id).equals("queued")).count()).isEqualTo(4);

      Files.createFile(go);
      for (long id : ids) {
        d.awaitState(id, "succeeded");
      }

      // Over the whole history, in the store's one order of events: never more than 2 at once.
      List<JsonNode> events = new ArrayList<>();
      for (long id : ids) {
        d.get("/api/v1/jobs/" + id + "/events").json().forEach(events::add);
      }
      events.sort((a, b) -> Long.compare(a.get("seq").asLong(), b.get("seq").asLong()));
      Set<Long> holding = new HashSet<>();
      int most = 0;
      for (JsonNode e : events) {
        long job = e.get("jobId").asLong();
        String to = e.get("to").asText();
        if (List.of("starting", "running", "stopping").contains(to)) {
          holding.add(job);
        } else {
          holding.remove(job);
        }
        most = Math.max(most, holding.size());
      }
      assertThat(most).isEqualTo(2);
    }
  }
}
