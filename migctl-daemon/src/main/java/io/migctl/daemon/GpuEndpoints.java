package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.migctl.core.metrics.TelemetrySource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's GPU metrics and health over HTTP, for a process that runs no jobs (the Kubernetes
 * agent). It serves, to anyone (no token: nothing here changes anything or names a job):
 *
 * <ul>
 *   <li>{@code GET /metrics}: the GPU and MIG series exactly as the daemon's {@code /metrics}
 *       writes them (DCGM exporter's names and labels, {@code simulated="true"} on the simulated
 *       node, {@code tenant} empty as no job holds a slice), then the series of the collectors
 *       given; Prometheus text, or OpenMetrics when the request's {@code Accept} asks for it.
 *   <li>{@code GET /healthz}: 200 {@code ok} while the process serves.
 *   <li>{@code GET /readyz}: 200 {@code ready}, or 503 with the reason the readiness check gives.
 * </ul>
 *
 * Any other path or method is 404; a failure inside is 500 with a plain sentence, the details in
 * the log. The GPUs are sampled once before the server listens, then every sample interval on a
 * thread of their own; a scrape reads the latest sample. Thread-safe; {@link #close()} stops both.
 */
public final class GpuEndpoints implements AutoCloseable {

  /** How often the GPUs are sampled unless told otherwise. */
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(GpuEndpoints.class.getName());
  private static final String TEXT = "text/plain; charset=utf-8";
  // Only the latest reading is read here; the charts' history is the daemon's.
  private static final int HISTORY = 1;

  private final TelemetryService telemetry;
  private final Javalin app;

  private GpuEndpoints(TelemetryService telemetry, Javalin app) {
    this.telemetry = telemetry;
    this.app = app;
  }

  /**
   * Takes a first sample of the GPUs, then listens.
   *
   * @param gpus the node's GPU telemetry
   * @param hostname the {@code Hostname} label of the DCGM series
   * @param readiness empty when ready, else why not (the body of the 503); called per request
   * @param collectors more series for {@code /metrics}, after the GPUs'
   * @param host the address to bind ({@code 0.0.0.0} for all)
   * @param port the port, 0 for any free one ({@link #port()} says which)
   * @param sampleInterval how often to sample the GPUs ({@link #DEFAULT_SAMPLE_INTERVAL} unless the
   *     user says otherwise)
   * @throws IllegalArgumentException on a blank hostname, a port outside 0-65535 or an interval
   *     that is not positive
   * @throws io.migctl.core.mig.MigDriverException when the first sample cannot read the GPUs
   * @throws RuntimeException (Javalin's) when the address cannot be bound; nothing is left running
   */
  public static GpuEndpoints start(
      TelemetrySource gpus,
      String hostname,
      Supplier<Optional<String>> readiness,
      List<MultiCollector> collectors,
      String host,
      int port,
      Duration sampleInterval) {
    if (hostname.isBlank()) {
      throw new IllegalArgumentException("the hostname for the metrics' Hostname label is blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "port " + port + " is not a TCP port; give 1-65535, or 0 for any free one");
    }
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException(
          "the sample interval " + sampleInterval + " is not positive; give e.g. 10s");
    }
    TelemetryService telemetry =
        new TelemetryService(
            gpus, TelemetryService.ActiveJobs.NONE, Clock.systemUTC(), sampleInterval, HISTORY);
    try {
      telemetry.start();
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new DcgmSeries(telemetry, hostname));
      collectors.forEach(registry::register);
      Javalin app = server(registry, readiness);
      try {
        app.start(host, port);
      } catch (RuntimeException e) {
        app.stop();
        throw e;
      }
      return new GpuEndpoints(telemetry, app);
    } catch (RuntimeException e) {
      telemetry.close();
      throw e;
    }
  }

  private static Javalin server(PrometheusRegistry registry, Supplier<Optional<String>> readiness) {
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.useVirtualThreads = true;
            });
    app.get("/metrics", ctx -> Metrics.scrape(ctx, registry));
    app.get("/healthz", ctx -> text(ctx, 200, "ok"));
    app.get(
        "/readyz",
        ctx ->
            readiness
                .get()
                .ifPresentOrElse(reason -> text(ctx, 503, reason), () -> text(ctx, 200, "ready")));
    app.exception(
        HttpResponseException.class,
        (e, ctx) ->
            text(
                ctx,
                e.getStatus(),
                e.getStatus() == 404
                    ? "no endpoint "
                        + ctx.method()
                        + " "
                        + ctx.path()
                        + "; served are GET /metrics, /healthz and /readyz"
                    : e.getMessage()));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.log(Level.SEVERE, "request " + ctx.method() + " " + ctx.path() + " failed", e);
          text(ctx, 500, "the request failed (a bug in migctl); the log has the details");
        });
    return app;
  }

  private static void text(Context ctx, int status, String body) {
    ctx.status(status).contentType(TEXT).result(body);
  }

  /** The port it listens on (the one picked when 0 was given). */
  public int port() {
    return app.port();
  }

  /** Stops serving and sampling. */
  @Override
  public void close() {
    try {
      app.stop();
    } finally {
      telemetry.close();
    }
  }
}
