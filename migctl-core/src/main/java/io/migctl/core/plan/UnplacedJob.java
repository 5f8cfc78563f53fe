package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;

/**
 * A job the {@link DemandPlanner} could not give an instance.
 *
 * @param job the job's name
 * @param need what the job asked for
 * @param queues true when the job could run on this node once room frees (it waits in the queue);
 *     false when no GPU of the node can ever satisfy its need
 * @param reason why, in words, with what would help
 */
public record UnplacedJob(String job, GpuNeed need, boolean queues, String reason) {

  @Override
  public String toString() {
    return job + ": " + reason;
  }
}
