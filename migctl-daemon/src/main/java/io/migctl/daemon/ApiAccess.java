package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.migctl.core.access.HostAllowList;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who may ask the API: a request must name a host this daemon serves, and carry the bearer token
 * unless its path is open ({@link #isOpen}). Both checks run before any route.
 *
 * @see Tokens
 */
final class ApiAccess {

  private static final Set<String> OPEN_PATHS =
      Set.of("/", "/metrics", "/api/v1/health", "/api/v1/openapi.yaml", "/api/v1/openapi.json");

  private final HostAllowList hosts;
  private final Predicate<String> tokens;

  /**
   * @param hosts the names a request's {@code Host} header may carry; others get 421
   * @param tokens whether a bearer token opens the API
   */
  ApiAccess(HostAllowList hosts, Predicate<String> tokens) {
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
    String p = path.length() > 1 ? path.replaceAll("/+$", "") : path;
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
    if (token == null || !tokens.test(token.strip())) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new DaemonException(
          401,
          "unauthorized",
          (token == null ? "this request needs" : "wrong token; give")
              + " 'Authorization: Bearer <token>' with the token from $MIGCTL_HOME/token");
    }
  }
}
