package io.migctl.apply.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migctl.core.job.MigSlot;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.nvidia.dev.DeviceNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * A CDI spec ({@code cdiVersion} {@value #CDI_VERSION}, kind {@value #KIND}) of every MIG device of
 * a node as it is now: one device per MIG device, named by its {@code MIG-…} UUID, whose edits are
 * its own nodes (its GPU's {@code nvidiaN}, its GPU instance's and compute instance's {@code
 * nvidia-cap} nodes, with type, major and minor, and the host path where that differs, as on the
 * simulated node) and {@code NVIDIA_VISIBLE_DEVICES}/{@code CUDA_VISIBLE_DEVICES}; the nodes every
 * MIG device needs ({@code nvidiactl}, {@code nvidia-uvm}, {@code nvidia-uvm-tools}) are the common
 * edits. A container given {@code nvidia.com/mig=MIG-…} then holds exactly that device's nodes, as
 * with migctl's own {@code --device} list.
 *
 * <p>Immutable. {@link #write} replaces a file atomically (a temporary file beside it, renamed), so
 * an engine reading the spec folder never sees half a spec.
 */
public final class CdiSpec {

  /** The CDI version written: 0.6.0 (device nodes with host paths need 0.5.0 or later). */
  public static final String CDI_VERSION = "0.6.0";

  /** The kind of the devices: {@code --device nvidia.com/mig=<MIG UUID>}. */
  public static final String KIND = "nvidia.com/mig";

  /** Nodes every MIG device needs, shared by all: the common container edits. */
  private static final Set<String> SHARED = Set.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools");

  private final Map<String, Object> tree;

  private CdiSpec(Map<String, Object> tree) {
    this.tree = tree;
  }

  /**
   * The spec of the MIG devices {@code driver} reports now, their nodes as {@code nodes} names
   * them.
   *
   * @throws io.migctl.nvidia.dev.DeviceNodeException when a device's nodes cannot be named
   */
  public static CdiSpec of(MigDriver driver, DeviceNodes nodes) {
    List<Map<String, Object>> devices = new ArrayList<>();
    Set<DeviceNode> shared = new LinkedHashSet<>();
    for (MigSlot slot : MigSlot.of(GpuSnapshot.readAll(driver), Set.of())) {
      List<Map<String, Object>> own = new ArrayList<>();
      for (DeviceNode n :
          nodes.migDevice(slot.gpu(), slot.gpuInstanceId(), slot.computeInstanceId())) {
        if (SHARED.contains(n.path().getFileName().toString())) {
          shared.add(n);
        } else {
          own.add(node(n));
        }
      }
      Map<String, Object> edits = new LinkedHashMap<>();
      edits.put(
          "env",
          List.of("NVIDIA_VISIBLE_DEVICES=" + slot.uuid(), "CUDA_VISIBLE_DEVICES=" + slot.uuid()));
      edits.put("deviceNodes", own);
      Map<String, Object> device = new LinkedHashMap<>();
      device.put("name", slot.uuid());
      device.put("containerEdits", edits);
      devices.add(device);
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("cdiVersion", CDI_VERSION);
    tree.put("kind", KIND);
    tree.put("devices", devices);
    if (!shared.isEmpty()) {
      tree.put(
          "containerEdits", Map.of("deviceNodes", shared.stream().map(CdiSpec::node).toList()));
    }
    return new CdiSpec(tree);
  }

  /** The spec as YAML, block style. */
  public String yaml() {
    return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build())
        .dumpToString(tree);
  }

  /** The spec as JSON, indented. */
  public String json() {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tree)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the CDI spec as JSON", e);
    }
  }

  /** How many MIG devices the spec names. */
  public int deviceCount() {
    return ((List<?>) tree.get("devices")).size();
  }

  /**
   * Writes {@code text} (this spec's {@link #yaml} or {@link #json}) to {@code file} atomically,
   * mode 0644 (engines read it as other users), creating its folder.
   */
  public static void write(Path file, String text) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text);
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Map<String, Object> node(DeviceNode n) {
    Path in = containerPath(n.path());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", in.toString());
    if (!in.equals(n.path())) {
      m.put("hostPath", n.path().toString());
    }
    m.put("type", "c");
    m.put("major", n.major());
    m.put("minor", n.minor());
    m.put("permissions", "rw");
    return m;
  }

  /**
   * Where a container sees a node: {@code /dev/nvidia-caps/nvidia-capN} for a capability node,
   * {@code /dev/NAME} for the others, whatever folder the host keeps it in.
   */
  public static Path containerPath(Path hostPath) {
    String name = hostPath.getFileName().toString();
    return name.startsWith("nvidia-cap") && !name.equals("nvidia-caps")
        ? Path.of("/dev/nvidia-caps", name)
        : Path.of("/dev", name);
  }
}
