package io.migctl.cli;

/** The driver asked for cannot be used here (no NVML, no GPU); the message says why. Exit 1. */
public final class DriverUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DriverUnavailableException(String message) {
    super(message);
  }
}
