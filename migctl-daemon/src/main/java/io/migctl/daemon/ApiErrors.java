package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the API answers a request that failed: always a JSON error document, {@code {"code": "...",
 * "message": "..."}}, the message saying what to fix; never Java's own texts.
 */
final class ApiErrors {

  private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

  private ApiErrors() {}

  /** Maps {@link DaemonException}, Javalin's HTTP errors and, as the last resort, bugs. */
  static void register(Javalin app) {
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
              DaemonException tooLarge = BoundedBody.tooLarge(ApiServer.MAX_REQUEST_BYTES);
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
