package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every read of the API needs the token, except health, metrics and the API's description; those
 * carry nothing a job or its environment holds.
 */
class ApiAuthIT {

  private static final String SECRET_ARG = "s3cret-argument-4f1e";
  private static final String SECRET_VALUE = "s3cret-value-9a07";

  @TempDir static Path home;
  static TestDaemon d;
  static long job;

  @BeforeAll
  static void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")));
    job =
        d.submit(
            Map.of(
                "name",
                "secrets",
                "command",
                List.of("sh", "-c", "echo " + SECRET_ARG + " $MIGCTL_SECRET"),
                "env",
                Map.of("MIGCTL_SECRET", SECRET_VALUE)));
    d.awaitState(job, "succeeded");
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  private static List<String> reads() {
    return List.of(
        "/api/v1/jobs",
        "/api/v1/jobs?state=succeeded",
        "/api/v1/jobs/" + job,
        "/api/v1/jobs/" + job + "/",
        "/api/v1/jobs/" + job + "/events",
        "/api/v1/jobs/" + job + "/logs",
        "/api/v1/jobs/" + job + "/logs?follow=true",
        "/api/v1/gpus",
        "/api/v1/environments",
        "/api/v1/telemetry",
        "/api/v1/telemetry/history",
        "/api/v1/stream",
        "/api/v1/jobs/999",
        "/api/v1/nothing");
  }

  @Test
  void everyReadWithoutTheTokenOrWithAWrongOneIs401AndShowsNothing() {
    for (String path : reads()) {
      for (String bearer : new String[] {null, "not-the-token"}) {
        TestDaemon.Reply r = d.get(path, bearer);
        assertThat(r.status()).as(path + " with " + bearer).isEqualTo(401);
        assertThat(r.json().get("code").asText()).as(path).isEqualTo("unauthorized");
        assertThat(r.json().get("message").asText())
            .as(path)
            .contains("Authorization: Bearer", "$MIGCTL_HOME/token");
        assertThat(r.body()).as(path).doesNotContain(SECRET_ARG, SECRET_VALUE, "secrets");
      }
    }
  }

  @Test
  void readsWithTheTokenAnswer() {
    assertThat(d.get("/api/v1/jobs/" + job).json().get("command").toString()).contains(SECRET_ARG);
    assertThat(d.get("/api/v1/jobs/" + job + "/logs").body())
        .isEqualTo(SECRET_ARG + " " + SECRET_VALUE + "\n");
    assertThat(d.get("/api/v1/jobs/" + job + "/logs?follow=true").body())
        .isEqualTo(SECRET_ARG + " " + SECRET_VALUE + "\n");
    assertThat(d.get("/api/v1/gpus").status()).isEqualTo(200);
    assertThat(d.get("/api/v1/nothing").status()).isEqualTo(404);
  }

  @Test
  void healthMetricsAndTheApiDescriptionAreOpenAndHoldNoSecrets() {
    for (String path :
        List.of("/api/v1/health", "/metrics", "/api/v1/openapi.json", "/api/v1/openapi.yaml")) {
      TestDaemon.Reply r = d.get(path, null);
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.body())
          .as(path + " holds no command, environment value or token")
          .doesNotContain(SECRET_ARG, SECRET_VALUE, "MIGCTL_SECRET", d.token);
    }
    assertThat(d.get("/metrics", null).body()).contains("migctl_jobs{state=\"succeeded\"");
  }
}
