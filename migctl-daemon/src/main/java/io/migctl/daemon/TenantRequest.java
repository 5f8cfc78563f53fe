package io.migctl.daemon;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The body of {@code POST /api/v1/tenants} (a new tenant) and {@code PATCH /api/v1/tenants/{name}}
 * (a change: only the fields given change). Unknown fields are refused.
 *
 * @param name the tenant's name (POST only)
 * @param user the Unix user its jobs run as when the daemon runs as root
 * @param maxGpuMemory a size such as {@code 40GiB}; a plain number is MiB
 * @param jobMemory the host memory a job of the tenant gets when it sets none, e.g. {@code 16GiB}
 * @param jobCpus the cores a job gets when it sets none, e.g. {@code 4} or {@code 0.5}
 * @param clear fields to set back to no limit (PATCH only), e.g. {@code ["maxSlices", "user"]}
 */
record TenantRequest(
    String name,
    String user,
    Integer maxSlices,
    String maxGpuMemory,
    Integer maxRunning,
    Integer maxQueued,
    Integer weight,
    String jobMemory,
    Double jobCpus,
    Integer jobMaxProcs,
    List<String> clear) {

  /** The fields {@link #clear} may name. */
  static final Set<String> CLEARABLE =
      Set.of(
          "user",
          "maxSlices",
          "maxGpuMemory",
          "maxRunning",
          "maxQueued",
          "weight",
          "jobMemory",
          "jobCpus",
          "jobMaxProcs");

  /**
   * The new tenant this request asks for.
   *
   * @throws DaemonException {@code invalid} naming the field and how to fix it
   */
  Tenant toNewTenant() {
    if (name == null || name.isBlank()) {
      throw DaemonException.invalid("name: missing; give the tenant's name, e.g. alice");
    }
    if (clear != null) {
      throw DaemonException.invalid("clear: only a change (PATCH) clears fields; leave it out");
    }
    try {
      return applyTo(Tenant.named(name.strip()));
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    }
  }

  /**
   * {@code current} with the changes this request asks for.
   *
   * @throws DaemonException {@code invalid} naming the field and how to fix it
   */
  Tenant applyTo(Tenant current) {
    if (name != null && !name.strip().equals(current.name())) {
      throw DaemonException.invalid(
          "name: a tenant cannot be renamed; add a new one and remove " + current.name());
    }
    Set<String> cleared = Set.copyOf(clear == null ? List.of() : clear);
    for (String field : cleared) {
      if (!CLEARABLE.contains(field)) {
        throw DaemonException.invalid(
            "clear: '" + field + "' is not a field that can be cleared; use any of " + CLEARABLE);
      }
    }
    Quota q = current.quota();
    HostLimits d = current.jobDefaults();
    try {
      return new Tenant(
          current.name(),
          cleared.contains("user") ? Optional.empty() : given(user, current.unixUser()),
          new Quota(
              count(cleared, "maxSlices", maxSlices, q.maxSlices()),
              size(cleared, "maxGpuMemory", maxGpuMemory, q.maxGpuMemoryMiB()),
              count(cleared, "maxRunning", maxRunning, q.maxRunning()),
              count(cleared, "maxQueued", maxQueued, q.maxQueued())),
          cleared.contains("weight")
              ? Tenant.DEFAULT_WEIGHT
              : weight == null ? current.weight() : weight,
          new HostLimits(
              size(cleared, "jobMemory", jobMemory, d.memoryMiB()),
              cpus(cleared, d.cpuMillis()),
              count(cleared, "jobMaxProcs", jobMaxProcs, d.maxProcs())));
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    }
  }

  private static Optional<String> given(String value, Optional<String> current) {
    return value == null ? current : Optional.of(value.strip());
  }

  private static OptionalInt count(
      Set<String> cleared, String field, Integer value, OptionalInt current) {
    if (cleared.contains(field)) {
      return OptionalInt.empty();
    }
    return value == null ? current : OptionalInt.of(value);
  }

  private static OptionalLong size(
      Set<String> cleared, String field, String value, OptionalLong current) {
    if (cleared.contains(field)) {
      return OptionalLong.empty();
    }
    return value == null
        ? current
        : OptionalLong.of(field(field, () -> GpuNeed.parseMemoryMiB(value)));
  }

  private OptionalInt cpus(Set<String> cleared, OptionalInt current) {
    if (cleared.contains("jobCpus")) {
      return OptionalInt.empty();
    }
    if (jobCpus == null) {
      return current;
    }
    if (jobCpus.isNaN() || jobCpus <= 0 || jobCpus > HostLimits.MAX_CPU_MILLIS / 1000.0) {
      throw DaemonException.invalid(
          "jobCpus: " + jobCpus + " is out of range; give cores, e.g. 4 or 0.5");
    }
    return OptionalInt.of((int) Math.round(jobCpus * 1000));
  }

  private static <T> T field(String name, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(name + ": " + e.getMessage());
    }
  }
}
