package io.migctl.core.job;

import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's queued jobs of one need: the scheduler keeps them in one lane, and they wait for the
 * same reason.
 *
 * @param tenant the jobs' tenant
 * @param need what a device must offer them; empty for jobs without a GPU
 */
public record TenantNeed(String tenant, Optional<Requirement> need) {
  public TenantNeed {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(need, "need");
  }

  public static TenantNeed of(Job job) {
    return new TenantNeed(job.spec().tenant(), job.requirement());
  }
}
