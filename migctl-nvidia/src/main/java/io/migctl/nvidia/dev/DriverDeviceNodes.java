package io.migctl.nvidia.dev;

import io.migctl.core.mig.CapMinors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntUnaryOperator;

/**
 * The device nodes of the NVIDIA driver, named from the driver's own numbering: the majors of
 * {@code nvidia-frontend} (or {@code nvidia}; 195 when neither is listed, NVIDIA's fixed major),
 * {@code nvidia-uvm} and {@code nvidia-caps} in {@code /proc/devices}; the access minors of MIG
 * instances in {@code /proc/driver/nvidia-caps/mig-minors} ({@link CapMinors#parse}); a GPU's minor
 * from NVML ({@code nvmlDeviceGetMinorNumber}). {@code nvidiactl} is minor 255 of the frontend,
 * {@code nvidia-uvm-tools} minor 1 of {@code nvidia-uvm}.
 *
 * <p>The two files are read once, on first use: the driver writes them when it loads.
 */
public final class DriverDeviceNodes implements DeviceNodes {

  /** NVIDIA's fixed major of {@code /dev/nvidia*} and {@code /dev/nvidiactl}. */
  static final int FRONTEND_MAJOR = 195;

  static final int CONTROL_MINOR = 255;
  static final String FRONTEND = "nvidia-frontend";
  static final String UVM = "nvidia-uvm";
  static final String CAPS = "nvidia-caps";

  private final Path procRoot;
  private final Path devRoot;
  private final IntUnaryOperator gpuMinor;
  private Numbering numbering;

  private record Numbering(int frontend, int uvm, OptionalInt caps, CapMinors minors) {}

  /**
   * @param procRoot where {@code devices} and {@code driver/nvidia-caps/mig-minors} are ({@code
   *     /proc} on a real node)
   * @param devRoot where the nodes are ({@code /dev} on a real node)
   * @param gpuMinor a GPU index's device minor
   */
  public DriverDeviceNodes(Path procRoot, Path devRoot, IntUnaryOperator gpuMinor) {
    this.procRoot = procRoot;
    this.devRoot = devRoot;
    this.gpuMinor = gpuMinor;
  }

  /** The host's driver: {@code /proc} and {@code /dev}. */
  public static DriverDeviceNodes host(IntUnaryOperator gpuMinor) {
    return new DriverDeviceNodes(Path.of("/proc"), Path.of("/dev"), gpuMinor);
  }

  @Override
  public List<DeviceNode> migDevice(int gpu, int gpuInstanceId, int computeInstanceId) {
    Numbering n = numbering();
    int minor = gpuMinor.applyAsInt(gpu);
    int caps =
        n.caps()
            .orElseThrow(
                () ->
                    new DeviceNodeException(
                        "no "
                            + CAPS
                            + " driver in "
                            + procRoot.resolve("devices")
                            + ": this driver does not expose MIG access nodes"
                            + " (NVIDIA driver 450.80 or later does)"));
    String where = "gpu" + minor + "/gi" + gpuInstanceId;
    int giMinor =
        n.minors().gpuInstance(minor, gpuInstanceId).orElseThrow(() -> missing(where + "/access"));
    int ciMinor =
        n.minors()
            .computeInstance(minor, gpuInstanceId, computeInstanceId)
            .orElseThrow(() -> missing(where + "/ci" + computeInstanceId + "/access"));
    List<DeviceNode> nodes = new ArrayList<>(common(n, minor));
    nodes.add(capNode(caps, giMinor));
    nodes.add(capNode(caps, ciMinor));
    return List.copyOf(nodes);
  }

  @Override
  public List<DeviceNode> wholeGpu(int gpu) {
    return common(numbering(), gpuMinor.applyAsInt(gpu));
  }

  private List<DeviceNode> common(Numbering n, int minor) {
    return List.of(
        new DeviceNode(devRoot.resolve("nvidiactl"), n.frontend(), CONTROL_MINOR),
        new DeviceNode(devRoot.resolve("nvidia-uvm"), n.uvm(), 0),
        new DeviceNode(devRoot.resolve("nvidia-uvm-tools"), n.uvm(), 1),
        new DeviceNode(devRoot.resolve("nvidia" + minor), n.frontend(), minor));
  }

  private DeviceNode capNode(int major, int minor) {
    return new DeviceNode(
        devRoot.resolve("nvidia-caps").resolve("nvidia-cap" + minor), major, minor);
  }

  private DeviceNodeException missing(String entry) {
    return new DeviceNodeException(
        "no access minor for "
            + entry
            + " in "
            + migMinorsFile()
            + ": no such GPU or instance id on this driver");
  }

  private Path migMinorsFile() {
    return procRoot.resolve("driver").resolve(CAPS).resolve("mig-minors");
  }

  private synchronized Numbering numbering() {
    if (numbering == null) {
      CharacterMajors majors = CharacterMajors.parse(read(procRoot.resolve("devices")));
      int uvm =
          majors
              .major(UVM)
              .orElseThrow(
                  () ->
                      new DeviceNodeException(
                          "no "
                              + UVM
                              + " driver in "
                              + procRoot.resolve("devices")
                              + ": load it (modprobe nvidia-uvm) so that CUDA can run"));
      OptionalInt caps = majors.major(CAPS);
      CapMinors minors =
          caps.isPresent() ? CapMinors.parse(read(migMinorsFile())) : CapMinors.parse("");
      numbering =
          new Numbering(majors.major(FRONTEND, "nvidia").orElse(FRONTEND_MAJOR), uvm, caps, minors);
    }
    return numbering;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new DeviceNodeException(file + " does not exist: is the NVIDIA driver loaded?", e);
    } catch (IOException e) {
      throw new DeviceNodeException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
