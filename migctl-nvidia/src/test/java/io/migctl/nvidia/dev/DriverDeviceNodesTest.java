package io.migctl.nvidia.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverDeviceNodesTest {

  /** The character section of a GPU node's /proc/devices (driver 535), block section after it. */
  private static final String PROC_DEVICES =
      """
      Character devices:
        1 mem
      195 nvidia-frontend
      195 nvidia-modeset
      234 nvidia-nvlink
      235 nvidia-caps
      510 nvidia-uvm

      Block devices:
      235 sd
      """;

  @TempDir Path dir;

  @Test
  void aMigDeviceNeedsTheControlUvmItsGpuAndTheCapNodesOfItsInstances() throws IOException {
    publish(PROC_DEVICES, "config 1\nmonitor 2\ngpu2/gi1/access 282\ngpu2/gi1/ci0/access 283\n");
    // GPU index 1 is the device with minor 2: NVML's minor, not the index, keys mig-minors.
    DriverDeviceNodes nodes = new DriverDeviceNodes(dir, Path.of("/dev"), gpu -> gpu + 1);

    assertThat(nodes.migDevice(1, 1, 0))
        .containsExactly(
            new DeviceNode(Path.of("/dev/nvidiactl"), 195, 255),
            new DeviceNode(Path.of("/dev/nvidia-uvm"), 510, 0),
            new DeviceNode(Path.of("/dev/nvidia-uvm-tools"), 510, 1),
            new DeviceNode(Path.of("/dev/nvidia2"), 195, 2),
            new DeviceNode(Path.of("/dev/nvidia-caps/nvidia-cap282"), 235, 282),
            new DeviceNode(Path.of("/dev/nvidia-caps/nvidia-cap283"), 235, 283));
    assertThat(nodes.wholeGpu(0))
        .extracting(DeviceNode::path)
        .containsExactly(
            Path.of("/dev/nvidiactl"),
            Path.of("/dev/nvidia-uvm"),
            Path.of("/dev/nvidia-uvm-tools"),
            Path.of("/dev/nvidia1"));
  }

  @Test
  void anInstanceTheDriverDoesNotListIsNamedInTheError() throws IOException {
    publish(PROC_DEVICES, "gpu0/gi1/access 12\n");
    DriverDeviceNodes nodes = new DriverDeviceNodes(dir, Path.of("/dev"), gpu -> gpu);

    assertThatThrownBy(() -> nodes.migDevice(0, 1, 3))
        .isInstanceOf(DeviceNodeException.class)
        .hasMessageContaining("gpu0/gi1/ci3/access")
        .hasMessageContaining("mig-minors");
  }

  @Test
  void aDriverWithoutCapsCannotNameMigNodesButStillNamesWholeGpus() throws IOException {
    publish("Character devices:\n195 nvidia\n511 nvidia-uvm\n", "");
    DriverDeviceNodes nodes = new DriverDeviceNodes(dir, Path.of("/dev"), gpu -> gpu);

    assertThat(nodes.wholeGpu(0)).hasSize(4);
    assertThatThrownBy(() -> nodes.migDevice(0, 1, 0))
        .isInstanceOf(DeviceNodeException.class)
        .hasMessageContaining("no nvidia-caps driver");
  }

  @Test
  void noDriverLoadedSaysSo() {
    DriverDeviceNodes nodes = new DriverDeviceNodes(dir, Path.of("/dev"), gpu -> gpu);

    assertThatThrownBy(() -> nodes.wholeGpu(0))
        .isInstanceOf(DeviceNodeException.class)
        .hasMessageContaining("is the NVIDIA driver loaded?");
  }

  private void publish(String devices, String migMinors) throws IOException {
    Files.writeString(dir.resolve("devices"), devices);
    Path minors = dir.resolve("driver/nvidia-caps/mig-minors");
    Files.createDirectories(minors.getParent());
    Files.writeString(minors, migMinors);
  }
}
