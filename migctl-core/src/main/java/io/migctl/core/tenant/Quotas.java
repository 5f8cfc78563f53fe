package io.migctl.core.tenant;

import io.migctl.core.job.JobSpecException;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.TenantLoad;
import io.migctl.core.job.TenantRules;
import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A tenant's {@link Quota} where it is enforced: at placement (a job that would take its tenant
 * past a limit waits, with the limit and what is in use), and at submit (a job that could never run
 * within its tenant's limits, or one beyond its queue limit, is refused).
 */
public final class Quotas {
  private Quotas() {}

  /**
   * Whether the tenant may take on {@code adding} on top of {@code held}: compute slices first,
   * then GPU memory, then running jobs. A limit a load already passes (it was lowered) blocks only
   * jobs that would add to it.
   *
   * @return empty when it may; else the first limit it would pass
   */
  public static Optional<QuotaReached> check(Tenant tenant, TenantLoad held, TenantLoad adding) {
    Quota q = tenant.quota();
    if (q.maxSlices().isPresent()) {
      Optional<QuotaReached> over =
          over(tenant, QuotaLimit.SLICES, held.slices(), adding.slices(), q.maxSlices().getAsInt());
      if (over.isPresent()) {
        return over;
      }
    }
    if (q.maxGpuMemoryMiB().isPresent()) {
      Optional<QuotaReached> over =
          over(
              tenant,
              QuotaLimit.GPU_MEMORY,
              held.memoryMiB(),
              adding.memoryMiB(),
              q.maxGpuMemoryMiB().getAsLong());
      if (over.isPresent()) {
        return over;
      }
    }
    if (q.maxRunning().isPresent()) {
      return over(
          tenant, QuotaLimit.RUNNING, held.running(), adding.running(), q.maxRunning().getAsInt());
    }
    return Optional.empty();
  }

  private static Optional<QuotaReached> over(
      Tenant tenant, QuotaLimit limit, long inUse, long adding, long max) {
    return adding > 0 && inUse + adding > max
        ? Optional.of(new QuotaReached(tenant.name(), limit, inUse, adding, max))
        : Optional.empty();
  }

  /**
   * The scheduler's rules for the tenants of a directory: their weights and {@link #check}. Each
   * tenant is looked up once, on first use: take new rules for each scheduling round.
   */
  public static TenantRules rules(TenantDirectory directory) {
    Map<String, Tenant> seen = new HashMap<>();
    return new TenantRules() {
      @Override
      public int weight(String tenant) {
        return resolve(tenant).weight();
      }

      @Override
      public Optional<QuotaReached> limit(String tenant, TenantLoad held, TenantLoad adding) {
        return check(resolve(tenant), held, adding);
      }

      private Tenant resolve(String name) {
        return seen.computeIfAbsent(name, directory::resolve);
      }
    };
  }

  /**
   * Refuses, at submit, a job that could never run within its tenant's limits: its tenant may run
   * no job at all, or the job alone needs more compute slices or GPU memory than the tenant may
   * hold. A job holds at least the compute slices it asks for (a compute-instance profile can give
   * exactly that many) and the memory of the smallest profile of the node's models that satisfies
   * it.
   *
   * @param need what a device must offer the job; empty for a job without a GPU
   * @param models the node's MIG-capable GPU models
   * @throws JobSpecException naming the limit, what the job needs and how to get past it
   */
  public static void admit(Tenant tenant, Optional<Requirement> need, List<GpuModel> models) {
    Quota q = tenant.quota();
    if (q.maxRunning().isPresent() && q.maxRunning().getAsInt() == 0) {
      throw refusal(tenant, "may run no jobs at all (max-running 0)", "max-running", "N");
    }
    if (need.isEmpty()) {
      return;
    }
    Requirement r = need.get();
    // Every device of the job counts; a whole GPU counts all its compute slices.
    if (q.maxSlices().isPresent() && r.totalComputeSlices() > q.maxSlices().getAsInt()) {
      throw refusal(
          tenant,
          "may hold "
              + q.maxSlices().getAsInt()
              + " compute slices at once (max-slices), and this job alone needs "
              + r.totalComputeSlices(),
          "max-slices",
          String.valueOf(r.totalComputeSlices()));
    }
    OptionalLong smallest = smallestMemoryMiB(r, models);
    if (smallest.isPresent() && r.devices() > 1) {
      smallest = OptionalLong.of(smallest.getAsLong() * r.devices()); // all its devices together
    }
    if (q.maxGpuMemoryMiB().isPresent()
        && smallest.isPresent()
        && smallest.getAsLong() > q.maxGpuMemoryMiB().getAsLong()) {
      throw refusal(
          tenant,
          "may hold "
              + q.maxGpuMemoryMiB().getAsLong()
              + " MiB of GPU memory at once (max-gpu-memory), and the smallest MIG device that"
              + " fits this job here has "
              + smallest.getAsLong()
              + " MiB",
          "max-gpu-memory",
          smallest.getAsLong() + "MiB");
    }
  }

  /**
   * Refuses a submission beyond the tenant's queue limit.
   *
   * @param queued the tenant's jobs in the queue now
   * @return the refusal in words; empty when the job may join the queue
   */
  public static Optional<String> queueFull(Tenant tenant, long queued) {
    if (tenant.quota().maxQueued().isEmpty() || queued < tenant.quota().maxQueued().getAsInt()) {
      return Optional.empty();
    }
    return Optional.of(
        "tenant "
            + tenant.name()
            + " has "
            + queued
            + " job"
            + (queued == 1 ? "" : "s")
            + " queued, its limit (max-queued "
            + tenant.quota().maxQueued().getAsInt()
            + "); wait until some start, cancel some, or raise it with migctl tenant set "
            + tenant.name()
            + " --max-queued N");
  }

  private static OptionalLong smallestMemoryMiB(Requirement r, List<GpuModel> models) {
    return models.stream()
        .flatMap(m -> m.profiles().stream())
        .filter(p -> p.memoryMiB() >= r.memoryMiB() && p.computeSlices() >= r.computeSlices())
        .mapToLong(GpuInstanceProfile::memoryMiB)
        .min();
  }

  private static JobSpecException refusal(Tenant tenant, String what, String option, String value) {
    return new JobSpecException(
        "tenant",
        "tenant "
            + tenant.name()
            + " "
            + what
            + ", so the job could never run; ask for less, or have the operator raise the limit"
            + " (migctl tenant set "
            + tenant.name()
            + " --"
            + option
            + " "
            + value
            + ")");
  }
}
