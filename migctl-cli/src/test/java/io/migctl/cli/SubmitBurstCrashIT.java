package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit keeps its promise: a burst of submissions from several threads, {@code kill -9} of
 * the daemon in the middle of it, a restart, and every submission that was answered 201 is in the
 * store with its name, once. The daemon is the shaded jar, run as a child process.
 */
class SubmitBurstCrashIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THREADS = 8;

  /** Answers to collect before the kill, so that it lands in a burst well under way. */
  private static final int ACKS_BEFORE_KILL = 200;

  @TempDir Path home;
  @TempDir Path logs;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ChildDaemons children;

  @BeforeEach
  void setUp() {
    assertThat(ChildDaemons.JAR).as("the shaded jar (built by 'package')").isRegularFile();
    children = new ChildDaemons(home, logs);
  }

  @AfterEach
  void stopDaemons() throws InterruptedException {
    children.stop();
  }

  @Test
  void everyAcknowledgedSubmissionSurvivesAKillDuringTheBurst() throws Exception {
    Process first = startDaemon();
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int client = t;
      clients.add(
          Thread.ofPlatform()
              .name("burst-" + t)
              .start(
                  () -> {
                    // Submits until the daemon is gone: the first failed request ends the thread.
                    for (int i = 0; ; i++) {
                      String name = "burst-" + client + "-" + i;
                      try {
                        acknowledged.put(name, submit(name));
                      } catch (IOException | RuntimeException e) {
                        return;
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      enough.countDown();
                    }
                  }));
    }
    assertThat(enough.await(120, TimeUnit.SECONDS))
        .as("%d submissions answered before the kill", ACKS_BEFORE_KILL)
        .isTrue();

    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);
    for (Thread c : clients) {
      c.join(Duration.ofSeconds(60));
      assertThat(c.isAlive()).as("%s stopped after the kill", c.getName()).isFalse();
    }
    Map<String, Long> acked = Map.copyOf(acknowledged);
    assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

    startDaemon();
    Map<String, Long> stored = new HashMap<>();
    for (JsonNode j : get("/api/v1/jobs?limit=10000")) {
      Long before = stored.put(j.get("name").asText(), j.get("id").asLong());
      assertThat(before).as("job %s stored once", j.get("name").asText()).isNull();
    }
    // Every answered submission is there, under the id it was answered with; some that were not
    // answered yet may be there too.
    assertThat(stored).containsAllEntriesOf(acked);
  }

  // ---------------------------------------------------------------- helpers

  private Process startDaemon() throws IOException {
    return children.startDaemon(
        "--simulate", "a100-40gb:2", "serve", "--port", "0", "--isolation", "none");
  }

  /**
   * Submits a job that stays queued (the node has no MIG device for 7g.40gb); its id.
   *
   * @throws IllegalStateException when the answer is not 201
   */
  private long submit(String name) throws IOException, InterruptedException {
    String body = "{\"name\":\"" + name + "\",\"command\":[\"true\"],\"gpu\":\"7g.40gb\"}";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(children.url().resolve("/api/v1/jobs"))
                .header("Authorization", "Bearer " + children.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("POST /api/v1/jobs answered " + r.statusCode());
    }
    return JSON.readTree(r.body()).get("id").asLong();
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(children.url().resolve(path))
                .header("Authorization", "Bearer " + children.token())
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
