package io.migctl.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.access.StreamLimits;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobState;
import io.migctl.daemon.run.LogFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The REST API under {@code /api/v1}. Every request needs the bearer token, reads included, except
 * health, metrics, the API's description and the web page's files ({@link #isOpen}). Errors are
 * JSON: {@code {"code": "...", "message": "..."}}, the message saying what to fix.
 *
 * @see Tokens
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

  /** The largest request body accepted, counted on the bytes read whatever the framing. */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private static final int LOG_CHUNK = 64 * 1024;

  /** How often a followed log's file is looked at for new output. */
  static final Duration FOLLOW_CHECK = Duration.ofMillis(100);

  private final Javalin app;
  private final JobService jobs;
  private final LayoutService layouts;
  private final java.util.function.Predicate<String> tokens;
  private final Map<String, Object> health;
  private final String openApiYaml;
  private final HostAllowList hosts;
  private String host;
  private int port;
  private final LogStreams logStreams = new LogStreams(StreamLimits.DEFAULT);
  private final ClientDisconnects disconnects = new ClientDisconnects();

  /**
   * @param hosts the names a request's {@code Host} header may carry; others get 421
   * @param tls the key store to serve HTTPS from; plain HTTP without
   * @param configure adds routes of other parts (metrics, the web page) before the server starts
   */
  public ApiServer(
      JobService jobs,
      LayoutService layouts,
      java.util.function.Predicate<String> tokens,
      Map<String, Object> health,
      String openApiYaml,
      HostAllowList hosts,
      Optional<TlsFiles.Material> tls,
      Consumer<Javalin> configure) {
    this.jobs = jobs;
    this.layouts = layouts;
    this.tokens = tokens;
    this.health = Map.copyOf(health);
    this.openApiYaml = openApiYaml;
    this.hosts = hosts;
    ObjectMapper mapper = DaemonJson.MAPPER;
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.useVirtualThreads = true;
              config.http.maxRequestSize = MAX_REQUEST_BYTES;
              config.jsonMapper(new JavalinJackson(mapper, false));
              tls.ifPresent(
                  material ->
                      config.jetty.addConnector(
                          (server, http) -> httpsConnector(server, http, material)));
            });
    jobs.onEvent(logStreams::onJobEvent);
    routes();
    configure.accept(app);
  }

  /** How many followed logs are open now. */
  public int logStreams() {
    return logStreams.open();
  }

  /** Starts listening; port 0 picks a free one. */
  public ApiServer start(String host, int port) {
    this.host = host;
    this.port = port;
    app.start(host, port); // with TLS, the HTTPS connector takes the host and port set above
    return this;
  }

  /**
   * A connector that speaks HTTP/1.1 over TLS only. Jetty's own SNI check is off: a request's name
   * is checked by {@link #checkHost}, which answers with the error document.
   */
  private ServerConnector httpsConnector(
      Server server, HttpConfiguration http, TlsFiles.Material material) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(material.keyStore());
    ssl.setKeyStorePassword(material.password());
    HttpConfiguration https = new HttpConfiguration(http);
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    logStreams.closeAll();
    try {
      app.stop();
    } finally {
      disconnects.close();
    }
  }

  private void routes() {
    app.before(this::checkHost);
    app.before(this::authorize);
    app.get("/api/v1/health", ctx -> ctx.json(healthNow()));
    app.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApiYaml));
    app.get("/api/v1/openapi.json", ctx -> ctx.json(DaemonJson.yamlToTree(openApiYaml)));
    app.post("/api/v1/jobs", this::submit);
    app.get("/api/v1/jobs", this::list);
    app.get("/api/v1/jobs/{id}", ctx -> ctx.json(view(jobs.require(id(ctx)))));
    app.get(
        "/api/v1/jobs/{id}/events",
        ctx -> ctx.json(jobs.events(id(ctx)).stream().map(Views.EventView::of).toList()));
    app.post("/api/v1/jobs/{id}/cancel", ctx -> ctx.json(view(jobs.cancel(id(ctx)))));
    app.get("/api/v1/jobs/{id}/logs", this::logs);
    app.get("/api/v1/gpus", ctx -> ctx.json(layouts.gpus()));
    app.get("/api/v1/environments", ctx -> ctx.json(layouts.environments()));
    app.post("/api/v1/layout/apply", this::applyLayout);

    app.exception(
        DaemonException.class,
        (e, ctx) -> {
          if (e.status() == 429) {
            ctx.header("Retry-After", "10");
          }
          error(ctx, e.status(), e.code(), e.getMessage());
        });
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          switch (e.getStatus()) {
            case 413 -> {
              DaemonException tooLarge = BoundedBody.tooLarge(MAX_REQUEST_BYTES);
              error(ctx, 413, tooLarge.code(), tooLarge.getMessage());
            }
            case 404 ->
                error(
                    ctx,
                    404,
                    "not-found",
                    "no endpoint "
                        + ctx.method()
                        + " "
                        + ctx.path()
                        + "; the API is described at /api/v1/openapi.json");
            case 405 ->
                error(ctx, 405, "method", ctx.method() + " is not allowed on " + ctx.path());
            default -> error(ctx, e.getStatus(), "invalid", e.getMessage());
          }
        });
    // The last resort: a bug, never the client's input. The log has the details; the client gets
    // an error document without Java's texts. An Error (say a StackOverflowError) bypasses the
    // exception handlers and leaves a bare 500, which gets the same document here.
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.log(Level.SEVERE, "request " + ctx.method() + " " + ctx.path() + " failed", e);
          internalError(ctx);
        });
    app.error(
        500,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            internalError(ctx);
          }
        });
  }

  /** Refuses a request whose {@code Host} is not a name this daemon serves (DNS rebinding). */
  private void checkHost(Context ctx) {
    hosts
        .refusal(ctx.header("Host"))
        .ifPresent(
            message -> {
              throw new DaemonException(421, "misdirected", message);
            });
  }

  private void authorize(Context ctx) {
    if (isOpen(ctx.path())) {
      return;
    }
    String header = ctx.header("Authorization");
    String token =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7)
            : null;
    if (token == null || !tokens.test(token.strip())) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new DaemonException(
          401,
          "unauthorized",
          (token == null ? "this request needs" : "wrong token; give")
              + " 'Authorization: Bearer <token>' with the token from $MIGCTL_HOME/token");
    }
  }

  /**
   * A layout change: 200 with the outcome per GPU; 500 with {@code apply-failed} and the outcome
   * per GPU when a driver step failed (undone on its GPU as far as the driver allowed).
   */
  private void applyLayout(Context ctx) {
    LayoutService.ApplyView view = layouts.apply(body(ctx, LayoutService.ApplyRequest.class));
    if (view.failure() != null) {
      ctx.status(500).json(LayoutService.ApplyFailedView.of(view));
      return;
    }
    ctx.json(view);
  }

  /**
   * Whether anyone who reaches the port may fetch {@code path}: health (status, version, driver,
   * job counts), Prometheus metrics (GPU telemetry, counts, job ids and names on slices), the API's
   * description, and the web page's own files — none holds a command, an environment value, a log
   * or a token. Everything else, reads included, needs the token. Routes are matched on the same
   * path, so no other handler can answer a path judged open.
   */
  static boolean isOpen(String path) {
    String p = path.length() > 1 ? path.replaceAll("/+$", "") : path;
    return OPEN_PATHS.contains(p) || p.startsWith("/ui/") || p.startsWith("/webjars/");
  }

  private static final Set<String> OPEN_PATHS =
      Set.of("/", "/metrics", "/api/v1/health", "/api/v1/openapi.yaml", "/api/v1/openapi.json");

  private void submit(Context ctx) {
    SubmitRequest request = body(ctx, SubmitRequest.class);
    Job job = jobs.submit(request.toSpec());
    ctx.status(201).json(view(job));
  }

  private void list(Context ctx) {
    Set<JobState> states = new LinkedHashSet<>();
    for (String s : ctx.queryParams("state")) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          try {
            states.add(JobState.parse(part));
          } catch (IllegalArgumentException e) {
            throw DaemonException.invalid("state: " + e.getMessage());
          }
        }
      }
    }
    int limit = intParam(ctx, "limit", 1000, 1, JobQuery.MAX_LIMIT);
    JobQuery q =
        new JobQuery(
            states,
            Optional.ofNullable(ctx.queryParam("tenant")),
            Optional.ofNullable(ctx.queryParam("name")),
            limit);
    ctx.json(jobs.list(q).stream().map(this::view).toList());
  }

  /**
   * A job's output. Without {@code follow}, what is there now; with it, streamed until the attempt
   * ends ({@link #follow}). {@code stream} is {@code stdout} (default) or {@code stderr}; {@code
   * attempt} defaults to the latest.
   */
  private void logs(Context ctx) throws IOException {
    long id = id(ctx);
    Job job = jobs.require(id);
    String stream = Optional.ofNullable(ctx.queryParam("stream")).orElse("stdout");
    if (!stream.equals("stdout") && !stream.equals("stderr")) {
      throw DaemonException.invalid("stream: use stdout or stderr, not '" + stream + "'");
    }
    int attempt = intParam(ctx, "attempt", job.attempt(), 1, job.attempt());
    long offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    boolean follow =
        Boolean.parseBoolean(Optional.ofNullable(ctx.queryParam("follow")).orElse("false"));
    Path file = jobs.attemptDir(id, attempt).resolve(stream + ".log");
    if (follow) {
      follow(ctx, id, attempt, file, offset);
      return;
    }
    ctx.contentType("text/plain; charset=utf-8");
    OutputStream out = ctx.res().getOutputStream();
    for (LogFiles.Chunk c = LogFiles.read(file, offset, LOG_CHUNK);
        c.bytes().length > 0;
        c = LogFiles.read(file, c.nextOffset(), LOG_CHUNK)) {
      out.write(c.bytes());
    }
  }

  /**
   * Streams a log until its attempt ends: the head at once, then new output as the file grows (its
   * size is looked at every {@link #FOLLOW_CHECK}), ending when the job service says the attempt
   * ended (never by reading the database while waiting) or when the client leaves — noticed by
   * {@link ClientDisconnects} at once even while the job prints nothing. Each client address may
   * hold {@link StreamLimits#DEFAULT} streams; beyond, 429.
   */
  private void follow(Context ctx, long id, int attempt, Path file, long offset)
      throws IOException {
    try (LogStreams.Stream stream = logStreams.open(ctx.req().getRemoteAddr(), id, attempt)) {
      // Read once, after the stream listens for the job's events, so that no end is missed.
      Job now = jobs.require(id);
      if (now.state().isTerminal() || now.attempt() != attempt) {
        stream.endJob();
      }
      Request jetty = Request.getBaseRequest(ctx.req());
      EndPoint endPoint = jetty == null ? null : jetty.getHttpChannel().getEndPoint();
      Optional<ClientDisconnects.Watch> watch =
          endPoint == null ? Optional.empty() : disconnects.watch(endPoint, stream::clientGone);
      try {
        ctx.contentType("text/plain; charset=utf-8");
        OutputStream out = ctx.res().getOutputStream();
        ctx.res().flushBuffer(); // the client knows at once that the stream is open
        long at = offset;
        while (!stream.isClientGone()) {
          // Read before copying: what the command wrote before its end is copied in this round.
          boolean ended = stream.jobEnded();
          at = copyNew(file, at, out, stream);
          if (ended) {
            break;
          }
          stream.await(FOLLOW_CHECK);
        }
      } catch (IOException e) {
        stream.clientGone(); // the head could not be sent: the client has gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        watch.ifPresent(
            w -> {
              w.close();
              if (w.readRequestBytes()) {
                endPoint.close(); // what the client sent was read here: this connection is done
              }
            });
      }
    }
  }

  /** Copies what {@code file} holds from {@code offset} on; the offset after it. */
  private static long copyNew(Path file, long offset, OutputStream out, LogStreams.Stream stream)
      throws IOException {
    long at = offset;
    for (LogFiles.Chunk c = LogFiles.read(file, at, LOG_CHUNK);
        c.bytes().length > 0;
        c = LogFiles.read(file, at, LOG_CHUNK)) {
      try {
        out.write(c.bytes());
        out.flush();
      } catch (IOException e) {
        stream.clientGone();
        return at;
      }
      at = c.nextOffset();
    }
    return at;
  }

  private Views.JobView view(Job j) {
    return Views.JobView.of(j, jobs.waitingReason(j.id()));
  }

  private Map<String, Object> healthNow() {
    Map<String, Object> h = new HashMap<>(health);
    h.put("status", "ok");
    Map<String, Long> counts = new java.util.TreeMap<>();
    jobs.countByState().forEach((s, n) -> counts.put(s.wireName(), n));
    h.put("jobs", counts);
    return h;
  }

  private static long id(Context ctx) {
    String raw = ctx.pathParam("id");
    try {
      long id = Long.parseLong(raw);
      if (id < 1) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw DaemonException.invalid("'" + raw + "' is not a job id; ids are positive integers");
    }
  }

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw.strip());
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw DaemonException.invalid(
          name + ": '" + raw + "' must be a whole number from " + min + " to " + max);
    }
  }

  private static <T> T body(Context ctx, Class<T> type) {
    return JsonBody.read(BoundedBody.read(ctx.req(), MAX_REQUEST_BYTES), type);
  }

  private static void internalError(Context ctx) {
    error(
        ctx,
        500,
        "internal",
        "the daemon failed on this request (a bug in migctl, not in the request); its log has the"
            + " details; please report it");
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.status(status).json(new Views.ErrorView(code, message));
  }
}
