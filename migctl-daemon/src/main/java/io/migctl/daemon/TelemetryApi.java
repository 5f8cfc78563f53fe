package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.migctl.core.job.JobEvent;
import io.migctl.core.tenant.Principal;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * What {@code migctl top} and the web page read: the latest telemetry reading ({@code
 * /api/v1/telemetry}), its history ({@code /api/v1/telemetry/history?seconds=}), and the event
 * stream ({@code /api/v1/stream}) of new readings and stored job events. A client that went away is
 * dropped from the stream at the next event. A tenant's client gets its own jobs' events only, and
 * readings without others' job ids and names.
 */
final class TelemetryApi {

  /** One follower of the stream and whom it acts as. */
  private record Follower(SseClient client, Principal principal) {}

  private final TelemetryService telemetry;
  private final JobService jobs;
  private final List<Follower> streams = new CopyOnWriteArrayList<>();

  /** Listens to {@code jobs}' events and {@code telemetry}'s readings from now on. */
  TelemetryApi(TelemetryService telemetry, JobService jobs) {
    this.telemetry = telemetry;
    this.jobs = jobs;
    jobs.onEvent(this::onJobEvent);
    telemetry.onReading(this::onReading);
  }

  void register(Javalin app) {
    app.get(
        "/api/v1/telemetry",
        ctx -> ctx.json(TelemetryViews.reading(telemetry.latest(), ApiAccess.principal(ctx))));
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
          Principal principal = ApiAccess.principal(client.ctx());
          Follower follower = new Follower(client, principal);
          client.keepAlive();
          streams.add(follower);
          client.onClose(() -> streams.remove(follower));
          client.sendEvent(
              "telemetry", json(TelemetryViews.reading(telemetry.latest(), principal)));
        });
  }

  private void onJobEvent(JobEvent e) {
    String data = json(Views.EventView.of(e));
    // The job's tenant is looked up once, and only when a tenant follows the stream.
    Optional<String> owner =
        streams.stream().allMatch(f -> f.principal().isOperator())
            ? Optional.empty()
            : jobs.find(e.jobId()).map(j -> j.spec().tenant());
    broadcast(
        "job",
        f ->
            f.principal().isOperator() || owner.filter(f.principal()::sees).isPresent()
                ? data
                : null);
  }

  private void onReading(TelemetryService.Reading r) {
    String all = json(TelemetryViews.reading(r, Principal.OPERATOR));
    broadcast(
        "telemetry",
        f -> f.principal().isOperator() ? all : json(TelemetryViews.reading(r, f.principal())));
  }

  /** Sends each follower what {@code data} gives it; nothing where that is null. */
  private void broadcast(String event, Function<Follower, String> data) {
    for (Follower f : streams) {
      if (f.client().terminated()) {
        streams.remove(f);
        continue;
      }
      String text = data.apply(f);
      if (text == null) {
        continue;
      }
      try {
        f.client().sendEvent(event, text);
      } catch (RuntimeException e) {
        streams.remove(f);
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
