package io.migctl.env;

/** A backend could not build an environment; the message carries the tool's explanation. */
public final class BuildFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BuildFailedException(String message) {
    super(message);
  }

  public BuildFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
