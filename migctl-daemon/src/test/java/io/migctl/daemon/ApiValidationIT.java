package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad requests get a 4xx with a message that names the problem, and store nothing. */
class ApiValidationIT {

  @TempDir static Path home;
  static TestDaemon d;

  @BeforeAll
  static void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2")));
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  static Stream<Arguments> badSubmissions() {
    return Stream.of(
        Arguments.of("{\"command\": [\"true\"", 400, "malformed JSON"),
        Arguments.of("[1,2,3]", 400, "wrong type"),
        Arguments.of("null", 400, "JSON null"),
        Arguments.of("", 400, "no body"),
        Arguments.of("{\"command\": \"echo hi\"}", 400, "command"),
        Arguments.of("{\"command\": []}", 400, "command: is empty"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpuz\": \"1g.5gb\"}", 400, "unknown field 'gpuz'"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpu\": \"9g.99gb\"}",
            400,
            "no GPU on this node offers profile 9g.99gb"),
        Arguments.of("{\"command\": [\"true\"], \"gpu\": \"big\"}", 400, "gpu:"),
        Arguments.of("{\"command\": [\"true\"], \"gpu\": \"1g.12gb\"}", 400, "profiles here"),
        Arguments.of("{\"command\": [\"true\"], \"gpuMemory\": \"1000TiB\"}", 400, "out of range"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpuMemory\": \"41GiB\"}", 400, "more than any MIG device"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpuMemory\": \"-5GiB\"}", 400, "not a memory size"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpuMemory\": \"8GiB\", \"gpuCompute\": 8}",
            400,
            "more than any MIG device"),
        Arguments.of("{\"command\": [\"true\"], \"gpuCompute\": 2}", 400, "goes with gpuMemory"),
        Arguments.of(
            "{\"command\": [\"true\"], \"gpu\": \"1g.5gb\", \"gpuMemory\": \"1GiB\"}",
            400,
            "not both"),
        Arguments.of(
            "{\"command\": [\"true\"], \"environment\": \"nope\"}",
            400,
            "no environment build or name 'nope'"),
        Arguments.of("{\"command\": [\"true\"], \"priority\": 99999}", 400, "priority"),
        Arguments.of("{\"command\": [\"true\"], \"priority\": \"high\"}", 400, "priority"),
        Arguments.of("{\"command\": [\"true\"], \"timeout\": \"soon\"}", 400, "timeout"),
        Arguments.of("{\"command\": [\"true\"], \"retries\": -1}", 400, "retries"),
        Arguments.of(
            "{\"command\": [\"true\"], \"workdir\": \"relative/dir\"}", 400, "absolute path"),
        Arguments.of(
            "{\"command\": [\"true\"], \"env\": {\"CUDA_VISIBLE_DEVICES\": \"0\"}}",
            400,
            "set by migctl"),
        Arguments.of(
            "{\"command\": [\"true\"], \"env\": {\"1BAD\": \"x\"}}", 400, "not a variable name"),
        Arguments.of("{\"command\": [\"true\"], \"name\": \"../etc\"}", 400, "not a job name"));
  }

  @ParameterizedTest
  @MethodSource("badSubmissions")
  void badSubmissionIsRefusedWithAClearMessageAndStoresNothing(
      String body, int status, String message) {
    int before = d.get("/api/v1/jobs").json().size();
    TestDaemon.Reply r = d.post("/api/v1/jobs", body);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().get("code").asText()).isEqualTo("invalid");
    assertThat(r.json().get("message").asText()).contains(message);
    assertThat(d.get("/api/v1/jobs").json().size()).isEqualTo(before);
    assertThat(d.get("/api/v1/health").json().get("status").asText()).isEqualTo("ok");
  }

  /** Issue 13.15: what could never start is refused at submit, not accepted and then failed. */
  @Test
  void aJobThatCouldNeverStartIsRefusedAtSubmitNamingTheFieldAndTheLimit() {
    String longArgument = "a".repeat(131_072); // 131,073 bytes with its NUL
    String longInBytes = "é".repeat(70_000); // 70,000 characters, 140,000 bytes
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "{\"command\": [\"echo\", \"" + longArgument + "\"]}",
        "command[1]: takes 131073 bytes with its terminating NUL; Linux passes at most 131072"
            + " bytes per argument (MAX_ARG_STRLEN)");
    cases.put(
        "{\"command\": [\"echo\", \"" + longInBytes + "\"]}", "command[1]: takes 140001 bytes");
    cases.put(
        "{\"command\": [\"true\"], \"env\": {\"DATA\": \"" + longArgument + "\"}}",
        "env.DATA: takes 131078 bytes as NAME=VALUE");
    cases.put(
        "{\"command\": [\"true\"], \"workdir\": \"/nonexistent/migctl-workdir\"}",
        "workdir: '/nonexistent/migctl-workdir' does not exist on this node");
    cases.put(
        "{\"command\": [\"true\"], \"workdir\": \"/dev/null\"}",
        "workdir: '/dev/null' is not a directory");
    cases.forEach(
        (body, message) -> {
          int before = d.get("/api/v1/jobs").json().size();
          TestDaemon.Reply r = d.post("/api/v1/jobs", body);
          assertThat(r.status()).as(message).isEqualTo(400);
          assertThat(r.json().get("code").asText()).isEqualTo("invalid");
          assertThat(r.json().get("message").asText()).startsWith(message);
          assertThat(d.get("/api/v1/jobs").json().size()).isEqualTo(before);
        });
  }

  /**
   * Issue 13.15: the exec size limit counts the environment the job would really get — here the
   * daemon's locale variables, which every job inherits, fill it.
   */
  @Test
  void aJobWhoseArgumentsAndEnvironmentExceedTheExecLimitIsRefused(@TempDir Path otherHome)
      throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    // 60 × 120,000 bytes: over any ARG_MAX Linux allows (at most 6 MiB).
    for (int i = 0; i < 60; i++) {
      env.put("LC_MIGCTL_TEST_" + i, "x".repeat(120_000));
    }
    try (TestDaemon big =
        new TestDaemon(
            otherHome,
            SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")),
            env,
            o -> o)) {
      TestDaemon.Reply r = big.post("/api/v1/jobs", "{\"command\": [\"true\"]}");
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.json().get("message").asText())
          .startsWith("command: the command and its environment take 7,")
          .contains("(ARG_MAX)");
      assertThat(big.get("/api/v1/jobs").json().size()).isZero();
    }
  }

  /** Bodies the lenient reader took (issue 13, item 14); each names the field and the problem. */
  static Stream<Arguments> strictBodies() {
    String deep = "[".repeat(3000) + "]".repeat(3000);
    return Stream.of(
        Arguments.of("{\"command\": [\"true\"]} x", "request body: more text after the JSON"),
        Arguments.of("{\"command\": [\"true\"]}{}", "request body: more text after the JSON"),
        Arguments.of(
            "{\"command\": [\"true\"], \"command\": [\"false\"]}",
            "request body: the key \"command\" is given twice at line 1, column 32"),
        Arguments.of("{\"command\": [123]}", "command[0]: expected a string, got the number 123"),
        Arguments.of("{\"command\": [\"true\", null]}", "command[1]: expected a string, got null"),
        Arguments.of(
            "{\"command\": \"true\"}", "command: expected an array, got the string \"true\""),
        Arguments.of(
            "{\"command\": [\"true\"], \"priority\": 1.5}",
            "priority: expected a whole number, got the number 1.5"),
        Arguments.of(
            "{\"command\": [\"true\"], \"priority\": \"5\"}",
            "priority: expected a whole number, got the string \"5\""),
        Arguments.of(
            "{\"command\": [\"true\"], \"priority\": 99999999999}",
            "priority: expected a whole number, got the number 99999999999 (out of range)"),
        Arguments.of(
            "{\"command\": [\"true\"], \"retries\": true}",
            "retries: expected a whole number, got the boolean true"),
        Arguments.of(
            "{\"command\": [\"true\"], \"name\": 7}", "name: expected a string, got the number 7"),
        Arguments.of(
            "{\"command\": [\"true\"], \"env\": {\"A\": 1}}",
            "env.A: expected a string, got the number 1"),
        Arguments.of(
            "{\"command\": [\"true\"], \"env\": {\"A\": null}}",
            "env.A: expected a string, got null"),
        Arguments.of(
            "{\"command\": " + deep + "}",
            "request body: nested more than 64 levels deep (line 1, column "));
  }

  @ParameterizedTest
  @MethodSource("strictBodies")
  void theBodyIsReadStrictlyAndEveryRefusalNamesItsField(String body, String message) {
    int before = d.get("/api/v1/jobs").json().size();
    TestDaemon.Reply r = d.post("/api/v1/jobs", body);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("invalid");
    assertThat(r.json().get("message").asText()).startsWith(message);
    assertThat(d.get("/api/v1/jobs").json().size()).isEqualTo(before);
  }

  @Test
  void aBodyThatIsNotUtf8IsRefusedNamingTheByte() {
    byte[] body = "{\"command\": [\"caf\u00e9\"]}".getBytes(StandardCharsets.ISO_8859_1);
    TestDaemon.Reply r = d.postBytes("/api/v1/jobs", body);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .startsWith("request body: not UTF-8 text at byte 17");
  }

  @Test
  void aLayoutRequestIsReadStrictlyAndItsYamlWithinTheBounds() {
    TestDaemon.Reply quoted =
        d.post("/api/v1/layout/apply", "{\"config\": \"version: v1\", \"dryRun\": \"true\"}");
    assertThat(quoted.status()).as(quoted.body()).isEqualTo(400);
    assertThat(quoted.json().get("message").asText())
        .isEqualTo("dryRun: expected true or false, got the string \"true\"");
    TestDaemon.Reply deep =
        d.postJson(
            "/api/v1/layout/apply",
            java.util.Map.of(
                "config",
                "version: v1\nmig-configs:\n  a: " + "[".repeat(3000) + "]".repeat(3000)));
    assertThat(deep.status()).as(deep.body()).isEqualTo(400);
    assertThat(deep.json().get("message").asText())
        .startsWith("config: request body: nested more than 64 levels deep (line 3, column ");
    assertThat(d.get("/api/v1/health").json().get("status").asText()).isEqualTo("ok");
  }

  @Test
  void oversizedRequestIs413() {
    String big = "{\"command\": [\"" + "x".repeat(2 * 1024 * 1024) + "\"]}";
    int before = d.get("/api/v1/jobs").json().size();
    TestDaemon.Reply r = d.post("/api/v1/jobs", big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("code").asText()).isEqualTo("too-large");
    assertThat(d.get("/api/v1/jobs").json().size()).isEqualTo(before);
  }

  @Test
  void changesWithoutTheTokenAre401() {
    int before = d.get("/api/v1/jobs").json().size();
    TestDaemon.Reply none = d.post("/api/v1/jobs", "{\"command\": [\"true\"]}", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().get("message").asText()).contains("$MIGCTL_HOME/token");
    TestDaemon.Reply wrong = d.post("/api/v1/jobs", "{\"command\": [\"true\"]}", "not-the-token");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(d.post("/api/v1/jobs/1/cancel", "{}", null).status()).isEqualTo(401);
    assertThat(d.post("/api/v1/layout/apply", "{}", null).status()).isEqualTo(401);
    assertThat(d.get("/api/v1/jobs").json().size()).isEqualTo(before);
  }

  @Test
  void unknownJobsAndEndpointsAre404AndBadIds400() {
    assertThat(d.get("/api/v1/jobs/999999").status()).isEqualTo(404);
    assertThat(d.get("/api/v1/jobs/abc").status()).isEqualTo(400);
    assertThat(d.get("/api/v1/nothing").status()).isEqualTo(404);
    assertThat(d.get("/api/v1/nothing").json().get("message").asText()).contains("openapi");
    assertThat(d.post("/api/v1/jobs/999999/cancel", "{}").status()).isEqualTo(404);
    assertThat(d.get("/api/v1/jobs?state=sleeping").status()).isEqualTo(400);
    assertThat(d.get("/api/v1/jobs?limit=0").status()).isEqualTo(400);
  }

  @Test
  void aBadLayoutIsRefusedAndChangesNothing() {
    TestDaemon.Reply r =
        d.postJson(
            "/api/v1/layout/apply",
            java.util.Map.of(
                "config",
                "version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {\"7g.40gb\": 2}\n"));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).contains("7g.40gb");
    assertThat(d.get("/api/v1/gpus").json().findValues("instances").get(0).size()).isZero();
  }

  @Test
  void theOpenApiDocumentDescribesTheRoutes() {
    var doc = d.get("/api/v1/openapi.json").json();
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    assertThat(doc.get("paths").has("/api/v1/jobs")).isTrue();
    assertThat(doc.get("paths").has("/api/v1/jobs/{id}/logs")).isTrue();
  }

  @Test
  void cancellingAFinishedJobIs409() throws Exception {
    TestDaemon.Reply r = d.post("/api/v1/jobs", "{\"command\": [\"true\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    long id = r.json().get("id").asLong();
    TestDaemon.await(
        "job to succeed",
        java.time.Duration.ofSeconds(30),
        () -> d.get("/api/v1/jobs/" + id).json().get("state").asText().equals("succeeded"));
    TestDaemon.Reply c = d.post("/api/v1/jobs/" + id + "/cancel", "{}");
    assertThat(c.status()).isEqualTo(409);
    assertThat(c.json().get("message").asText()).contains("already succeeded");
  }
}
