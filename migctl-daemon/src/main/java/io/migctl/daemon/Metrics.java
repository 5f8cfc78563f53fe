package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobState;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * What the daemon tells Prometheus, {@code migctl top} and the web page.
 *
 * <p>{@code /metrics} (Prometheus text, or OpenMetrics when asked for) carries GPU and MIG series
 * under DCGM exporter's names and labels — {@code gpu}, {@code UUID}, {@code device}, {@code
 * modelName}, {@code Hostname}, {@code DCGM_FI_DRIVER_VERSION}, and {@code GPU_I_PROFILE}, {@code
 * GPU_I_ID} on MIG devices — so DCGM dashboards work unchanged. Values of the parent GPU
 * (temperature, power, clocks) appear once per GPU, without {@code GPU_I_*} labels; framebuffer
 * appears per MIG device, and summing it over {@code GPU_I_ID} gives the GPU's. A value the driver
 * does not report is left out, never written as 0. On the simulated node every series carries
 * {@code simulated="true"}. Beside them: {@code migctl_*} series about jobs, the queue, slices,
 * layout changes, environment builds and the API.
 */
public final class Metrics {

  private final TelemetryService telemetry;
  private final JobService jobs;
  private final String hostname;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram queueWait;
  private final Counter builds;
  private final Histogram buildDuration;
  private final Counter requests;
  private final Histogram requestDuration;
  private final List<SseClient> streams = new CopyOnWriteArrayList<>();

  public Metrics(
      TelemetryService telemetry, JobService jobs, String version, String driver, String hostname) {
    this.telemetry = telemetry;
    this.jobs = jobs;
    this.hostname = hostname;
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
    registry.register((MultiCollector) this::dcgm);
    registry.register((MultiCollector) this::migctl);
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
    telemetry.onReading(this::onReading);
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

  /** Adds {@code /metrics}, the telemetry endpoints, the event stream, and request counting. */
  public void register(Javalin app) {
    app.before(ctx -> ctx.attribute("migctl.t0", System.nanoTime()));
    app.after(this::countRequest);
    app.get("/metrics", this::scrape);
    app.get("/api/v1/telemetry", ctx -> ctx.json(TelemetryViews.reading(telemetry.latest())));
    app.get(
        "/api/v1/telemetry/history",
        ctx -> {
          int seconds = 900;
          String raw = ctx.queryParam("seconds");
          if (raw != null) {
            try {
              seconds = Math.max(1, Math.min(86_400, Integer.parseInt(raw.strip())));
            } catch (NumberFormatException e) {
              throw io.migctl.daemon.DaemonException.invalid(
                  "seconds: '" + raw + "' must be a whole number of seconds");
            }
          }
          ctx.json(telemetry.history(Duration.ofSeconds(seconds)));
        });
    app.sse(
        "/api/v1/stream",
        client -> {
          client.keepAlive();
          streams.add(client);
          client.onClose(() -> streams.remove(client));
          client.sendEvent("telemetry", json(TelemetryViews.reading(telemetry.latest())));
        });
  }

  private void scrape(Context ctx) throws IOException {
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
    broadcast("job", json(Views.EventView.of(e)));
  }

  private void onReading(TelemetryService.Reading r) {
    broadcast("telemetry", json(TelemetryViews.reading(r)));
  }

  private void broadcast(String event, String data) {
    for (SseClient c : streams) {
      if (c.terminated()) {
        streams.remove(c);
        continue;
      }
      try {
        c.sendEvent(event, data);
      } catch (RuntimeException e) {
        streams.remove(c);
      }
    }
  }

  private static String json(Object value) {
    try {
      return DaemonJson.MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  // ---------------------------------------------------------------- DCGM series

  private MetricSnapshots dcgm() {
    TelemetryService.Reading r = telemetry.latest();
    if (r == null) {
      return MetricSnapshots.of();
    }
    boolean simulated = r.sample().simulated();
    Series s = new Series();
    for (GpuTelemetry g : r.sample().gpus()) {
      Labels gpu = gpuLabels(g, simulated);
      g.temperatureC()
          .ifPresent(v -> s.add("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", gpu, v));
      g.powerW().ifPresent(v -> s.add("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", gpu, v));
      g.smClockMHz()
          .ifPresent(v -> s.add("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", gpu, v));
      g.memClockMHz()
          .ifPresent(
              v -> s.add("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).", gpu, v));
      g.lastXid()
          .ifPresent(
              v ->
                  s.add(
                      "DCGM_FI_DEV_XID_ERRORS",
                      "Value of the last XID error encountered.",
                      gpu,
                      v));
      if (g.instances().isEmpty()) {
        g.utilizationPercent()
            .ifPresent(v -> s.add("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", gpu, v));
        if (g.fbUsedMiB().isPresent() && g.fbTotalMiB().isPresent()) {
          s.add("DCGM_FI_DEV_FB_USED", FB_USED, gpu, g.fbUsedMiB().getAsLong());
          s.add(
              "DCGM_FI_DEV_FB_FREE",
              FB_FREE,
              gpu,
              g.fbTotalMiB().getAsLong() - g.fbUsedMiB().getAsLong());
        }
      }
      // One series per GPU instance, as DCGM exporter reports MIG: its compute instances share
      // its framebuffer, so summing over GPU_I_ID gives the GPU's use exactly once.
      java.util.Set<Integer> done = new java.util.HashSet<>();
      for (MigTelemetry d : g.instances()) {
        if (!done.add(d.gpuInstanceId())) {
          continue;
        }
        Labels mig =
            gpu.merge(
                Labels.of(
                    "GPU_I_PROFILE",
                    giProfile(d.profile()),
                    "GPU_I_ID",
                    Integer.toString(d.gpuInstanceId())));
        s.add("DCGM_FI_DEV_FB_USED", FB_USED, mig, d.fbUsedMiB());
        s.add("DCGM_FI_DEV_FB_FREE", FB_FREE, mig, Math.max(0, d.fbTotalMiB() - d.fbUsedMiB()));
        d.grEngineActive()
            .ifPresent(
                v ->
                    s.add(
                        "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
                        "Ratio of time the graphics engine is active.",
                        mig,
                        v));
      }
    }
    return s.snapshots();
  }

  /** {@code 1c.3g.20gb} → {@code 3g.20gb}: DCGM names the GPU instance's profile. */
  static String giProfile(String profile) {
    return profile.matches("\\d+c\\..*") ? profile.substring(profile.indexOf('.') + 1) : profile;
  }

  private static final String FB_USED = "Framebuffer memory used (in MiB).";
  private static final String FB_FREE = "Framebuffer memory free (in MiB).";

  private Labels gpuLabels(GpuTelemetry g, boolean simulated) {
    Labels l =
        Labels.of(
            "gpu", Integer.toString(g.index()),
            "UUID", g.uuid(),
            "device", "nvidia" + g.index(),
            "modelName", g.productName(),
            "Hostname", hostname,
            "DCGM_FI_DRIVER_VERSION", g.driverVersion());
    return simulated ? l.merge(Labels.of("simulated", "true")) : l;
  }

  // ---------------------------------------------------------------- migctl series

  private MetricSnapshots migctl() {
    Series s = new Series();
    Map<JobState, Map<String, Long>> counts = jobs.countByStateAndTenant();
    for (JobState state : JobState.values()) {
      Map<String, Long> byTenant = counts.getOrDefault(state, Map.of());
      for (Map.Entry<String, Long> e : byTenant.entrySet()) {
        s.add(
            "migctl_jobs",
            "Jobs by state and tenant.",
            Labels.of("state", state.wireName(), "tenant", e.getKey()),
            e.getValue());
      }
    }
    TelemetryService.Reading r = telemetry.latest();
    if (r == null) {
      return s.snapshots();
    }
    s.add("migctl_queue_depth", "Jobs waiting for a device.", Labels.EMPTY, r.queueDepth());
    s.add(
        "migctl_queue_oldest_wait_seconds",
        "How long the longest-waiting queued job has waited.",
        Labels.EMPTY,
        r.oldestWait().toMillis() / 1000.0);
    s.add(
        "migctl_telemetry_sample_duration_seconds",
        "How long the last telemetry sample took.",
        Labels.EMPTY,
        r.took().toNanos() / 1e9);
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (String st : List.of("free", "allocated", "busy", "idle")) {
      byState.put(st, 0);
    }
    for (TelemetryService.Slice sl : r.slices()) {
      byState.merge(sl.state(), 1, Integer::sum);
      if (sl.allocated()) {
        byState.merge("allocated", 1, Integer::sum);
      }
      MigTelemetry d = sl.device();
      Labels slice =
          Labels.of(
              "gpu", Integer.toString(sl.gpu().index()),
              "UUID", d.uuid(),
              "GPU_I_ID", Integer.toString(d.gpuInstanceId()),
              "GPU_I_PROFILE", d.profile());
      s.add(
          "migctl_slice_info",
          "Each MIG device and the job on it (job labels empty when free); always 1.",
          slice.merge(
              Labels.of(
                  "job_id", sl.job().map(j -> Long.toString(j.id())).orElse(""),
                  "job_name", sl.job().map(j -> j.spec().name()).orElse(""),
                  "tenant", sl.job().map(j -> j.spec().tenant()).orElse(""))),
          1);
      s.add(
          "migctl_slice_allocated",
          "Whether a job holds the MIG device.",
          slice,
          sl.allocated() ? 1 : 0);
      s.add(
          "migctl_slice_idle_seconds",
          "How long an allocated MIG device has shown no activity (0 when busy or free).",
          slice,
          sl.idleFor().toMillis() / 1000.0);
      s.add(
          "migctl_slice_memory_used_ratio",
          "Framebuffer used over the MIG device's size.",
          slice,
          d.fbTotalMiB() > 0 ? (double) d.fbUsedMiB() / d.fbTotalMiB() : 0);
    }
    byState.forEach(
        (st, n) ->
            s.add(
                "migctl_slices",
                "MIG devices by state: free, allocated (to a job), and the allocated ones busy or idle.",
                Labels.of("state", st),
                n));
    List<CounterSnapshot.CounterDataPointSnapshot> changes = new ArrayList<>();
    telemetry
        .layoutChanges()
        .forEach(
            (gpu, n) ->
                changes.add(
                    CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("gpu", Integer.toString(gpu)))
                        .value(n)
                        .build()));
    CounterSnapshot.Builder layout =
        CounterSnapshot.builder()
            .name("migctl_layout_changes")
            .help("Changes of a GPU's MIG layout seen since the daemon started.");
    changes.forEach(layout::dataPoint);
    s.extra.add(layout.build());
    return s.snapshots();
  }

  /** Gauge families built up point by point, in first-seen order. */
  private static final class Series {
    private final Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
    private final List<MetricSnapshot> extra = new ArrayList<>();

    void add(String name, String help, Labels labels, double value) {
      families
          .computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
          .dataPoint(
              GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
    }

    MetricSnapshots snapshots() {
      List<MetricSnapshot> all = new ArrayList<>();
      families.values().forEach(b -> all.add(b.build()));
      all.addAll(extra);
      return new MetricSnapshots(all);
    }
  }
}
