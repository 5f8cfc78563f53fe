package io.migctl.core.slurm;

import java.util.List;

/** Device files for tests of Slurm's view. */
final class TestDeviceFiles {

  /**
   * Files named after the ids, so that a test can tell which device a line is for: GPU {@code n} is
   * {@code /dev/nvidia<n>}, GPU instance {@code g} on it has cap {@code 1000n+10g}, its compute
   * instance {@code c} cap {@code 1000n+10g+c+1}.
   */
  static final DeviceFilePaths BY_IDS =
      new DeviceFilePaths() {
        @Override
        public List<String> migDevice(int gpu, int gi, int ci) {
          return List.of(
              "/dev/nvidia" + gpu,
              "/dev/nvidia-caps/nvidia-cap" + (1000 * gpu + 10 * gi),
              "/dev/nvidia-caps/nvidia-cap" + (1000 * gpu + 10 * gi + ci + 1));
        }

        @Override
        public String wholeGpu(int gpu) {
          return "/dev/nvidia" + gpu;
        }
      };

  private TestDeviceFiles() {}
}
