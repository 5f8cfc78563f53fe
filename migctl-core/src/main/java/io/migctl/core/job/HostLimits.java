package io.migctl.core.job;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a job may use of the host, enforced by its cgroup. An empty limit is no limit of migctl's
 * (the tenant's default, else the host's).
 *
 * @param memoryMiB host memory (RSS and page cache) of all the job's processes, in MiB
 * @param cpuMillis CPU time per wall second in thousandths of a core ({@code 4000} is 4 cores)
 * @param maxProcs processes and threads the job may have at once
 */
public record HostLimits(OptionalLong memoryMiB, OptionalInt cpuMillis, OptionalInt maxProcs) {

  /** No limit. */
  public static final HostLimits NONE =
      new HostLimits(OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());

  /** At most this much memory: 64 TiB. */
  public static final long MAX_MEMORY_MIB = 64L * 1024 * 1024;

  /** At most 4096 cores. */
  public static final int MAX_CPU_MILLIS = 4096 * 1000;

  /** At most 4 million processes, the kernel's own ceiling for pid_max. */
  public static final int MAX_PROCS = 4 * 1024 * 1024;

  /** Checks the ranges; the exception names the field. */
  public HostLimits {
    memoryMiB = memoryMiB == null ? OptionalLong.empty() : memoryMiB;
    cpuMillis = cpuMillis == null ? OptionalInt.empty() : cpuMillis;
    maxProcs = maxProcs == null ? OptionalInt.empty() : maxProcs;
    if (memoryMiB.isPresent()
        && (memoryMiB.getAsLong() < 4 || memoryMiB.getAsLong() > MAX_MEMORY_MIB)) {
      throw new JobSpecException(
          "memory", memoryMiB.getAsLong() + " MiB is out of range; use 4MiB to 64TiB");
    }
    if (cpuMillis.isPresent()
        && (cpuMillis.getAsInt() < 10 || cpuMillis.getAsInt() > MAX_CPU_MILLIS)) {
      throw new JobSpecException(
          "cpus", (cpuMillis.getAsInt() / 1000.0) + " cores is out of range; use 0.01 to 4096");
    }
    if (maxProcs.isPresent() && (maxProcs.getAsInt() < 1 || maxProcs.getAsInt() > MAX_PROCS)) {
      throw new JobSpecException(
          "max-procs", maxProcs.getAsInt() + " is out of range; use 1 to " + MAX_PROCS);
    }
  }

  /**
   * Limits as people write them: {@code memory} a size ({@code 16GiB}, {@code 512MiB}), {@code
   * cpus} cores ({@code 4}, {@code 0.5}), {@code maxProcs} a count; each may be absent.
   *
   * @throws JobSpecException naming the field ({@code memory}, {@code cpus}, {@code max-procs}) and
   *     the forms it takes
   */
  public static HostLimits parse(
      Optional<String> memory, Optional<String> cpus, Optional<Integer> maxProcs) {
    OptionalLong mib = OptionalLong.empty();
    if (memory.isPresent()) {
      try {
        mib = OptionalLong.of(GpuNeed.parseMemoryMiB(memory.get()));
      } catch (IllegalArgumentException e) {
        throw new JobSpecException("memory", e.getMessage());
      }
    }
    OptionalInt millis = OptionalInt.empty();
    if (cpus.isPresent()) {
      double cores;
      try {
        cores = Double.parseDouble(cpus.get().strip());
      } catch (NumberFormatException e) {
        throw new JobSpecException(
            "cpus", "'" + cpus.get() + "' is not a number of cores; write e.g. 4 or 0.5");
      }
      if (!(cores >= 0.01 && cores <= MAX_CPU_MILLIS / 1000.0)) {
        throw new JobSpecException(
            "cpus", "'" + cpus.get() + "' cores is out of range; use 0.01 to 4096");
      }
      millis = OptionalInt.of((int) Math.round(cores * 1000));
    }
    return new HostLimits(mib, millis, maxProcs.map(OptionalInt::of).orElse(OptionalInt.empty()));
  }

  /** These limits, each empty one taken from {@code defaults}. */
  public HostLimits orElse(HostLimits defaults) {
    return new HostLimits(
        memoryMiB.isPresent() ? memoryMiB : defaults.memoryMiB,
        cpuMillis.isPresent() ? cpuMillis : defaults.cpuMillis,
        maxProcs.isPresent() ? maxProcs : defaults.maxProcs);
  }

  /** Whether no limit is set. */
  public boolean isEmpty() {
    return memoryMiB.isEmpty() && cpuMillis.isEmpty() && maxProcs.isEmpty();
  }
}
