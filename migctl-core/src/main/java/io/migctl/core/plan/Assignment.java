package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.PlacedInstance;

/**
 * A job placed by the {@link DemandPlanner}: the GPU instance created for it.
 *
 * @param job the job's name
 * @param need what the job asked for
 * @param gpu the GPU's index
 * @param instance the GPU instance (profile and placement) the job runs on, with its default
 *     compute instance
 */
public record Assignment(String job, GpuNeed need, int gpu, PlacedInstance instance) {

  /** {@code train-1 → GPU 0, 2g.10gb@0:2}. */
  @Override
  public String toString() {
    return job + " → GPU " + gpu + ", " + instance;
  }
}
