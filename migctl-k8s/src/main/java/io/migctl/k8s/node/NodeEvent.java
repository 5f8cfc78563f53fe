package io.migctl.k8s.node;

/**
 * A core/v1 Event about the node.
 *
 * @param warning {@code Warning} when true, else {@code Normal}
 * @param reason one of {@link #PENDING}, {@link #APPLIED}, {@link #REFUSED}, {@link #FAILED},
 *     {@link #GPU_RESET}
 */
public record NodeEvent(boolean warning, String reason, String message) {
  public static final String PENDING = "MigConfigPending";
  public static final String APPLIED = "MigConfigApplied";
  public static final String REFUSED = "MigConfigRefused";
  public static final String FAILED = "MigConfigFailed";
  public static final String GPU_RESET = "MigGpuReset";

  /** The Event's {@code type}. */
  public String type() {
    return warning ? "Warning" : "Normal";
  }
}
