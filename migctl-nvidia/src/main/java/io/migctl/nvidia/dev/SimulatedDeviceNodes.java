package io.migctl.nvidia.dev;

import io.migctl.core.mig.CapMinors;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The simulated node's device nodes, as real as a machine without NVIDIA's driver allows: under its
 * folder it publishes {@code proc/devices} and {@code proc/driver/nvidia-caps/mig-minors} in the
 * driver's formats, with NVIDIA's documented numbering of access minors ({@link CapMinors#nvidia})
 * and GPU minor = GPU index, and makes real character device nodes under {@code dev/} with {@code
 * mknod}, so that the kernel's device controller allows or refuses them exactly as on a GPU node.
 * {@link DriverDeviceNodes} reads those files: the simulated node and a real one are named by the
 * same code.
 *
 * <p>Majors: the first three character majors from 234 on (Linux's range for dynamic and local
 * majors, 234 to 254) that the host's {@code /proc/devices} does not list, chosen once and kept in
 * the published {@code proc/devices}. No driver serves them, so opening a node that the cgroup
 * allows fails with {@code ENXIO}, and one it refuses with {@code EPERM}.
 *
 * <p>Nodes are made when first asked for ({@code mknod} needs root; when this process is not root
 * they are named but not made, and a process opening one gets {@code ENOENT}). Several processes
 * may share the folder: files are published atomically and a node another process made is kept.
 * Mode 0666 for {@code nvidiactl}, {@code nvidia-uvm*} and {@code nvidiaN}, 0444 for the {@code
 * nvidia-cap} nodes, as the driver makes them.
 */
public final class SimulatedDeviceNodes implements DeviceNodes, AutoCloseable {

  static final int FIRST_MAJOR = 234;
  static final int LAST_MAJOR = 254;

  private final Supplier<Path> makeRoot;
  private final boolean temporary;
  private final int gpus;
  private final ToolRunner tools;
  private final Path hostProcDevices;
  private final boolean root;
  private Path folder;
  private DriverDeviceNodes published;

  private SimulatedDeviceNodes(
      Supplier<Path> makeRoot,
      boolean temporary,
      int gpus,
      ToolRunner tools,
      Path hostProcDevices,
      boolean root) {
    this.makeRoot = makeRoot;
    this.temporary = temporary;
    this.gpus = gpus;
    this.tools = tools;
    this.hostProcDevices = hostProcDevices;
    this.root = root;
  }

  /**
   * The nodes of a simulated node with {@code gpus} GPUs under {@code folder}, made with {@code
   * mknod} through {@code tools} when this process is root.
   */
  public static SimulatedDeviceNodes under(Path folder, int gpus, ToolRunner tools) {
    return under(folder, gpus, tools, Path.of("/proc/devices"), isRoot());
  }

  /**
   * As {@link #under}, with the host's majors read from {@code hostProcDevices}; makes nodes when
   * {@code root}.
   */
  static SimulatedDeviceNodes under(
      Path folder, int gpus, ToolRunner tools, Path hostProcDevices, boolean root) {
    return new SimulatedDeviceNodes(() -> folder, false, gpus, tools, hostProcDevices, root);
  }

  /**
   * As {@link #under}, in a temporary folder made on first use and deleted by {@link #close()}: for
   * a simulated node whose state lives in memory only.
   */
  public static SimulatedDeviceNodes temporary(int gpus, ToolRunner tools) {
    return new SimulatedDeviceNodes(
        () -> {
          try {
            return Files.createTempDirectory("migctl-sim-dev");
          } catch (IOException e) {
            throw new DeviceNodeException(
                "cannot make a folder for the simulated device nodes: " + e.getMessage(), e);
          }
        },
        true,
        gpus,
        tools,
        Path.of("/proc/devices"),
        isRoot());
  }

  /** The folder the nodes and the published numbering are in (made on first call). */
  public synchronized Path folder() {
    publish();
    return folder;
  }

  @Override
  public List<DeviceNode> migDevice(int gpu, int gpuInstanceId, int computeInstanceId) {
    checkGpu(gpu);
    return made(publish().migDevice(gpu, gpuInstanceId, computeInstanceId));
  }

  @Override
  public List<DeviceNode> wholeGpu(int gpu) {
    checkGpu(gpu);
    return made(publish().wholeGpu(gpu));
  }

  /** Deletes the folder of a {@link #temporary} node, if it was made. Idempotent. */
  @Override
  public synchronized void close() {
    if (!temporary || folder == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(folder)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new DeviceNodeException("cannot delete " + folder + ": " + e.getMessage(), e);
    }
    folder = null;
    published = null;
  }

  private void checkGpu(int gpu) {
    if (gpu < 0 || gpu >= gpus) {
      throw new DeviceNodeException(
          "GPU " + gpu + " is not on this simulated node: it has GPUs 0 to " + (gpus - 1));
    }
  }

  private synchronized DriverDeviceNodes publish() {
    if (published == null) {
      folder = makeRoot.get();
      Path proc = folder.resolve("proc");
      Path dev = folder.resolve("dev");
      try {
        for (Path d : List.of(folder, proc, dev, dev.resolve("nvidia-caps"))) {
          Files.createDirectories(d);
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path devices = proc.resolve("devices");
        if (!Files.exists(devices)) {
          publishFile(devices, devicesText());
        }
        Path migMinors =
            proc.resolve("driver").resolve(DriverDeviceNodes.CAPS).resolve("mig-minors");
        if (!Files.exists(migMinors)) {
          Files.createDirectories(migMinors.getParent());
          publishFile(migMinors, CapMinors.nvidia().text());
        }
      } catch (IOException e) {
        throw new DeviceNodeException(
            "cannot publish the simulated driver's numbering under "
                + folder
                + ": "
                + e.getMessage(),
            e);
      }
      published = new DriverDeviceNodes(proc, dev, gpu -> gpu);
    }
    return published;
  }

  private String devicesText() throws IOException {
    Set<Integer> used =
        Files.exists(hostProcDevices)
            ? CharacterMajors.parse(Files.readString(hostProcDevices)).used()
            : Set.of();
    List<Integer> free = new ArrayList<>();
    for (int m = FIRST_MAJOR; m <= LAST_MAJOR && free.size() < 3; m++) {
      if (!used.contains(m)) {
        free.add(m);
      }
    }
    if (free.size() < 3) {
      throw new DeviceNodeException(
          "no three free character majors in "
              + FIRST_MAJOR
              + "-"
              + LAST_MAJOR
              + " for the simulated device nodes: "
              + hostProcDevices
              + " lists "
              + used);
    }
    return "Character devices:\n"
        + free.get(0)
        + " "
        + DriverDeviceNodes.FRONTEND
        + "\n"
        + free.get(1)
        + " "
        + DriverDeviceNodes.UVM
        + "\n"
        + free.get(2)
        + " "
        + DriverDeviceNodes.CAPS
        + "\n";
  }

  private static void publishFile(Path file, String text) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    Files.writeString(tmp, text);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private List<DeviceNode> made(List<DeviceNode> nodes) {
    if (root) {
      nodes.forEach(this::make);
    }
    return nodes;
  }

  private void make(DeviceNode node) {
    if (Files.exists(node.path(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String mode = node.path().getFileName().toString().startsWith("nvidia-cap") ? "0444" : "0666";
    ToolResult result;
    try {
      result =
          tools.run(
              ToolCommand.of(
                  "mknod",
                  "-m",
                  mode,
                  node.path().toString(),
                  "c",
                  Integer.toString(node.major()),
                  Integer.toString(node.minor())));
    } catch (IOException e) {
      throw new DeviceNodeException(
          "cannot run mknod for " + node.path() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeviceNodeException("interrupted while making " + node.path(), e);
    }
    if (!result.succeeded() && !Files.exists(node.path(), LinkOption.NOFOLLOW_LINKS)) {
      throw new DeviceNodeException(
          "mknod " + node.path() + " c " + node.number() + " failed: " + result.output().strip());
    }
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
