package io.migctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.job.JobEvent;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A node daemon in this JVM on a simulated node, on port 0 of 127.0.0.1, and an HTTP/1.1 client for
 * its API ({@link PlainHttp}: one kept-alive connection per client thread) that sends the daemon's
 * own token.
 */
final class BenchDaemon implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final NodeDaemon daemon;
  private final String token;
  private final PlainHttp http;
  private final Map<Long, CompletableFuture<JobEvent>> finished = new ConcurrentHashMap<>();

  private BenchDaemon(NodeDaemon daemon, String token) {
    this.daemon = daemon;
    this.token = token;
    this.http = new PlainHttp(daemon.url());
    daemon
        .jobs()
        .onEvent(
            e -> {
              if (e.to().isTerminal()) {
                finished.computeIfAbsent(e.jobId(), id -> new CompletableFuture<>()).complete(e);
              }
            });
  }

  /**
   * Starts a daemon on {@code home} (its {@code MIGCTL_HOME}) with a simulated node.
   *
   * @param node e.g. {@code a100-40gb:2}
   */
  static BenchDaemon start(Path home, String node) throws IOException {
    return start(home, node, o -> o);
  }

  /**
   * A daemon as {@link #start(Path, String)} starts it, with its options as {@code configure} makes
   * them.
   */
  static BenchDaemon start(Path home, String node, UnaryOperator<NodeDaemon.Options> configure)
      throws IOException {
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(node));
    NodeDaemon.Options options =
        configure.apply(
            NodeDaemon.Options.defaults(new MigctlHome(home), jobEnvironment()).withPort(0));
    NodeDaemon daemon = DaemonAssembly.start(options, GpuNode.simulated(driver));
    try {
      return new BenchDaemon(daemon, Files.readString(daemon.home().token()).strip());
    } catch (IOException | RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  /** The variables jobs start from: {@code PATH} only. */
  static Map<String, String> jobEnvironment() {
    return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
  }

  /** {@code POST path} with a JSON body and the token. */
  PlainHttp.Answer post(String path, String json) throws IOException {
    return http.send(
        "POST",
        path,
        List.of("Content-Type: application/json", "Authorization: Bearer " + token),
        json);
  }

  /** {@code GET path}, without a token. */
  PlainHttp.Answer get(String path) throws IOException {
    return http.send("GET", path, List.of(), null);
  }

  /**
   * Submits a job and returns its id.
   *
   * @throws IllegalStateException when the daemon does not answer 201
   */
  long submit(String json) throws IOException, InterruptedException {
    PlainHttp.Answer r = post("/api/v1/jobs", json);
    if (r.status() != 201) {
      throw new IllegalStateException("POST /api/v1/jobs answered " + r.status() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("id").asLong();
  }

  /**
   * Applies a mig-parted config through {@code POST /api/v1/layout/apply}.
   *
   * @throws IllegalStateException when the daemon does not answer 200
   */
  void applyLayout(String config, String select) throws IOException, InterruptedException {
    PlainHttp.Answer r =
        post(
            "/api/v1/layout/apply",
            JSON.writeValueAsString(Map.of("config", config, "select", select)));
    if (r.status() != 200) {
      throw new IllegalStateException(
          "POST /api/v1/layout/apply answered " + r.status() + ": " + r.body());
    }
  }

  /** The job counts by state, from {@code GET /api/v1/health}. */
  JsonNode jobCounts() throws IOException, InterruptedException {
    PlainHttp.Answer r = get("/api/v1/health");
    if (r.status() != 200) {
      throw new IllegalStateException(
          "GET /api/v1/health answered " + r.status() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("jobs");
  }

  /**
   * Waits until job {@code id} has reached a final state; returns that event.
   *
   * @throws TimeoutException when it has not after {@code timeout}
   */
  JobEvent awaitFinished(long id, Duration timeout) throws InterruptedException, TimeoutException {
    CompletableFuture<JobEvent> f = finished.computeIfAbsent(id, k -> new CompletableFuture<>());
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      finished.remove(id);
    }
  }

  /**
   * Returns once the daemon's job thread has done what it had queued, such as the effects and the
   * rescheduling that follow a job's end, so that they do not overlap what is measured next.
   */
  void settle() {
    // The first call waits for the task that is running; the second for what that task queued.
    daemon.jobs().exclusive(() -> null);
    daemon.jobs().exclusive(() -> null);
  }

  /** Does now what the daemon's retention timer does; returns the ids of the jobs removed. */
  List<Long> removeFinished() {
    return daemon.jobs().removeFinished();
  }

  /** The stored events of a job, oldest first. */
  List<JobEvent> events(long id) {
    return daemon.jobs().events(id);
  }

  /** The directory of a job's attempt. */
  Path attemptDir(long id, int attempt) {
    return daemon.jobs().attemptDir(id, attempt);
  }

  @Override
  public void close() {
    try {
      daemon.close();
    } finally {
      http.close();
    }
  }
}
