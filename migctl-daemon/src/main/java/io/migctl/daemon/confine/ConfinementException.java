package io.migctl.daemon.confine;

/** An attempt's confinement cannot be made; the message says what and how to fix it. */
public final class ConfinementException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfinementException(String message) {
    super(message);
  }

  public ConfinementException(String message, Throwable cause) {
    super(message, cause);
  }
}
