package io.migctl.daemon.container;

import io.migctl.core.job.Job;
import java.util.List;

/**
 * The device nodes a container needs for a job's MIG device: its GPU's, its GPU instance's and
 * compute instance's {@code nvidia-cap} nodes, {@code nvidiactl} and {@code nvidia-uvm}, each at
 * its host path and its path in the container.
 */
@FunctionalInterface
public interface MigDeviceNodes {

  /** No nodes: for runtimes that never reach a GPU (tests on the fake launcher). */
  MigDeviceNodes NONE = device -> List.of();

  /**
   * @throws IllegalStateException when the device or its nodes cannot be found
   */
  List<ContainerJob.Node> of(Job.Device device);
}
