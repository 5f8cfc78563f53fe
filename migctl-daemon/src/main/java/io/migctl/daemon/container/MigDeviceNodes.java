package io.migctl.daemon.container;

import java.nio.file.Path;
import java.util.List;

/**
 * The device nodes a container needs for a MIG device, found by its UUID: its GPU's, its GPU
 * instance's and compute instance's {@code nvidia-cap} nodes, {@code nvidiactl} and {@code
 * nvidia-uvm}, each at its host path and its path in the container.
 */
@FunctionalInterface
public interface MigDeviceNodes {

  /** No nodes: for runtimes that never reach a GPU (tests on the fake launcher). */
  MigDeviceNodes NONE = uuid -> List.of();

  /**
   * @throws IllegalStateException when the device or its nodes cannot be found
   */
  List<ContainerJob.Node> of(String migUuid);

  /**
   * Where a container sees an NVIDIA device node that is at {@code hostPath} on the host: {@code
   * /dev/nvidia-caps/nvidia-capN} for a capability node, {@code /dev/NAME} for the others ({@code
   * nvidia0}, {@code nvidiactl}, {@code nvidia-uvm}), whatever folder the host keeps it in (the
   * simulated node keeps its nodes under its state folder).
   */
  static Path containerPath(Path hostPath) {
    String name = hostPath.getFileName().toString();
    return name.startsWith("nvidia-cap") && !name.equals("nvidia-caps")
        ? Path.of("/dev/nvidia-caps", name)
        : Path.of("/dev", name);
  }
}
