package io.migctl.daemon.confine;

import io.migctl.core.job.HostLimits;
import io.migctl.nvidia.dev.DeviceNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one attempt is to be confined to.
 *
 * @param name the attempt's name, unique on the node: {@code <job id>-<attempt>}; names its cgroups
 * @param unixUser the tenant's Unix user; empty: {@link #DEFAULT_USER}
 * @param devices the device nodes of its MIG device (none for a job without a GPU)
 * @param limits host memory, CPU and processes (the job's, else its tenant's defaults)
 */
public record ConfineRequest(
    String name, Optional<String> unixUser, List<DeviceNode> devices, HostLimits limits) {

  /**
   * Who the job of a tenant without a Unix user runs as when the daemon is root: never root itself,
   * but the user that owns nothing.
   */
  public static final String DEFAULT_USER = "nobody";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public ConfineRequest {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not an attempt name: '" + name + "'");
    }
    Objects.requireNonNull(unixUser, "unixUser");
    devices = List.copyOf(devices);
    Objects.requireNonNull(limits, "limits");
  }

  /** The user the job runs as. */
  public String user() {
    return unixUser.orElse(DEFAULT_USER);
  }
}
