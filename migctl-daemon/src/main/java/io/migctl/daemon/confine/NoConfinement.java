package io.migctl.daemon.confine;

import io.migctl.daemon.run.LaunchConfinement;
import java.util.Objects;
import java.util.Optional;

/**
 * No confinement: jobs run as the daemon's user, in its cgroups, with every device node that user
 * may open. Chosen when the daemon is not root, when no usable controller is there, or when the
 * operator asked for none; {@link #isolation} says which.
 */
public final class NoConfinement implements Confinement {

  private final String why;

  /**
   * @param why why jobs are not confined, in words, e.g. {@code the daemon is not root}
   */
  public NoConfinement(String why) {
    this.why = Objects.requireNonNull(why, "why");
  }

  @Override
  public Isolation isolation() {
    return new Isolation(
        "none",
        false,
        "jobs run as the daemon's user, unconfined (no per-job user, device or host limits): "
            + why);
  }

  @Override
  public LaunchConfinement prepare(ConfineRequest request) {
    return LaunchConfinement.NONE;
  }

  @Override
  public Optional<String> release(String name) {
    return Optional.empty();
  }
}
