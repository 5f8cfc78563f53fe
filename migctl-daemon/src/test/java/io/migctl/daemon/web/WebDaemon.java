package io.migctl.daemon.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
                new MigctlHome(home),
                Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")))
            .withPort(0);
    this.daemon = DaemonAssembly.start(options, GpuNode.simulated(driver));
    this.token = Files.readString(options.home().token()).strip();
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
