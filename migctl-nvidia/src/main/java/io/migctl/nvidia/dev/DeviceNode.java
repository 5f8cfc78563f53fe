package io.migctl.nvidia.dev;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One character device node a process opens to use a GPU: where it is and the device number the
 * kernel's device controller ({@code devices.allow}, systemd's {@code DeviceAllow=}) and a
 * container's {@code --device} name it by.
 *
 * @param path e.g. {@code /dev/nvidia-caps/nvidia-cap13}
 * @param major the character device's major, e.g. 195 for {@code /dev/nvidia0}
 * @param minor its minor
 */
public record DeviceNode(Path path, int major, int minor) {

  public DeviceNode {
    Objects.requireNonNull(path, "path");
    if (major < 0 || minor < 0) {
      throw new IllegalArgumentException(
          "device number of " + path + " must not be negative: " + major + ":" + minor);
    }
  }

  /** {@code major:minor}, as {@code ls -l}, cgroups and {@code /proc/devices} write it. */
  public String number() {
    return major + ":" + minor;
  }
}
