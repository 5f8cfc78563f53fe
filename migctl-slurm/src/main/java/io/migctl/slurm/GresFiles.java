package io.migctl.slurm;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.slurm.DeviceFilePaths;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.NodeGres;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.nvidia.dev.DeviceNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A node's Slurm GPU files from its live MIG layout: {@code gres.conf}, {@code gres-node.conf} (the
 * {@code NodeName=… Gres=…} line for {@code slurm.conf}'s {@code Include}) and {@code gres-map.tsv}
 * (Slurm's GPU index to MIG UUID, for the task prolog). What they hold is {@link NodeGres}'s; the
 * device files are the node's own ({@link DeviceNodes}: the driver's numbering, or the simulated
 * node's nodes).
 */
public final class GresFiles {

  /** The {@code gres.conf} file name. */
  public static final String GRES_CONF = "gres.conf";

  /** The file name of the {@code NodeName} fragment. */
  public static final String NODE_FRAGMENT = "gres-node.conf";

  /** The file name of the GPU map. */
  public static final String MAP = "gres-map.tsv";

  private final MigDriver driver;
  private final DeviceNodes deviceNodes;

  /** The files of the node that {@code driver} and {@code deviceNodes} reach. */
  public GresFiles(MigDriver driver, DeviceNodes deviceNodes) {
    this.driver = driver;
    this.deviceNodes = deviceNodes;
  }

  /**
   * The node's Slurm GPUs as they are now.
   *
   * @throws io.migctl.core.mig.MigDriverException when the driver cannot be read
   * @throws io.migctl.nvidia.dev.DeviceNodeException when a device's nodes are not known
   */
  public NodeGres read(GresNaming naming) {
    return NodeGres.of(GpuSnapshot.readAll(driver), naming, paths(deviceNodes));
  }

  /**
   * Writes the three files into {@code dir} (made when missing), each atomically, the map last.
   *
   * @param node the Slurm node name for the fragment
   * @throws UncheckedIOException when a file cannot be written, naming it
   * @throws IllegalArgumentException when {@code node} is not a host name
   */
  public Written write(Path dir, String node, GresNaming naming) {
    NodeGres gres = read(naming);
    String fragment = gres.nodeFragment(node);
    Written written =
        new Written(gres, dir.resolve(GRES_CONF), dir.resolve(NODE_FRAGMENT), dir.resolve(MAP));
    write(written.gresConf(), gres.gresConf());
    write(written.nodeFragment(), fragment);
    write(written.map(), gres.mapTsv());
    return written;
  }

  /**
   * What {@link #write} wrote.
   *
   * @param gres the node's Slurm GPUs
   * @param gresConf the {@code gres.conf} file
   * @param nodeFragment the {@code NodeName} fragment's file
   * @param map the map's file
   */
  public record Written(NodeGres gres, Path gresConf, Path nodeFragment, Path map) {}

  private static void write(Path file, String text) {
    try {
      AtomicFiles.write(file, text, AtomicFiles.CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The {@code gres.conf} files of the node's devices: the GPU and access nodes, not the rest. */
  private static DeviceFilePaths paths(DeviceNodes nodes) {
    return new DeviceFilePaths() {
      @Override
      public List<String> migDevice(int gpu, int gpuInstanceId, int computeInstanceId) {
        List<DeviceNode> all = nodes.migDevice(gpu, gpuInstanceId, computeInstanceId);
        return all.subList(all.size() - 3, all.size()).stream()
            .map(n -> n.path().toString())
            .toList();
      }

      @Override
      public String wholeGpu(int gpu) {
        return nodes.wholeGpu(gpu).getLast().path().toString();
      }
    };
  }
}
