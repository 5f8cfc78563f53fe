package io.migctl.core.k8s;

import java.util.Arrays;
import java.util.Optional;

/**
 * The values of {@code nvidia.com/mig.config.state}: exactly the MIG manager's own, so that every
 * runbook and tool that reads the label keeps working. migctl's details go in annotations.
 */
public enum MigConfigState {
  PENDING("pending"),
  REBOOTING("rebooting"),
  SUCCESS("success"),
  FAILED("failed");

  private final String value;

  MigConfigState(String value) {
    this.value = value;
  }

  /** The label value. */
  public String value() {
    return value;
  }

  /** The state a label value names; empty for an absent or foreign value. */
  public static Optional<MigConfigState> of(String value) {
    return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
  }
}
