package io.migctl.core.mig;

/** GPU architectures with MIG, and the rules that differ between them. */
public enum Architecture {
  /** A100, A30: a MIG mode change stays pending until the GPU is reset. */
  AMPERE(true),
  /** H100, H200, GH200: a MIG mode change applies at once. */
  HOPPER(false),
  /** B200, GB200: a MIG mode change applies at once. */
  BLACKWELL(false);

  private final boolean modeChangeNeedsReset;

  Architecture(boolean modeChangeNeedsReset) {
    this.modeChangeNeedsReset = modeChangeNeedsReset;
  }

  /** Whether enabling or disabling MIG takes effect only after a GPU reset. */
  public boolean modeChangeNeedsReset() {
    return modeChangeNeedsReset;
  }
}
