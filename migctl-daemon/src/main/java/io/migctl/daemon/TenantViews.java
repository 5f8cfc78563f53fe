package io.migctl.daemon;

import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.daemon.store.AuditLog;
import io.migctl.daemon.store.TenantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** What the tenant routes return, as JSON-friendly records. Field names are part of the API. */
final class TenantViews {

  private TenantViews() {}

  /**
   * A tenant. An absent (null) limit is no limit.
   *
   * @param jobCpus cores, e.g. {@code 0.5}
   */
  record TenantView(
      String name,
      String user,
      Integer maxSlices,
      Long maxGpuMemoryMiB,
      Integer maxRunning,
      Integer maxQueued,
      int weight,
      Long jobMemoryMiB,
      Double jobCpus,
      Integer jobMaxProcs,
      Instant createdAt) {

    static TenantView of(TenantStore.Stored stored) {
      Tenant t = stored.tenant();
      Quota q = t.quota();
      HostLimits d = t.jobDefaults();
      return new TenantView(
          t.name(),
          t.unixUser().orElse(null),
          boxed(q.maxSlices()),
          boxed(q.maxGpuMemoryMiB()),
          boxed(q.maxRunning()),
          boxed(q.maxQueued()),
          t.weight(),
          boxed(d.memoryMiB()),
          d.cpuMillis().isPresent() ? d.cpuMillis().getAsInt() / 1000.0 : null,
          boxed(d.maxProcs()),
          stored.createdAt());
    }

    /**
     * The tenant's settings in a few words for the audit log, e.g. {@code max-slices 2, weight 3}.
     */
    static String summary(Tenant t) {
      TenantView v = of(new TenantStore.Stored(t, Instant.EPOCH));
      List<String> parts = new ArrayList<>();
      add(parts, "user", v.user());
      add(parts, "max-slices", v.maxSlices());
      add(
          parts,
          "max-gpu-memory",
          v.maxGpuMemoryMiB() == null ? null : v.maxGpuMemoryMiB() + "MiB");
      add(parts, "max-running", v.maxRunning());
      add(parts, "max-queued", v.maxQueued());
      parts.add("weight " + v.weight());
      add(parts, "job-memory", v.jobMemoryMiB() == null ? null : v.jobMemoryMiB() + "MiB");
      add(parts, "job-cpus", v.jobCpus());
      add(parts, "job-max-procs", v.jobMaxProcs());
      return String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, Object value) {
      if (value != null) {
        parts.add(name + " " + value);
      }
    }

    private static Integer boxed(OptionalInt v) {
      return v.isPresent() ? v.getAsInt() : null;
    }

    private static Long boxed(OptionalLong v) {
      return v.isPresent() ? v.getAsLong() : null;
    }
  }

  /** One line of the audit log. */
  record AuditView(
      long seq, Instant at, String actor, String action, String target, String detail) {
    static AuditView of(AuditLog.Entry e) {
      return new AuditView(e.seq(), e.at(), e.actor(), e.action(), e.target(), e.detail());
    }
  }
}
