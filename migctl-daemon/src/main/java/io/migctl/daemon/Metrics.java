package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.migctl.core.job.JobEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What the daemon tells Prometheus at {@code /metrics} (Prometheus text, or OpenMetrics when asked
 * for): GPU and MIG series under DCGM exporter's names and labels ({@link DcgmSeries}), so DCGM
 * dashboards work unchanged, and beside them {@code migctl_*} series about jobs, the queue, slices
 * and layout changes ({@link MigctlSeries}), environment builds and the API (counted here). What
 * {@code migctl top} and the web page read is {@link TelemetryApi}.
 */
public final class Metrics {

  private final JobService jobs;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram queueWait;
  private final Counter builds;
  private final Histogram buildDuration;
  private final Counter requests;
  private final Histogram requestDuration;

  public Metrics(
      TelemetryService telemetry, JobService jobs, String version, String driver, String hostname) {
    this.jobs = jobs;
    GaugeSnapshot buildInfo =
        GaugeSnapshot.builder()
            .name("migctl_build_info")
            .help("migctl's version and driver; always 1.")
            .dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("version", version, "driver", driver))
                    .value(1)
                    .build())
            .build();
    registry.register((MultiCollector) () -> MetricSnapshots.of(buildInfo));
    registry.register(new DcgmSeries(telemetry, hostname));
    registry.register(new MigctlSeries(telemetry, jobs));
    this.queueWait =
        Histogram.builder()
            .name("migctl_queue_wait_seconds")
            .help("How long jobs waited from submission to placement.")
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600)
            .register(registry);
    this.builds =
        Counter.builder()
            .name("migctl_env_builds_total")
            .help("Environment builds, by backend and outcome (built, found, failed).")
            .labelNames("backend", "outcome")
            .register(registry);
    this.buildDuration =
        Histogram.builder()
            .name("migctl_env_build_duration_seconds")
            .help("How long environment builds took.")
            .labelNames("backend")
            .classicUpperBounds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
            .register(registry);
    this.requests =
        Counter.builder()
            .name("migctl_api_requests_total")
            .help("API requests, by method, route and status.")
            .labelNames("method", "route", "status")
            .register(registry);
    this.requestDuration =
        Histogram.builder()
            .name("migctl_api_request_duration_seconds")
            .help("How long API requests took.")
            .labelNames("method", "route")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
            .register(registry);
    jobs.onEvent(this::onJobEvent);
  }

  /** Records an environment build done in this process (e.g. by {@code migctl up}). */
  public void recordBuild(String backend, String outcome, Duration took) {
    builds.labelValues(backend, outcome).inc();
    if (!outcome.equals("found")) {
      buildDuration.labelValues(backend).observe(took.toNanos() / 1e9);
    }
  }

  /** Adds {@code migctl_api_log_streams}: the followed logs open now, as {@code open} counts. */
  public void logStreams(IntSupplier open) {
    GaugeWithCallback.builder()
        .name("migctl_api_log_streams")
        .help("Followed job logs (logs?follow=true) open now.")
        .callback(gauge -> gauge.call(open.getAsInt()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Adds {@code /metrics} and the counting of every request. */
  public void register(Javalin app) {
    app.before(ctx -> ctx.attribute("migctl.t0", System.nanoTime()));
    app.after(this::countRequest);
    app.get("/metrics", this::scrape);
  }

  private void scrape(Context ctx) throws IOException {
    scrape(ctx, registry);
  }

  /**
   * Answers a scrape with what {@code registry} collects now: OpenMetrics when the request's {@code
   * Accept} asks for it, else Prometheus text.
   */
  static void scrape(Context ctx, PrometheusRegistry registry) throws IOException {
    String accept = ctx.header("Accept");
    ExpositionFormats formats = ExpositionFormats.init();
    ExpositionFormatWriter writer =
        accept != null && accept.contains("application/openmetrics-text")
            ? formats.getOpenMetricsTextFormatWriter()
            : formats.getPrometheusTextFormatWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    ctx.contentType(writer.getContentType()).result(out.toByteArray());
  }

  private void countRequest(Context ctx) {
    Long t0 = ctx.attribute("migctl.t0");
    String route = ctx.endpointHandlerPath();
    if (route == null || route.isBlank() || route.equals("*")) {
      route = "unmatched";
    }
    String method = ctx.method().name();
    requests.labelValues(method, route, Integer.toString(ctx.statusCode())).inc();
    if (t0 != null && !route.equals("/api/v1/stream")) {
      requestDuration.labelValues(method, route).observe((System.nanoTime() - t0) / 1e9);
    }
  }

  private void onJobEvent(JobEvent e) {
    if (e.kind().equals("placed")) {
      jobs.find(e.jobId())
          .ifPresent(
              j -> queueWait.observe(Duration.between(j.submittedAt(), e.at()).toNanos() / 1e9));
    }
  }
}
