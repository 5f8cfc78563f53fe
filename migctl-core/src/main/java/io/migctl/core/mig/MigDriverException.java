package io.migctl.core.mig;

/**
 * A driver call failed. The message names the operation and ends with NVML's words for the error,
 * e.g. {@code create GPU instance 3g.20gb (ID 9) on GPU 0: Insufficient Resources}.
 */
public final class MigDriverException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final DriverError error;
  private final String detail;

  public MigDriverException(DriverError error, String operation) {
    super(operation + ": " + error.text());
    this.error = error;
    this.detail = null;
  }

  public MigDriverException(DriverError error, String operation, String detail) {
    super(operation + ": " + error.text() + " (" + detail + ")");
    this.error = error;
    this.detail = detail;
  }

  public DriverError error() {
    return error;
  }

  /**
   * The error without the operation: NVML's words and the detail, e.g. {@code Insufficient
   * Resources (slices 4-7 are in use)}, for messages that name the operation their own way.
   */
  public String reason() {
    return detail == null ? error.text() : error.text() + " (" + detail + ")";
  }
}
