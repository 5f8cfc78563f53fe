package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import java.util.Objects;

/**
 * One job (one replica) that should run at the same time as the others given to the {@link
 * DemandPlanner}, with what it needs of the GPU.
 *
 * @param job the job's name, unique among the demands of one plan
 * @param need what it needs; {@link GpuNeed.None} jobs are reported as running without a device
 * @param priority higher is placed first when not everything fits
 */
public record Demand(String job, GpuNeed need, int priority) {

  public Demand {
    if (job == null || job.isBlank()) {
      throw new IllegalArgumentException("a demand needs a job name, was \"" + job + "\"");
    }
    Objects.requireNonNull(need, "need");
  }

  /** A demand of priority 0. */
  public Demand(String job, GpuNeed need) {
    this(job, need, 0);
  }
}
