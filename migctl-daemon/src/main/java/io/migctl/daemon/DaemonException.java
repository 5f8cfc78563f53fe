package io.migctl.daemon;

/**
 * A request the daemon refuses, with the HTTP status and a stable code for clients.
 *
 * <p>Codes: {@code invalid} (400), {@code unauthorized} (401), {@code forbidden} (403), {@code
 * not-found} (404), {@code conflict} (409), {@code too-large} (413), {@code unavailable} (503).
 */
public final class DaemonException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public DaemonException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public static DaemonException invalid(String message) {
    return new DaemonException(400, "invalid", message);
  }

  public static DaemonException notFound(String message) {
    return new DaemonException(404, "not-found", message);
  }

  public static DaemonException conflict(String message) {
    return new DaemonException(409, "conflict", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
