package io.migctl.core.job;

/** A job spec that cannot be accepted; the message names the field and how to fix it. */
public final class JobSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public JobSpecException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The offending field, e.g. {@code command} or {@code gpu}. */
  public String field() {
    return field;
  }
}
