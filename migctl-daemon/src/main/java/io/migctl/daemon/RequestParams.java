package io.migctl.daemon;

import io.javalin.http.Context;

/** What the API reads from a request: a job id in the path, bounded numbers, a JSON body. */
final class RequestParams {

  private RequestParams() {}

  /** The {@code {id}} path parameter: a positive job id. */
  static long jobId(Context ctx) {
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

  /**
   * The query parameter {@code name}, from {@code min} to {@code max}; {@code fallback} if none.
   */
  static int intParam(Context ctx, String name, int fallback, int min, int max) {
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

  /** The body as {@code type}, at most {@link ApiServer#MAX_REQUEST_BYTES}. */
  static <T> T body(Context ctx, Class<T> type) {
    return JsonBody.read(BoundedBody.read(ctx.req(), ApiServer.MAX_REQUEST_BYTES), type);
  }
}
