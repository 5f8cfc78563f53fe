package io.migctl.core.mig;

/**
 * A GPU's MIG mode: the one in effect and the one it will have after a reset (they differ only
 * while an Ampere GPU waits for its reset).
 */
public record MigMode(boolean current, boolean pending) {

  public static final MigMode ENABLED = new MigMode(true, true);
  public static final MigMode DISABLED = new MigMode(false, false);

  /** Whether a mode change waits for a GPU reset. */
  public boolean isChangePending() {
    return current != pending;
  }
}
