package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import java.util.Objects;

/**
 * One job (one replica) that should run at the same time as the others given to the {@link
 * DemandPlanner}, with what it needs of the GPU and whose it is.
 *
 * @param job the job's name, unique among the demands of one plan
 * @param need what it needs; {@link GpuNeed.None} jobs are reported as running without a device
 * @param priority higher is placed first when not everything fits
 * @param tenant who the job belongs to; its quota bounds what the plan gives its jobs at once
 */
public record Demand(String job, GpuNeed need, int priority, String tenant) {

  public Demand {
    if (job == null || job.isBlank()) {
      throw new IllegalArgumentException("a demand needs a job name, was \"" + job + "\"");
    }
    Objects.requireNonNull(need, "need");
    tenant = tenant == null || tenant.isBlank() ? JobSpec.DEFAULT_TENANT : tenant;
  }

  /** A demand of the default tenant. */
  public Demand(String job, GpuNeed need, int priority) {
    this(job, need, priority, JobSpec.DEFAULT_TENANT);
  }

  /** A demand of priority 0 of the default tenant. */
  public Demand(String job, GpuNeed need) {
    this(job, need, 0);
  }
}
