package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.tenant.Principal;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Who may ask the API: a request must name a host this daemon serves, and carry a bearer token
 * unless its path is open ({@link #isOpen}). Both checks run before any route. The token says who
 * the request acts as, the operator or one tenant ({@link Principal}); every route asks {@link
 * #principal} and lets {@link Principal} decide what it may see and do.
 *
 * @see Tokens
 */
final class ApiAccess {

  private static final String PRINCIPAL = "migctl.principal";

  private static final Set<String> OPEN_PATHS =
      Set.of("/", "/metrics", "/api/v1/health", "/api/v1/openapi.yaml", "/api/v1/openapi.json");

  private final HostAllowList hosts;
  private final Function<String, Optional<Principal>> tokens;

  /**
   * @param hosts the names a request's {@code Host} header may carry; others get 421
   * @param tokens who a bearer token acts as; empty for a token that opens nothing
   */
  ApiAccess(HostAllowList hosts, Function<String, Optional<Principal>> tokens) {
    this.hosts = hosts;
    this.tokens = tokens;
  }

  /** Checks every request of {@code app}, the host first. */
  void register(Javalin app) {
    app.before(this::checkHost);
    app.before(this::authorize);
  }

  /**
   * Whether anyone who reaches the port may fetch {@code path}: health (status, version, driver,
   * job counts), Prometheus metrics (GPU telemetry, counts, job ids and names on slices), the API's
   * description, and the web page's own files — none holds a command, an environment value, a log
   * or a token. Everything else, reads included, needs the token. Routes are matched on the same
   * path, so no other handler can answer a path judged open.
   */
  static boolean isOpen(String path) {
    // Trailing slashes dropped by hand: a regular expression here cost a compile per request.
    int end = path.length();
    while (path.length() > 1 && end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    String p = path.substring(0, end);
    return OPEN_PATHS.contains(p) || p.startsWith("/ui/") || p.startsWith("/webjars/");
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
    Optional<Principal> principal = token == null ? Optional.empty() : tokens.apply(token.strip());
    if (principal.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new DaemonException(
          401,
          "unauthorized",
          (token == null ? "this request needs" : "wrong token; give")
              + " 'Authorization: Bearer <token>' with the token from $MIGCTL_HOME/token, or a"
              + " tenant's token from 'migctl tenant token NAME'");
    }
    ctx.attribute(PRINCIPAL, principal.get());
  }

  /**
   * Who the request acts as.
   *
   * @throws IllegalStateException on an open path, which has no principal (a bug in a route)
   */
  static Principal principal(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException(ctx.path() + " is open; it has no principal to ask");
    }
    return p;
  }

  /**
   * The principal, when it is the operator.
   *
   * @param what what the request asks, for the refusal, e.g. {@code manage tenants}
   * @throws DaemonException 403 for a tenant: the route is not per object, so refusing it tells
   *     nothing a tenant could not know
   */
  static Principal requireOperator(Context ctx, String what) {
    Principal p = principal(ctx);
    if (!p.isOperator()) {
      throw new DaemonException(
          403,
          "forbidden",
          "only the operator may "
              + what
              + "; this token belongs to "
              + p.words()
              + ". Use the operator's token ($MIGCTL_HOME/token of the daemon's user)");
    }
    return p;
  }
}
