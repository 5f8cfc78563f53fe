package io.migctl.core.tenant;

/** A tenant record that cannot be accepted; the message names the field and how to fix it. */
public final class TenantSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public TenantSpecException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The offending field, e.g. {@code name} or {@code max-slices}. */
  public String field() {
    return field;
  }
}
