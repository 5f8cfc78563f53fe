package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.migctl.core.job.JobState;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.Tenant;
import io.migctl.daemon.store.TenantStore;
import io.migctl.daemon.store.TokenRecords;
import java.time.Clock;
import java.util.Map;

/**
 * Tenants, their tokens, the audit log and {@code whoami}: {@code GET/POST /api/v1/tenants}, {@code
 * GET/PATCH/DELETE /api/v1/tenants/{name}}, {@code POST /api/v1/tenants/{name}/token}, {@code GET
 * /api/v1/audit}, {@code GET /api/v1/whoami}. All but {@code whoami} and reading one's own tenant
 * are the operator's (403 for a tenant). Every change is audited before it is made.
 */
final class TenantApi {

  /** The body of {@code POST /api/v1/tenants/{name}/token}; {@code rotate} revokes older tokens. */
  record TokenRequest(Boolean rotate) {}

  /** A token, shown once: only its SHA-256 is kept. */
  record TokenView(String tenant, String token, boolean rotated) {}

  /** Who a request acts as. */
  record WhoAmI(String actor, boolean operator, String tenant) {}

  private final TenantStore tenants;
  private final TokenRecords tokens;
  private final JobService jobs;
  private final Audit audit;
  private final Clock clock;

  TenantApi(TenantStore tenants, TokenRecords tokens, JobService jobs, Audit audit, Clock clock) {
    this.tenants = tenants;
    this.tokens = tokens;
    this.jobs = jobs;
    this.audit = audit;
    this.clock = clock;
  }

  void register(Javalin app) {
    app.get("/api/v1/whoami", this::whoami);
    app.get("/api/v1/tenants", this::list);
    app.post("/api/v1/tenants", this::add);
    app.get("/api/v1/tenants/{name}", this::show);
    app.patch("/api/v1/tenants/{name}", this::change);
    app.delete("/api/v1/tenants/{name}", this::remove);
    app.post("/api/v1/tenants/{name}/token", this::token);
    app.get("/api/v1/audit", this::auditLog);
  }

  private void whoami(Context ctx) {
    Principal p = ApiAccess.principal(ctx);
    ctx.json(new WhoAmI(p.actor(), p.isOperator(), p.ownTenant().orElse(null)));
  }

  private void list(Context ctx) {
    ApiAccess.requireOperator(ctx, "list tenants");
    ctx.json(tenants.stored().stream().map(TenantViews.TenantView::of).toList());
  }

  /** A tenant may read its own record (its quota); other records are the operator's. */
  private void show(Context ctx) {
    String name = ctx.pathParam("name");
    if (!ApiAccess.principal(ctx).ownTenant().map(name::equals).orElse(false)) {
      ApiAccess.requireOperator(ctx, "read other tenants");
    }
    ctx.json(TenantViews.TenantView.of(require(name)));
  }

  private void add(Context ctx) {
    Principal by = ApiAccess.requireOperator(ctx, "add tenants");
    Tenant tenant = RequestParams.body(ctx, TenantRequest.class).toNewTenant();
    if (tenants.find(tenant.name()).isPresent()) {
      throw DaemonException.conflict(
          "tenant "
              + tenant.name()
              + " exists already; change it with 'migctl tenant set "
              + tenant.name()
              + "'");
    }
    audit.record(by, "tenant-add", "tenant " + tenant.name(), describe(tenant));
    try {
      tenants.add(tenant, clock.instant());
    } catch (IllegalStateException e) {
      // another request added it since the check above
      throw DaemonException.conflict(e.getMessage());
    }
    ctx.status(201).json(TenantViews.TenantView.of(require(tenant.name())));
  }

  private void change(Context ctx) {
    Principal by = ApiAccess.requireOperator(ctx, "change tenants");
    TenantStore.Stored current = require(ctx.pathParam("name"));
    Tenant changed = RequestParams.body(ctx, TenantRequest.class).applyTo(current.tenant());
    audit.record(by, "tenant-set", "tenant " + changed.name(), describe(changed));
    tenants.replace(changed);
    jobs.reschedule();
    ctx.json(TenantViews.TenantView.of(require(changed.name())));
  }

  private void remove(Context ctx) {
    Principal by = ApiAccess.requireOperator(ctx, "remove tenants");
    TenantStore.Stored current = require(ctx.pathParam("name"));
    String name = current.tenant().name();
    long unfinished = unfinishedJobs(name);
    if (unfinished > 0) {
      throw DaemonException.conflict(
          "tenant "
              + name
              + " has "
              + unfinished
              + (unfinished == 1 ? " job" : " jobs")
              + " queued or running; cancel them first (migctl jobs --tenant "
              + name
              + " --state queued,starting,running,stopping; migctl cancel ID)");
    }
    audit.record(by, "tenant-rm", "tenant " + name, "");
    tenants.remove(name);
    ctx.json(TenantViews.TenantView.of(current));
  }

  private void token(Context ctx) {
    Principal by = ApiAccess.requireOperator(ctx, "make tenant tokens");
    String name = require(ctx.pathParam("name")).tenant().name();
    byte[] body = BoundedBody.read(ctx.req(), ApiServer.MAX_REQUEST_BYTES);
    boolean rotate =
        body.length > 0 && Boolean.TRUE.equals(JsonBody.read(body, TokenRequest.class).rotate());
    audit.record(
        by,
        "tenant-token",
        "tenant " + name,
        rotate ? "new token; older tokens revoked" : "new token");
    String token = tokens.issue(name, rotate, clock.instant());
    ctx.status(201).json(new TokenView(name, token, rotate));
  }

  private void auditLog(Context ctx) {
    ApiAccess.requireOperator(ctx, "read the audit log");
    int after = RequestParams.intParam(ctx, "after", 0, 0, Integer.MAX_VALUE);
    int limit = RequestParams.intParam(ctx, "limit", 1000, 1, 10_000);
    ctx.json(audit.after(after, limit).stream().map(TenantViews.AuditView::of).toList());
  }

  private TenantStore.Stored require(String name) {
    return tenants
        .stored(name)
        .orElseThrow(
            () ->
                DaemonException.notFound(
                    "no tenant " + name + "; 'migctl tenant list' shows the tenants"));
  }

  private long unfinishedJobs(String tenant) {
    long n = 0;
    for (Map.Entry<JobState, Map<String, Long>> e : jobs.countByStateAndTenant().entrySet()) {
      if (!e.getKey().isTerminal()) {
        n += e.getValue().getOrDefault(tenant, 0L);
      }
    }
    return n;
  }

  private static String describe(Tenant t) {
    return TenantViews.TenantView.summary(t);
  }
}
