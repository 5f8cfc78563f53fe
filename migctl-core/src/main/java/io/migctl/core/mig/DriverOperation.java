package io.migctl.core.mig;

import java.util.Optional;

/**
 * How driver operations are named in {@link MigDriverException} messages, the same for every {@link
 * MigDriver} implementation, e.g. {@code create GPU instance with profile 9 at 4:4 on GPU 0}.
 */
public final class DriverOperation {

  private DriverOperation() {}

  /** Creating a GPU instance, at a placement or at the driver's choice. */
  public static String createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    return "create GPU instance with profile "
        + profileId
        + placement.map(p -> " at " + p).orElse("")
        + " on GPU "
        + gpu;
  }

  /** Creating a compute instance inside a GPU instance. */
  public static String createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    return "create compute instance with profile "
        + profileId
        + placement.map(p -> " at " + p).orElse("")
        + " in GPU instance "
        + gpuInstanceId
        + " on GPU "
        + gpu;
  }
}
