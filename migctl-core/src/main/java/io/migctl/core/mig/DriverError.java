package io.migctl.core.mig;

/** The driver's error kinds, with the text NVML's {@code nvmlErrorString} gives each. */
public enum DriverError {
  INVALID_ARGUMENT("Invalid Argument"),
  NOT_SUPPORTED("Not Supported"),
  NO_PERMISSION("Insufficient Permissions"),
  NOT_FOUND("Not Found"),
  INSUFFICIENT_RESOURCES("Insufficient Resources"),
  IN_USE("In use by another client"),
  RESET_REQUIRED("GPU requires reset"),
  DRIVER_NOT_LOADED("Driver Not Loaded"),
  UNKNOWN("Unknown Error");

  private final String text;

  DriverError(String text) {
    this.text = text;
  }

  /** NVML's words for this error, as {@code nvidia-smi} prints them. */
  public String text() {
    return text;
  }
}
