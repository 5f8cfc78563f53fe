package io.migctl.nvidia.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.CapMinors;
import io.migctl.process.SystemToolRunner;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedDeviceNodesTest {

  @TempDir Path dir;

  @Test
  void theSimulatedNodePublishesNvidiasNumberingAndFreeMajors() throws IOException {
    Path host = dir.resolve("host-devices");
    Files.writeString(host, "Character devices:\n195 nvidia\n234 hidraw\n236 bsg\n");
    SimulatedDeviceNodes sim =
        SimulatedDeviceNodes.under(dir.resolve("sim"), 2, new SystemToolRunner(), host, false);

    List<DeviceNode> nodes = sim.migDevice(1, 2, 0);

    CapMinors nvidia = CapMinors.nvidia();
    Path dev = dir.resolve("sim/dev");
    assertThat(nodes)
        .containsExactly(
            new DeviceNode(dev.resolve("nvidiactl"), 235, 255),
            new DeviceNode(dev.resolve("nvidia-uvm"), 237, 0),
            new DeviceNode(dev.resolve("nvidia-uvm-tools"), 237, 1),
            new DeviceNode(dev.resolve("nvidia1"), 235, 1),
            new DeviceNode(
                dev.resolve("nvidia-caps/nvidia-cap" + nvidia.gpuInstance(1, 2).getAsInt()),
                238,
                nvidia.gpuInstance(1, 2).getAsInt()),
            new DeviceNode(
                dev.resolve("nvidia-caps/nvidia-cap" + nvidia.computeInstance(1, 2, 0).getAsInt()),
                238,
                nvidia.computeInstance(1, 2, 0).getAsInt()));
    String published = Files.readString(dir.resolve("sim/proc/driver/nvidia-caps/mig-minors"));
    assertThat(CapMinors.parse(published).size()).isEqualTo(nvidia.size());
    assertThat(published).isEqualTo(nvidia.text());
    // Not root: named, not made.
    assertThat(nodes.get(0).path()).doesNotExist();
  }

  @Test
  void aSecondProcessReadsTheMajorsTheFirstChose() throws IOException {
    Path host = dir.resolve("host-devices");
    Files.writeString(host, "Character devices:\n");
    SimulatedDeviceNodes.under(dir.resolve("sim"), 1, new SystemToolRunner(), host, false)
        .wholeGpu(0);
    Files.writeString(host, "Character devices:\n234 late-driver\n");

    assertThat(
            SimulatedDeviceNodes.under(dir.resolve("sim"), 1, new SystemToolRunner(), host, false)
                .wholeGpu(0)
                .getFirst()
                .major())
        .isEqualTo(234);
  }

  @Test
  void aGpuBeyondTheNodeIsRefused() {
    SimulatedDeviceNodes sim =
        SimulatedDeviceNodes.under(dir, 2, new SystemToolRunner(), dir.resolve("none"), false);

    assertThatThrownBy(() -> sim.wholeGpu(2))
        .isInstanceOf(DeviceNodeException.class)
        .hasMessage("GPU 2 is not on this simulated node: it has GPUs 0 to 1");
  }

  @Test
  void asRootTheNodesAreRealCharacterDevices() throws IOException {
    SimulatedDeviceNodes sim = SimulatedDeviceNodes.temporary(2, new SystemToolRunner());
    RequiredTools.fromEnvironment()
        .require(isRoot(), () -> "making device nodes (mknod) needs root; run the tests as root");
    try {
      for (DeviceNode node : sim.migDevice(0, 1, 0)) {
        int mode =
            (Integer) Files.getAttribute(node.path(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(node.path(), "unix:rdev");
        assertThat(mode & 0170000).as("%s is a character device", node.path()).isEqualTo(0020000);
        assertThat(major(rdev) + ":" + minor(rdev)).isEqualTo(node.number());
      }
      assertThat(sim.folder()).exists();
    } finally {
      Path folder = sim.folder();
      sim.close();
      assertThat(folder).doesNotExist();
    }
  }

  private static boolean isRoot() throws IOException {
    return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
  }

  /** Linux's encoding of a device number (glibc's gnu_dev_major / gnu_dev_minor). */
  private static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
  }

  private static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
  }
}
