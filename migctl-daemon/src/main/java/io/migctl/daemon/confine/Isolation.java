package io.migctl.daemon.confine;

import java.util.Objects;

/**
 * Which isolation is in force for jobs, said plainly: the daemon never claims one it does not have.
 *
 * @param mode {@code cgroup-v1}, {@code systemd-scope} or {@code none}
 * @param confined whether jobs run as their tenant's user, limited to their device nodes and host
 *     limits
 * @param detail what is enforced, or why nothing is
 */
public record Isolation(String mode, boolean confined, String detail) {

  public Isolation {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(detail, "detail");
  }

  /** {@code mode: detail}, for the daemon's start message. */
  public String describe() {
    return mode + ": " + detail;
  }
}
