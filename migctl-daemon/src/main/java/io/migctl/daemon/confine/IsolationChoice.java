package io.migctl.daemon.confine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the operator asked for ({@code serve --isolation}) and the decision it comes to on a host.
 *
 * @param mode {@link Mode#AUTO}: the best the host allows; the others: exactly that, or no start
 * @param cgroupParent the cgroup under each v1 hierarchy's root that holds migctl's ({@code
 *     migctl}; tests give their own)
 */
public record IsolationChoice(Mode mode, String cgroupParent) {

  /** How jobs are to be confined. */
  public enum Mode {
    AUTO,
    CGROUP_V1,
    SYSTEMD,
    NONE
  }

  private static final Pattern PARENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** Jobs unconfined: the default of a daemon assembled in-process. */
  public static final IsolationChoice NONE = new IsolationChoice(Mode.NONE, "migctl");

  /** The best the host allows: what {@code migctl serve} does by default. */
  public static final IsolationChoice AUTO = new IsolationChoice(Mode.AUTO, "migctl");

  public IsolationChoice {
    Objects.requireNonNull(mode, "mode");
    if (cgroupParent == null || !PARENT.matcher(cgroupParent).matches()) {
      throw new IllegalArgumentException("not a cgroup name: '" + cgroupParent + "'");
    }
  }

  /**
   * What the host offers.
   *
   * @param root whether the daemon runs as root
   * @param cgroupV1 whether the devices, memory, cpu and pids controllers are mounted as v1
   *     hierarchies
   * @param systemd whether systemd runs the host ({@code /run/systemd/system} exists)
   * @param setpriv the {@code setpriv} program, if installed
   * @param systemdRun the {@code systemd-run} program, if installed
   */
  public record Host(
      boolean root,
      boolean cgroupV1,
      boolean systemd,
      Optional<Path> setpriv,
      Optional<Path> systemdRun) {}

  /** The kind of confinement decided on; {@code why} explains {@link Kind#NONE}. */
  public record Decision(Kind kind, String why) {}

  /** The confinements there are. */
  public enum Kind {
    CGROUP_V1,
    SYSTEMD,
    NONE
  }

  /**
   * The confinement to use on {@code host}.
   *
   * @throws IllegalStateException when the mode names a confinement the host cannot give, saying
   *     why and what to do
   */
  public Decision decide(Host host) {
    Optional<String> v1Missing = v1Missing(host);
    Optional<String> systemdMissing = systemdMissing(host);
    return switch (mode) {
      case NONE -> new Decision(Kind.NONE, "the operator chose --isolation none");
      case CGROUP_V1 -> exactly(Kind.CGROUP_V1, "cgroup-v1", v1Missing);
      case SYSTEMD -> exactly(Kind.SYSTEMD, "systemd", systemdMissing);
      case AUTO -> {
        if (v1Missing.isEmpty()) {
          yield new Decision(Kind.CGROUP_V1, "");
        }
        if (systemdMissing.isEmpty()) {
          yield new Decision(Kind.SYSTEMD, "");
        }
        yield new Decision(
            Kind.NONE,
            host.root()
                ? v1Missing.get()
                    + "; "
                    + systemdMissing.get()
                    + " (cgroup v2 controls devices only through a BPF program, which systemd"
                    + " attaches)"
                : "the daemon is not root, so it cannot change users or make cgroups");
      }
    };
  }

  private static Decision exactly(Kind kind, String flag, Optional<String> missing) {
    if (missing.isPresent()) {
      throw new IllegalStateException(
          "--isolation " + flag + " is not possible here: " + missing.get());
    }
    return new Decision(kind, "");
  }

  private static Optional<String> v1Missing(Host host) {
    if (!host.root()) {
      return Optional.of("the daemon is not root");
    }
    if (!host.cgroupV1()) {
      return Optional.of(
          "the devices, memory, cpu and pids controllers are not all mounted as cgroup v1");
    }
    return host.setpriv().isPresent()
        ? Optional.empty()
        : Optional.of("setpriv (util-linux) is not installed");
  }

  private static Optional<String> systemdMissing(Host host) {
    if (!host.root()) {
      return Optional.of("the daemon is not root");
    }
    if (!host.systemd() || host.systemdRun().isEmpty()) {
      return Optional.of("systemd does not run this host");
    }
    return host.setpriv().isPresent()
        ? Optional.empty()
        : Optional.of("setpriv (util-linux) is not installed");
  }
}
