package io.migctl.core.slurm;

import java.util.List;

/**
 * Where the device files of a node's MIG devices and GPUs are, as {@code gres.conf} names them. The
 * node's device-node numbering answers it (the driver's, or the simulated node's).
 */
public interface DeviceFilePaths {

  /**
   * The files of MIG device ({@code gpu}, {@code gpuInstanceId}, {@code computeInstanceId}): the
   * GPU's {@code /dev/nvidia<minor>}, then the {@code nvidia-cap} access files of the GPU instance
   * and of the compute instance, in that order.
   */
  List<String> migDevice(int gpu, int gpuInstanceId, int computeInstanceId);

  /** The file of a whole GPU: its {@code /dev/nvidia<minor>}. */
  String wholeGpu(int gpu);
}
