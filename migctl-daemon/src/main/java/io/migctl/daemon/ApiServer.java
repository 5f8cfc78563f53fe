package io.migctl.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.tenant.Principal;
import io.migctl.daemon.store.GroupCommit;
import io.migctl.daemon.store.TenantStore;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The REST API under {@code /api/v1}. Every request needs a bearer token, reads included, except
 * health, metrics, the API's description and the web page's files ({@link ApiAccess#isOpen}). The
 * token is the operator's or a tenant's: a tenant sees and acts on its own jobs and environments
 * only (others' are 404, as missing ones), and every change is audited before it is made ({@link
 * Audit}). Errors are JSON: {@code {"code": "...", "message": "..."}}, the message saying what to
 * fix ({@link ApiErrors}).
 *
 * @see Tokens
 */
public final class ApiServer implements AutoCloseable {

  /** The largest request body accepted, counted on the bytes read whatever the framing. */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;

  /** The buffer Javalin copies an answer through, allocated per request. */
  private static final int RESPONSE_COPY_BYTES = 4096;

  /** Writes the answer to a submission, the API's busiest write. */
  private static final ObjectWriter JOB_WRITER = DaemonJson.MAPPER.writerFor(Views.JobView.class);

  private final Javalin app;
  private final JobService jobs;
  private final LayoutService layouts;
  private final ApiAccess access;
  private final Map<String, Object> health;
  private final String openApiYaml;
  private final JobLogsEndpoint logs;
  private final TenantStore tenants;
  private final Audit audit;
  private String host;
  private int port;

  /**
   * @param tokens who a bearer token acts as; empty for a token that opens nothing
   * @param tenants which tenant owns which environment build
   * @param hosts the names a request's {@code Host} header may carry; others get 421
   * @param tls the key store to serve HTTPS from; plain HTTP without
   * @param configure adds routes of other parts (metrics, the web page) before the server starts
   */
  ApiServer(
      JobService jobs,
      LayoutService layouts,
      Function<String, Optional<Principal>> tokens,
      TenantStore tenants,
      Audit audit,
      Map<String, Object> health,
      String openApiYaml,
      HostAllowList hosts,
      Optional<TlsFiles.Material> tls,
      Consumer<Javalin> configure) {
    this.jobs = jobs;
    this.layouts = layouts;
    this.access = new ApiAccess(hosts, tokens);
    this.tenants = tenants;
    this.audit = audit;
    this.health = Map.copyOf(health);
    this.openApiYaml = openApiYaml;
    this.logs = new JobLogsEndpoint(jobs);
    ObjectMapper mapper = DaemonJson.MAPPER;
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.useVirtualThreads = true;
              config.http.maxRequestSize = MAX_REQUEST_BYTES;
              // Javalin copies each answer into Jetty's output through a buffer of this size,
              // allocated per request (Jetty's 32 KiB output buffer by default): our answers are
              // small, and Jetty still gathers larger ones in its own buffer.
              config.http.responseBufferSize = RESPONSE_COPY_BYTES;
              config.jsonMapper(new JavalinJackson(mapper, false));
              tls.ifPresent(
                  material ->
                      config.jetty.addConnector(
                          (server, http) -> httpsConnector(server, http, material)));
            });
    routes();
    configure.accept(app);
  }

  /** How many followed logs are open now. */
  public int logStreams() {
    return logs.open();
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
   * is checked by {@link ApiAccess}, which answers with the error document.
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
    logs.endStreams();
    try {
      app.stop();
    } finally {
      logs.close();
    }
  }

  private void routes() {
    access.register(app);
    app.get("/api/v1/health", ctx -> ctx.json(healthNow()));
    app.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApiYaml));
    app.get("/api/v1/openapi.json", ctx -> ctx.json(DaemonJson.yamlToTree(openApiYaml)));
    app.post("/api/v1/jobs", this::submit);
    app.get("/api/v1/jobs", this::list);
    app.get("/api/v1/jobs/{id}", ctx -> ctx.json(view(JobAccess.visible(jobs, ctx))));
    app.get(
        "/api/v1/jobs/{id}/events",
        ctx ->
            ctx.json(
                jobs.events(JobAccess.visible(jobs, ctx).id()).stream()
                    .map(Views.EventView::of)
                    .toList()));
    app.post("/api/v1/jobs/{id}/cancel", this::cancel);
    app.get("/api/v1/jobs/{id}/logs", logs::serve);
    app.get("/api/v1/gpus", this::gpus);
    app.get("/api/v1/environments", this::environments);
    app.post("/api/v1/layout/apply", this::applyLayout);
    ApiErrors.register(app);
  }

  /**
   * A layout change: 200 with the outcome per GPU; 500 with {@code apply-failed} and the outcome
   * per GPU when a driver step failed (undone on its GPU as far as the driver allowed).
   */
  private void applyLayout(Context ctx) {
    Principal by = ApiAccess.requireOperator(ctx, "change the MIG layout");
    LayoutService.ApplyRequest request = RequestParams.body(ctx, LayoutService.ApplyRequest.class);
    if (!Boolean.TRUE.equals(request.dryRun())) {
      audit.record(
          by,
          "layout-apply",
          "node",
          "config "
              + request.config()
              + (request.select() == null ? "" : " -c " + request.select()));
    }
    LayoutService.ApplyView view = layouts.apply(request);
    if (view.failure() != null) {
      ctx.status(500).json(LayoutService.ApplyFailedView.of(view));
      return;
    }
    ctx.json(view);
  }

  /**
   * A submission: a tenant's token submits as its tenant (naming another is refused with 403); the
   * operator's as the tenant the body names, else {@link JobSpec#DEFAULT_TENANT}.
   */
  private void submit(Context ctx) {
    Principal by = ApiAccess.principal(ctx);
    SubmitRequest request = RequestParams.body(ctx, SubmitRequest.class);
    JobSpec asked = request.toSpec();
    String tenant;
    try {
      tenant = by.submissionTenant(Optional.ofNullable(request.tenant()), JobSpec.DEFAULT_TENANT);
    } catch (IllegalArgumentException e) {
      throw new DaemonException(403, "forbidden", e.getMessage());
    }
    JobSpec spec = asked.withTenant(tenant);
    // A tenant runs in the builds it asked for; another's is as unknown as one that is not there.
    by.ownTenant()
        .ifPresent(
            own ->
                spec.environment()
                    .filter(ref -> !tenants.owns(jobs.resolveBuild(ref), own))
                    .ifPresent(
                        ref -> {
                          throw ChildEnvironment.noBuild(ref);
                        }));
    // The line shares the transaction that stores the job: one sync for both. A refused submission
    // stores nothing, and its line is committed by the await.
    GroupCommit.Pending<?> audited =
        audit.recordQueued(
            by, "submit", "tenant " + tenant, "job " + spec.name() + ", " + spec.gpu());
    Job job;
    try {
      job = jobs.submit(spec, by);
    } finally {
      audited.await();
    }
    ctx.status(201).contentType(ContentType.APPLICATION_JSON).result(writeJob(view(job)));
  }

  /** The JSON of a job, with a writer built once. */
  private static byte[] writeJob(Views.JobView view) {
    try {
      return JOB_WRITER.writeValueAsBytes(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write job " + view.id() + " as JSON: " + e, e);
    }
  }

  private void cancel(Context ctx) {
    Principal by = ApiAccess.principal(ctx);
    Job job = JobAccess.visible(jobs, ctx);
    audit.record(by, "cancel", "job " + job.id(), job.spec().name());
    ctx.json(view(jobs.cancel(job.id(), by)));
  }

  /** The GPUs; a tenant sees which devices are busy, but not others' jobs on them. */
  private void gpus(Context ctx) {
    Principal p = ApiAccess.principal(ctx);
    ctx.json(
        layouts.gpus().stream()
            .map(
                g ->
                    new Views.GpuView(
                        g.index(),
                        g.uuid(),
                        g.model(),
                        g.migEnabled(),
                        g.memorySlices(),
                        g.computeSlices(),
                        g.instances().stream()
                            .map(i -> i.tenant() == null || p.sees(i.tenant()) ? i : i.withoutJob())
                            .toList()))
            .toList());
  }

  /** The environment builds; a tenant sees those it asked for. */
  private void environments(Context ctx) {
    Principal p = ApiAccess.principal(ctx);
    ctx.json(
        layouts.environments().stream()
            .filter(e -> p.ownTenant().map(t -> tenants.owns(e.id(), t)).orElse(true))
            .toList());
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
    int limit = RequestParams.intParam(ctx, "limit", 1000, 1, JobQuery.MAX_LIMIT);
    Principal p = ApiAccess.principal(ctx);
    Optional<String> tenant = Optional.ofNullable(ctx.queryParam("tenant"));
    if (tenant.isPresent() && !p.sees(tenant.get())) {
      ctx.json(java.util.List.of());
      return;
    }
    JobQuery q =
        new JobQuery(
            states,
            tenant.isPresent() ? tenant : p.ownTenant(),
            Optional.ofNullable(ctx.queryParam("name")),
            limit);
    ctx.json(jobs.list(q).stream().map(this::view).toList());
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
}
