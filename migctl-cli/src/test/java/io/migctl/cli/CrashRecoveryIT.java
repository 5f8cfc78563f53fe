package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the daemon while jobs run, then a restart: every job reaches its true final
 * state with its true exit status, running ones are re-adopted, nothing is lost or run twice, and
 * no MIG device stays busy without a job. Real processes throughout: the daemon is the shaded jar.
 */
class CrashRecoveryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAYOUT =
      """
      version: v1
      mig-configs:
        crash:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"1g.5gb": 7}
          - devices: [1]
            mig-enabled: true
            mig-devices: {"3g.20gb": 2}
      """;

  /** Waits for its gate file ($0), prints its device once, exits with $1. */
  private static final String GATED =
      "while [ ! -e \"$0\" ]; do sleep 0.05; done; echo \"done $CUDA_VISIBLE_DEVICES\"; exit \"$1\"";

  @TempDir Path home;
  @TempDir Path work;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<Long, String> names = new LinkedHashMap<>();
  private ChildDaemons children;

  @BeforeEach
  void setUp() {
    children = new ChildDaemons(home, work);
  }

  @AfterEach
  void stopDaemons() throws InterruptedException {
    children.stop();
  }

  @Test
  void killingTheDaemonLosesNothing() throws Exception {
    Files.writeString(work.resolve("layout.yaml"), LAYOUT);
    Process apply =
        migctl(
                "--simulate",
                "a100-40gb:2",
                "mig",
                "apply",
                "-f",
                work.resolve("layout.yaml").toString())
            .start();
    assertThat(apply.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(apply.exitValue()).isZero();

    Process first = startDaemon();

    // finished before the crash
    long quickOk = submit("quick-ok", "1g.5gb", List.of("sh", "-c", "echo ok"));
    long quickBad = submit("quick-bad", "1g.5gb", List.of("sh", "-c", "exit 3"));
    // finish while the daemon is down
    long downOk = gated("down-ok", "1g.5gb", 0);
    long downBad = gated("down-bad", "1g.5gb", 7);
    // still running when the daemon is back
    long acrossOk = gated("across-ok", "3g.20gb", 0);
    long acrossBad = gated("across-bad", "3g.20gb", 9);
    // queued behind them: no 3g.20gb left
    long queued = gated("queued", "3g.20gb", 0);
    // its supervisor dies while the daemon is down: lost
    long orphan = gated("orphan", "1g.5gb", 0);

    await(
        "the quick jobs to finish and the gated ones to run",
        () -> {
          return state(quickOk).equals("succeeded")
              && state(quickBad).equals("failed")
              && List.of(downOk, downBad, acrossOk, acrossBad, orphan).stream()
                  .allMatch(id -> state(id).equals("running"))
              // running from its supervisor's start; the command's pid is written after it forks
              && Files.exists(attempt(orphan).resolve("child.pid"));
        });
    assertThat(state(queued)).isEqualTo("queued");
    Map<Long, Long> supervisorBefore = new LinkedHashMap<>();
    for (long id : List.of(downOk, downBad, acrossOk, acrossBad, orphan)) {
      supervisorBefore.put(id, job(id).get("supervisorPid").asLong());
    }
    long orphanChild =
        Long.parseLong(Files.readString(attempt(orphan).resolve("child.pid")).strip());

    // kill -9
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);

    // while it is down: two jobs finish, one supervisor dies
    open(downOk);
    open(downBad);
    await(
        "the exit records of the jobs that ended while the daemon was down",
        () ->
            Files.exists(attempt(downOk).resolve("exit"))
                && Files.exists(attempt(downBad).resolve("exit")));
    ProcessHandle.of(supervisorBefore.get(orphan)).ifPresent(ProcessHandle::destroyForcibly);
    await(
        "the orphan's supervisor to die",
        () ->
            ProcessHandle.of(supervisorBefore.get(orphan)).isEmpty()
                || !ProcessHandle.of(supervisorBefore.get(orphan)).get().isAlive());

    startDaemon();

    await(
        "reconciliation",
        () ->
            state(downOk).equals("succeeded")
                && state(downBad).equals("failed")
                && state(orphan).equals("lost"));
    assertThat(job(downBad).get("exitStatus").asInt()).isEqualTo(7);
    assertThat(job(downOk).get("exitStatus").asInt()).isZero();
    assertThat(job(orphan).get("reason").asText()).contains("gone");
    assertThat(ProcessHandle.of(orphanChild).map(ProcessHandle::isAlive).orElse(false))
        .as("the orphan's command was killed with its group")
        .isFalse();
    // re-adopted, not restarted
    for (long id : List.of(acrossOk, acrossBad)) {
      assertThat(state(id)).isEqualTo("running");
      assertThat(job(id).get("supervisorPid").asLong()).isEqualTo(supervisorBefore.get(id));
    }
    assertThat(state(queued)).isEqualTo("queued");

    open(acrossOk);
    open(acrossBad);
    await(
        "the re-adopted jobs to finish",
        () -> state(acrossOk).equals("succeeded") && state(acrossBad).equals("failed"));
    assertThat(job(acrossBad).get("exitStatus").asInt()).isEqualTo(9);
    await("the queued job to start", () -> state(queued).equals("running"));
    open(queued);
    await("the queued job to finish", () -> state(queued).equals("succeeded"));

    // nothing lost, nothing twice
    JsonNode all = get("/api/v1/jobs");
    assertThat(all.size()).isEqualTo(8);
    for (JsonNode j : all) {
      long id = j.get("id").asLong();
      long launches = 0;
      for (JsonNode e : get("/api/v1/jobs/" + id + "/events")) {
        if (e.get("kind").asText().equals("launched")) {
          launches++;
        }
      }
      assertThat(launches).as("launches of job %d", id).isEqualTo(1);
      assertThat(j.get("attempt").asInt()).isEqualTo(1);
      String out = Files.readString(attempt(id).resolve("stdout.log"));
      if (!j.get("name").asText().startsWith("quick") && id != orphan) {
        assertThat(out)
            .as("output of job %d", id)
            .isEqualTo("done " + j.get("device").get("uuid").asText() + "\n");
      }
    }
    // no device stays busy
    for (JsonNode gpu : get("/api/v1/gpus")) {
      for (JsonNode inst : gpu.get("instances")) {
        assertThat(inst.get("busy").asBoolean()).as("%s", inst).isFalse();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private ProcessBuilder migctl(String... args) {
    return children.migctl(args);
  }

  private Process startDaemon() throws IOException {
    return children.startDaemon(
        "--simulate",
        "a100-40gb:2",
        "serve",
        "--port",
        "0",
        "--kill-grace",
        "2s",
        // Recovery, not confinement, is tested: the jobs read this test's private files.
        "--isolation",
        "none");
  }

  private long gated(String name, String gpu, int code) throws IOException {
    return submit(
        name,
        gpu,
        List.of(
            "sh", "-c", GATED, work.resolve("gate-" + name).toString(), Integer.toString(code)));
  }

  private void open(long id) throws IOException {
    Files.writeString(work.resolve("gate-" + names.get(id)), "");
  }

  private long submit(String name, String gpu, List<String> command) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("gpu", gpu);
    body.put("command", command);
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(children.url().resolve("/api/v1/jobs"))
                .header("Authorization", "Bearer " + children.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    long id = JSON.readTree(r.body()).get("id").asLong();
    names.put(id, name);
    return id;
  }

  private Path attempt(long id) {
    return home.resolve("jobs").resolve(Long.toString(id)).resolve("attempt-1");
  }

  private String state(long id) {
    return job(id).get("state").asText();
  }

  private JsonNode job(long id) {
    return get("/api/v1/jobs/" + id);
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(children.url().resolve(path))
                  .header("Authorization", "Bearer " + children.token())
                  .GET()
                  .build());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("request " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    ChildDaemons.await(what, condition);
  }
}
