package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/environments} on the daemon in-process, with real venv builds. */
class EnvironmentApiIT {

  @TempDir static Path home;
  static TestDaemon d;

  @BeforeAll
  static void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")));
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  @Test
  void buildsInTheDaemonsStoreOnceThenFindsIt() {
    Map<String, Object> body =
        Map.of(
            "spec",
            "name: api-env\ndependencies:\n  - python\nvariables:\n  X: \"1\"\n",
            "source",
            "env.yml",
            "backend",
            "venv");

    TestDaemon.Reply first = d.postJson(EnvironmentApi.PATH, body);
    TestDaemon.Reply second = d.postJson(EnvironmentApi.PATH, body);

    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.json().get("cacheHit").asBoolean()).isFalse();
    String id = first.json().get("build").get("id").asText();
    assertThat(first.json().get("build").get("names").get(0).asText()).isEqualTo("api-env");
    assertThat(home.resolve("envs").resolve(id).resolve("build.json")).isRegularFile();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().get("cacheHit").asBoolean()).isTrue();
    assertThat(second.json().get("build").get("id").asText()).isEqualTo(id);
    // A job names the build by its id, and the daemon finds it in its own store.
    TestDaemon.Reply job =
        d.post("/api/v1/jobs", "{\"command\": [\"true\"], \"environment\": \"" + id + "\"}");
    assertThat(job.status()).isEqualTo(201);
    // Ended before the home is removed: a supervisor still writing would keep it from going.
    d.awaitState(job.json().get("id").asLong(), "succeeded");
  }

  @Test
  void needsTheToken() {
    TestDaemon.Reply r = d.post(EnvironmentApi.PATH, "{\"spec\": \"dependencies: []\"}", null);

    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void aBadSpecIs400WithTheParsersMessageAndNothingBuilt() throws Exception {
    TestDaemon.Reply r =
        d.postJson(
            EnvironmentApi.PATH,
            Map.of("spec", "dependencies:\n  - numpy >=>1\n", "source", "bad.yml"));

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("invalid");
    assertThat(r.json().get("message").asText())
        .startsWith("bad.yml:2")
        .contains("numpy >=>1")
        .doesNotContain("Exception");
    assertThat(names()).doesNotContain("bad");
  }

  @Test
  void badFieldsAre400NamingTheField() {
    assertThat(d.post(EnvironmentApi.PATH, "{}").json().get("message").asText())
        .contains("spec: missing");
    TestDaemon.Reply unknown = d.post(EnvironmentApi.PATH, "{\"spec\": \"x: 1\", \"nope\": 1}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("message").asText()).contains("nope");
    TestDaemon.Reply backend =
        d.postJson(EnvironmentApi.PATH, Map.of("spec", "dependencies: []\n", "backend", "pip"));
    assertThat(backend.status()).isEqualTo(400);
    assertThat(backend.json().get("message").asText())
        .contains("pip")
        .contains("auto, venv, conda, mamba or micromamba");
    TestDaemon.Reply relative =
        d.postJson(
            EnvironmentApi.PATH, Map.of("spec", "dependencies: []\n", "directory", "project"));
    assertThat(relative.status()).isEqualTo(400);
    assertThat(relative.json().get("message").asText())
        .contains("directory: \"project\" is not an absolute path");
    TestDaemon.Reply name =
        d.postJson(
            EnvironmentApi.PATH,
            Map.of("spec", "dependencies:\n  - python\n", "name", "a b", "backend", "venv"));
    assertThat(name.status()).isEqualTo(400);
    assertThat(name.json().get("message").asText()).contains("\"a b\"");
  }

  @Test
  void aBodyOverTheLimitIs413() {
    TestDaemon.Reply r =
        d.postJson(EnvironmentApi.PATH, Map.of("spec", "#".repeat(ApiServer.MAX_REQUEST_BYTES)));

    assertThat(r.status()).isEqualTo(413);
  }

  private static java.util.List<String> names() throws java.io.IOException {
    Path dir = home.resolve("envs/names");
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }
}
