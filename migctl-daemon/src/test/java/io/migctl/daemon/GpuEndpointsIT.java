package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.nvidia.sim.SimulatedTelemetry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GpuEndpoints} on the simulated node, as the Kubernetes agent starts it: the DCGM series
 * the daemon writes, the agent's own, health and readiness, and nothing else.
 */
class GpuEndpointsIT {

  // 3 GPU instances on GPU 0; on GPU 1 two, one of them holding a compute-instance profile
  private static final String LAYOUT =
      """
      version: v1
      mig-configs:
        agent-node:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"4g.20gb": 1, "2g.10gb": 1, "1g.5gb": 1}
          - devices: [1]
            mig-enabled: true
            mig-devices: {"1c.3g.20gb": 1, "2g.10gb": 1}
      """;

  // Long enough that only the sample taken at start can be what a test reads.
  private static final Duration NEVER_AGAIN = Duration.ofHours(1);

  @TempDir Path home;

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<Optional<String>> notReady =
      new AtomicReference<>(Optional.of("the first reconcile has not finished"));
  private final MultiCollector agentSeries =
      () ->
          MetricSnapshots.of(
              GaugeSnapshot.builder()
                  .name("migctl_agent_reconciles")
                  .help("Reconciles done, as a test counts them.")
                  .dataPoint(
                      GaugeSnapshot.GaugeDataPointSnapshot.builder()
                          .labels(Labels.of("node", "gpu-node-1"))
                          .value(3)
                          .build())
                  .build());
  private SimulatedMigDriver sim;

  @BeforeEach
  void simulatedNode() {
    sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
  }

  @Test
  void dcgmSeriesAreTheDaemonsByNameAndLabels() throws Exception {
    String daemons;
    try (TestDaemon d = new TestDaemon(home, sim)) {
      assertThat(d.postJson("/api/v1/layout/apply", Map.of("config", LAYOUT)).status())
          .isEqualTo(200);
      d.daemon().telemetry().sampleNow();
      daemons = get(d.url(), "/metrics", "text/plain").body();
    }
    try (GpuEndpoints endpoints = start()) {
      HttpResponse<String> r = get(base(endpoints), "/metrics", "text/plain");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
      PromText.Parsed ours = PromText.parse(r.body());
      Set<String> want = dcgmSeries(PromText.parse(daemons));
      assertThat(want)
          .as("the GPU instances of LAYOUT")
          .filteredOn(s -> s.startsWith("DCGM_FI_DEV_FB_USED"))
          .hasSize(5);
      assertThat(dcgmSeries(ours)).isEqualTo(want);
      assertThat(ours.named("DCGM_FI_DEV_FB_USED"))
          .allSatisfy(
              s ->
                  assertThat(s.labels())
                      .containsEntry("simulated", "true")
                      .containsEntry("tenant", "")
                      .containsEntry("Hostname", NetworkNames.hostname()));
      assertThat(ours.types()).containsEntry("DCGM_FI_DEV_FB_USED", "gauge");
      assertThat(ours.named("migctl_agent_reconciles"))
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.labels()).isEqualTo(Map.of("node", "gpu-node-1"));
                assertThat(s.value()).isEqualTo(3.0);
              });
      assertThat(ours.samples())
          .as("nothing of the job runtime")
          .noneMatch(s -> s.name().startsWith("migctl_") && !s.name().startsWith("migctl_agent_"));
    }
  }

  @Test
  void openMetricsWhenAskedFor() throws Exception {
    try (GpuEndpoints endpoints = start()) {
      HttpResponse<String> r =
          get(base(endpoints), "/metrics", "application/openmetrics-text; version=1.0.0");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/openmetrics-text");
      assertThat(r.body()).contains("DCGM_FI_DEV_GPU_TEMP").contains("migctl_agent_reconciles");
      assertThat(r.body().strip()).endsWith("# EOF");
    }
  }

  @Test
  void readinessFollowsTheCheckAndHealthIsAlwaysOk() throws Exception {
    try (GpuEndpoints endpoints = start()) {
      assertThat(answer(endpoints, "GET", "/readyz"))
          .isEqualTo("503 the first reconcile has not finished");
      assertThat(answer(endpoints, "GET", "/healthz")).isEqualTo("200 ok");

      notReady.set(Optional.empty());

      assertThat(answer(endpoints, "GET", "/readyz")).isEqualTo("200 ready");
      assertThat(answer(endpoints, "GET", "/healthz")).isEqualTo("200 ok");
    }
  }

  @Test
  void nothingElseIsServed() throws Exception {
    try (GpuEndpoints endpoints = start()) {
      assertThat(answer(endpoints, "GET", "/api/v1/jobs"))
          .isEqualTo(
              "404 no endpoint GET /api/v1/jobs; served are GET /metrics, /healthz and /readyz");
      assertThat(answer(endpoints, "POST", "/metrics"))
          .isEqualTo(
              "404 no endpoint POST /metrics; served are GET /metrics, /healthz and /readyz");
    }
  }

  @Test
  void aFailingCollectorIsA500WithoutJavasTexts() throws Exception {
    MultiCollector broken =
        () -> {
          throw new IllegalStateException("collector broke");
        };
    try (GpuEndpoints endpoints =
        GpuEndpoints.start(
            new SimulatedTelemetry(sim),
            "gpu-node-1",
            Optional::empty,
            List.of(broken),
            "127.0.0.1",
            0,
            NEVER_AGAIN)) {
      HttpResponse<String> r = get(base(endpoints), "/metrics", "text/plain");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body())
          .isEqualTo("the request failed (a bug in migctl); the log has the details")
          .doesNotContain("collector broke");
    }
  }

  @Test
  void promtoolAcceptsTheOutput() throws Exception {
    Promtool promtool = Promtool.require();
    applyLayoutThroughTheDaemon();
    try (GpuEndpoints endpoints = start()) {
      String text = get(base(endpoints), "/metrics", "text/plain").body();
      assertThat(promtool.checkMetrics(text).output()).doesNotContain("error while linting");
    }
  }

  @Test
  void badSettingsAreRefusedWithWhatToGive() {
    SimulatedTelemetry gpus = new SimulatedTelemetry(sim);
    assertThatThrownBy(
            () ->
                GpuEndpoints.start(
                    gpus, " ", Optional::empty, List.of(), "127.0.0.1", 0, NEVER_AGAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname");
    assertThatThrownBy(
            () ->
                GpuEndpoints.start(
                    gpus, "n", Optional::empty, List.of(), "127.0.0.1", 70000, NEVER_AGAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port 70000 is not a TCP port; give 1-65535, or 0 for any free one");
    assertThatThrownBy(
            () ->
                GpuEndpoints.start(
                    gpus, "n", Optional::empty, List.of(), "127.0.0.1", 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not positive");
  }

  private void applyLayoutThroughTheDaemon() throws IOException {
    try (TestDaemon d = new TestDaemon(home, sim)) {
      assertThat(d.postJson("/api/v1/layout/apply", Map.of("config", LAYOUT)).status())
          .isEqualTo(200);
    }
  }

  private GpuEndpoints start() {
    return GpuEndpoints.start(
        new SimulatedTelemetry(sim),
        NetworkNames.hostname(),
        notReady::get,
        List.of(agentSeries),
        "127.0.0.1",
        0,
        NEVER_AGAIN);
  }

  /** Each DCGM series as its name and sorted label names and values, without the values. */
  private static Set<String> dcgmSeries(PromText.Parsed m) {
    Set<String> series = new TreeSet<>();
    for (PromText.Sample s : m.samples()) {
      if (s.name().startsWith("DCGM_")) {
        series.add(s.name() + new java.util.TreeMap<>(s.labels()));
      }
    }
    return series;
  }

  private static URI base(GpuEndpoints endpoints) {
    return URI.create("http://127.0.0.1:" + endpoints.port());
  }

  /** The status and body of a request without a body, as {@code "503 the reason"}. */
  private String answer(GpuEndpoints endpoints, String method, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base(endpoints).resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private HttpResponse<String> get(URI base, String path, String accept)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).header("Accept", accept).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
