package io.migctl.core.mig;

import java.util.List;

/**
 * The outcome of checking a layout against a GPU model: valid, or the reasons it is not.
 *
 * @param violations every reason the layout cannot exist; empty when it is valid
 */
public record LayoutCheck(List<LayoutViolation> violations) {

  public LayoutCheck {
    violations = List.copyOf(violations);
  }

  public boolean isValid() {
    return violations.isEmpty();
  }

  /** All reasons, one per line; empty text when valid. */
  public String message() {
    return String.join("\n", violations.stream().map(LayoutViolation::message).toList());
  }
}
