package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.migctl.core.job.JobEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@code migctl top} and the web page read: the latest telemetry reading ({@code
 * /api/v1/telemetry}), its history ({@code /api/v1/telemetry/history?seconds=}), and the event
 * stream ({@code /api/v1/stream}) of new readings and stored job events. A client that went away is
 * dropped from the stream at the next event.
 */
final class TelemetryApi {

  private final TelemetryService telemetry;
  private final List<SseClient> streams = new CopyOnWriteArrayList<>();

  /** Listens to {@code jobs}' events and {@code telemetry}'s readings from now on. */
  TelemetryApi(TelemetryService telemetry, JobService jobs) {
    this.telemetry = telemetry;
    jobs.onEvent(this::onJobEvent);
    telemetry.onReading(this::onReading);
  }

  void register(Javalin app) {
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
              throw DaemonException.invalid(
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

  private void onJobEvent(JobEvent e) {
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
}
