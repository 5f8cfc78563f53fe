package io.migctl.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.migctl.core.job.JobStateMachine;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
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
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A daemon in this JVM on port 0, built by {@link DaemonAssembly} as {@code migctl serve} builds
 * one, on a simulated node, and an HTTP client for it.
 */
public final class TestDaemon implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final NodeDaemon daemon;
  final String token;
  private final HttpClient http;

  public TestDaemon(Path home, SimulatedMigDriver driver) throws IOException {
    this(home, driver, JobStateMachine.DEFAULT_KILL_GRACE, java.util.Optional.empty());
  }

  /** A daemon that also writes DCGM job-mapping files into {@code mapping}. */
  public TestDaemon(Path home, SimulatedMigDriver driver, Path mapping) throws IOException {
    this(home, driver, JobStateMachine.DEFAULT_KILL_GRACE, java.util.Optional.of(mapping));
  }

  TestDaemon(
      Path home, SimulatedMigDriver driver, Duration killGrace, java.util.Optional<Path> mapping)
      throws IOException {
    this(home, driver, killGrace, mapping, Repartition.OFF);
  }

  /** A daemon with dynamic repartitioning as given. */
  public TestDaemon(Path home, SimulatedMigDriver driver, Repartition repartition)
      throws IOException {
    this(home, driver, JobStateMachine.DEFAULT_KILL_GRACE, java.util.Optional.empty(), repartition);
  }

  TestDaemon(
      Path home,
      SimulatedMigDriver driver,
      Duration killGrace,
      java.util.Optional<Path> mapping,
      Repartition repartition)
      throws IOException {
    this(
        home,
        driver,
        defaultEnvironment(),
        o -> o.withKillGrace(killGrace).withDcgmJobMappingDir(mapping).withRepartition(repartition),
        Clock.systemUTC());
  }

  /**
   * A daemon whose own environment is {@code environment}, with its options (port 0 already) as
   * {@code configure} makes them.
   */
  public TestDaemon(
      Path home,
      SimulatedMigDriver driver,
      Map<String, String> environment,
      UnaryOperator<NodeDaemon.Options> configure)
      throws IOException {
    this(home, driver, environment, configure, Clock.systemUTC());
  }

  /** A daemon with dynamic repartitioning whose time is {@code clock}'s (e.g. a test clock). */
  public TestDaemon(Path home, SimulatedMigDriver driver, Repartition repartition, Clock clock)
      throws IOException {
    this(home, driver, defaultEnvironment(), o -> o.withRepartition(repartition), clock);
  }

  /** A daemon with its options changed by {@code change} (e.g. its bind address or TLS). */
  public TestDaemon(Path home, SimulatedMigDriver driver, UnaryOperator<NodeDaemon.Options> change)
      throws IOException {
    this(home, driver, defaultEnvironment(), change, Clock.systemUTC());
  }

  /**
   * A daemon whose own environment is {@code environment}, with its options changed by {@code
   * change}, on the node {@code node} whose device nodes the test inspects.
   */
  public TestDaemon(
      Path home,
      GpuNode node,
      Map<String, String> environment,
      UnaryOperator<NodeDaemon.Options> change)
      throws IOException {
    NodeDaemon.Options options =
        change.apply(NodeDaemon.Options.defaults(new MigctlHome(home), environment).withPort(0));
    this.http = client(options.transport().tls());
    this.daemon = DaemonAssembly.start(options, node, Clock.systemUTC(), app -> {});
    this.token = Files.readString(options.home().token()).strip();
  }

  /** A daemon serving {@code routes} beside its own (e.g. routes that fail as a bug would). */
  public TestDaemon(Path home, SimulatedMigDriver driver, Consumer<Javalin> routes)
      throws IOException {
    this(home, driver, defaultEnvironment(), UnaryOperator.identity(), Clock.systemUTC(), routes);
  }

  private TestDaemon(
      Path home,
      SimulatedMigDriver driver,
      Map<String, String> environment,
      UnaryOperator<NodeDaemon.Options> configure,
      Clock clock)
      throws IOException {
    this(home, driver, environment, configure, clock, app -> {});
  }

  private TestDaemon(
      Path home,
      SimulatedMigDriver driver,
      Map<String, String> environment,
      UnaryOperator<NodeDaemon.Options> configure,
      Clock clock,
      Consumer<Javalin> routes)
      throws IOException {
    NodeDaemon.Options options =
        configure.apply(NodeDaemon.Options.defaults(new MigctlHome(home), environment).withPort(0));
    this.http = client(options.transport().tls());
    // The assembly serve and up use, on the simulated node as they make it.
    this.daemon = DaemonAssembly.start(options, GpuNode.simulated(driver), clock, routes);
    this.token = Files.readString(options.home().token()).strip();
  }

  private static Map<String, String> defaultEnvironment() {
    return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
  }

  /** A client that trusts the daemon's certificate when it serves TLS. */
  private static HttpClient client(java.util.Optional<TlsFiles> tls) {
    if (tls.isEmpty()) {
      return HttpClient.newHttpClient();
    }
    try {
      return HttpClient.newBuilder()
          .sslContext(TransportIT.trusting(tls.get().certificate()))
          .build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot trust " + tls.get().certificate(), e);
    }
  }

  /** A response: status and parsed JSON body (null when the body is not JSON). */
  public record Reply(int status, JsonNode json, String body) {}

  public NodeDaemon daemon() {
    return daemon;
  }

  public URI url() {
    return daemon.url();
  }

  /** Submits a job; fails the test unless it is accepted. */
  public long submit(Map<String, Object> job) {
    return submit(job, token);
  }

  /** Submits a job with {@code bearer}'s token (a tenant's); fails unless it is accepted. */
  public long submit(Map<String, Object> job, String bearer) {
    Reply r;
    try {
      r = post("/api/v1/jobs", JSON.writeValueAsString(job), bearer);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    if (r.status() != 201) {
      throw new AssertionError("submit refused: " + r.body());
    }
    return r.json().get("id").asLong();
  }

  /** Waits until the job is in {@code state}. */
  public void awaitState(long id, String state) {
    await(
        "job " + id + " to be " + state,
        Duration.ofSeconds(60),
        () -> get("/api/v1/jobs/" + id).json().get("state").asText().equals(state));
  }

  /** A GET with the daemon's token. */
  public Reply get(String path) {
    return get(path, token);
  }

  /** A GET with {@code bearer} as the token, or none when it is null. */
  public Reply get(String path, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  public Reply post(String path, String body) {
    return post(path, body, token);
  }

  public Reply post(String path, String body, String bearer) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  /** A request of any method with a JSON body (none when null) and {@code bearer} as the token. */
  public Reply request(String method, String path, String body, String bearer) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  /** A POST of raw bytes, which need not be UTF-8 or JSON. */
  public Reply postBytes(String path, byte[] body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  public Reply postJson(String path, Object body) {
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
  public static void await(String what, Duration deadline, BooleanSupplier condition) {
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
