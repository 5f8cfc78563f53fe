package io.migctl.nvidia.dev;

import java.util.List;

/**
 * The character device nodes a process needs to use one MIG device or one whole GPU, and nothing
 * more: what a job's cgroup allows, what a container gets as {@code --device}, what a CDI spec
 * lists. Knowing them is what turns {@code CUDA_VISIBLE_DEVICES} from advice into a wall.
 *
 * <p>{@link DriverDeviceNodes} reads the driver's numbering ({@code /proc/devices}, {@code
 * /proc/driver/nvidia-caps/mig-minors}, the GPU's minor from NVML); {@link SimulatedDeviceNodes}
 * publishes the same numbering for the simulated node and makes real nodes for it. Which one is
 * used is chosen with the node ({@code GpuNode}). Implementations are thread-safe.
 */
public interface DeviceNodes {

  /**
   * The nodes of MIG device ({@code gpu}, {@code gpuInstanceId}, {@code computeInstanceId}): {@code
   * nvidiactl}, {@code nvidia-uvm}, {@code nvidia-uvm-tools}, the GPU's {@code nvidia<minor>}, and
   * the {@code nvidia-cap} access nodes of the GPU instance and of the compute instance, in that
   * order.
   *
   * @param gpu the driver's GPU index
   * @throws DeviceNodeException when the driver's numbering lacks one of them (no such GPU or
   *     instance id, no {@code nvidia-caps} driver), or a simulated node cannot be made
   */
  List<DeviceNode> migDevice(int gpu, int gpuInstanceId, int computeInstanceId);

  /**
   * The nodes of a whole GPU with MIG off: {@code nvidiactl}, {@code nvidia-uvm}, {@code
   * nvidia-uvm-tools} and the GPU's {@code nvidia<minor>}.
   *
   * @throws DeviceNodeException as {@link #migDevice}
   */
  List<DeviceNode> wholeGpu(int gpu);
}
