package io.migctl.node.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import io.migctl.core.mig.MigDriver;
import io.migctl.env.SystemProcessRunner;
import io.migctl.env.store.EnvironmentStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A daemon in this JVM on port 0, and an HTTP client for it. */
final class TestDaemon implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final NodeDaemon daemon;
  final String token;
  private final HttpClient http = HttpClient.newHttpClient();

  TestDaemon(Path home, MigDriver driver) throws IOException {
    this(home, driver, JobStateMachine.DEFAULT_KILL_GRACE);
  }

  TestDaemon(Path home, MigDriver driver, Duration killGrace) throws IOException {
    NodeDaemon.Options options =
        new NodeDaemon.Options(
            home,
            "127.0.0.1",
            0,
            killGrace,
            Scheduler.Policy.DEFAULT,
            "test",
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    this.daemon =
        NodeDaemon.start(
            options,
            driver,
            new EnvironmentStore(
                home.resolve("envs"),
                Clock.systemUTC(),
                new SystemProcessRunner(),
                Duration.ofMinutes(5)),
            Clock.systemUTC(),
            app -> {});
    this.token = Files.readString(home.resolve("token")).strip();
  }

  /** A response: status and parsed JSON body (null when the body is not JSON). */
  record Reply(int status, JsonNode json, String body) {}

  Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  Reply post(String path, String body) {
    return post(path, body, token);
  }

  Reply post(String path, String body, String bearer) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  Reply postJson(String path, Object body) {
    try {
      return post(path, JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = JSON.readTree(r.body());
      } catch (IOException e) {
        json = null;
      }
      return new Reply(r.statusCode(), json, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private URI uri(String path) {
    return daemon.url().resolve(path);
  }

  /** Polls until the condition holds; fails after the deadline. */
  static void await(String what, Duration deadline, BooleanSupplier condition) {
    Instant end = Instant.now().plus(deadline);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out after " + deadline + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  @Override
  public void close() {
    daemon.close();
  }
}
