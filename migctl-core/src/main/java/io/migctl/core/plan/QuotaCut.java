package io.migctl.core.plan;

import io.migctl.core.job.WaitingReason.QuotaReached;
import java.util.Objects;

/**
 * A job the {@link DemandPlanner} left out of the layouts because its tenant's quota would not let
 * it run beside the tenant's jobs planned before it. It is not a job that can never run: it queues
 * until one of those ends, so no slice is planned for it.
 *
 * @param job the job's name
 * @param reached the tenant, the limit, what its jobs planned before this one hold of it, what this
 *     one would add, and the limit's value
 */
public record QuotaCut(String job, QuotaReached reached) {

  public QuotaCut {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(reached, "reached");
  }

  /** The job's tenant. */
  public String tenant() {
    return reached.tenant();
  }
}
