package io.migctl.node.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.node.daemon.NodeDaemon;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedTelemetry;
import io.migctl.process.SystemToolRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** A daemon in this JVM on port 0 serving the web page, and an HTTP client for its API. */
final class WebDaemon implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final NodeDaemon daemon;
  final String token;
  private final HttpClient http = HttpClient.newHttpClient();

  WebDaemon(Path home, SimulatedMigDriver driver) throws IOException {
    NodeDaemon.Options options =
        NodeDaemon.Options.defaults(
                home,
                "simulated a100-40gb:2",
                Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")))
            .withPort(0);
    this.daemon =
        NodeDaemon.start(
            options,
            driver,
            new EnvironmentStore(
                home.resolve("envs"),
                Clock.systemUTC(),
                new SystemToolRunner(),
                Duration.ofMinutes(5)),
            new SimulatedTelemetry(driver),
            Clock.systemUTC(),
            WebPage::register);
    this.token = Files.readString(home.resolve("token")).strip();
  }

  URI url(String path) {
    return daemon.url().resolve(path);
  }

  /** A response: status, headers, and the body parsed as JSON when it is JSON. */
  record Reply(int status, JsonNode json, String body, HttpResponse<String> response) {}

  /** A GET with the daemon's token. */
  Reply get(String path) {
    return send(
        HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + token).GET().build());
  }

  Reply post(String path, Object body) {
    try {
      return send(
          HttpRequest.newBuilder(url(path))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + token)
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
      return new Reply(r.statusCode(), json, r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + request.uri(), e);
    }
  }

  @Override
  public void close() {
    daemon.close();
  }
}
