package io.migctl.daemon.confine;

import io.migctl.core.job.HostLimits;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Confinement on cgroup v2 through systemd: device control there needs a BPF program, which systemd
 * attaches for a unit with {@code DevicePolicy=closed}. The command runs as {@code systemd-run
 * --scope} with the attempt's devices and limits as unit properties, then {@link Setpriv} drops it
 * to the tenant's user (a scope takes no {@code NoNewPrivileges=}; {@code setpriv} sets it).
 *
 * <p>{@code DevicePolicy=closed} allows the standard pseudo devices ({@code /dev/null}, {@code
 * zero}, {@code full}, {@code random}, {@code urandom}, {@code tty}, {@code ptmx}, {@code pts}) by
 * itself. Not tested on a machine here (systemd is not PID 1 on the build machines): its argument
 * list is. It does not tell an OOM kill from other deaths ({@link #release} reports nothing).
 */
public final class SystemdScopeConfinement implements Confinement {

  private static final Logger LOG = Logger.getLogger(SystemdScopeConfinement.class.getName());
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path systemdRun;
  private final Path setpriv;
  private final UnixUsers users;
  private final ToolRunner tools;

  public SystemdScopeConfinement(Path systemdRun, Path setpriv, UnixUsers users, ToolRunner tools) {
    this.systemdRun = Objects.requireNonNull(systemdRun, "systemdRun");
    this.setpriv = Objects.requireNonNull(setpriv, "setpriv");
    this.users = Objects.requireNonNull(users, "users");
    this.tools = Objects.requireNonNull(tools, "tools");
  }

  @Override
  public Isolation isolation() {
    return new Isolation(
        "systemd-scope",
        true,
        "jobs run as their tenant's Unix user ("
            + ConfineRequest.DEFAULT_USER
            + " for a tenant without one) in a systemd scope each (cgroup v2): DevicePolicy=closed"
            + " with their own device nodes, MemoryMax, CPUQuota, TasksMax");
  }

  @Override
  public LaunchConfinement prepare(ConfineRequest request) {
    UnixIdentity user = users.unprivileged(request.user());
    List<String> prefix = new ArrayList<>(scope(systemdRun, request));
    prefix.addAll(Setpriv.dropTo(setpriv, user));
    return new LaunchConfinement(
        prefix, List.of(), Optional.of(new LaunchConfinement.FileOwner(user.uid(), user.gid())));
  }

  @Override
  public Optional<String> release(String name) {
    try {
      tools.run(
          ToolCommand.of("systemctl", "stop", "--quiet", unit(name) + ".scope")
              .withTimeout(STOP_TIMEOUT));
    } catch (IOException e) {
      LOG.warning("cannot stop " + unit(name) + ".scope: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  /** {@code systemd-run --scope ... --} for the request, before the command. */
  static List<String> scope(Path systemdRun, ConfineRequest request) {
    List<String> argv = new ArrayList<>();
    argv.add(systemdRun.toString());
    argv.add("--scope");
    argv.add("--quiet");
    argv.add("--collect");
    argv.add("--unit=" + unit(request.name()));
    argv.add("--property=DevicePolicy=closed");
    for (DeviceNode d : request.devices()) {
      argv.add("--property=DeviceAllow=" + d.path() + " rw");
    }
    HostLimits limits = request.limits();
    limits
        .memoryMiB()
        .ifPresent(
            mib -> {
              argv.add("--property=MemoryMax=" + mib + "M");
              argv.add("--property=MemorySwapMax=0");
            });
    limits.cpuMillis().ifPresent(m -> argv.add("--property=CPUQuota=" + (m / 10) + "%"));
    limits.maxProcs().ifPresent(n -> argv.add("--property=TasksMax=" + n));
    argv.add("--");
    return List.copyOf(argv);
  }

  private static String unit(String name) {
    return "migctl-" + name;
  }
}
