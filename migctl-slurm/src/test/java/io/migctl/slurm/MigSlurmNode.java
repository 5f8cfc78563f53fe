package io.migctl.slurm;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.SlurmScripts;
import io.migctl.core.slurm.SlurmdGres;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.process.SystemToolRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated A100-40GB with two 1g.5gb, one 2g.10gb and one 3g.20gb slices serving as the node of
 * a real {@link SlurmCluster}, configured only from what migctl generates: {@code gres.conf}, the
 * {@code NodeName}'s {@code Gres=} and the map from {@link GresFiles} (device nodes made by the
 * simulated node with {@code mknod}), the task prolog, prolog and epilog from {@link SlurmScripts},
 * which write DCGM job-mapping files into {@link #dcgmDir()}; devices constrained.
 *
 * <p>Which slice Slurm's GPU index stands for is learned apart from the generated map: {@code
 * slurmd -G} says which device files each index has, and the simulated driver and device nodes say
 * which MIG device those files belong to ({@link #slices()}).
 */
final class MigSlurmNode implements AutoCloseable {

  /**
   * One of Slurm's GPUs on the node.
   *
   * @param index Slurm's index, as {@code SLURM_STEP_GPUS} and {@code SLURM_JOB_GPUS} list it
   * @param type its type as {@code slurmd -G} reports it
   * @param uuid the MIG device's UUID in the simulated driver
   * @param dcgmName DCGM's job-mapping file name for it, {@code <gpu>.<gi>}
   * @param files the device files {@code slurmd -G} gives it: the GPU's node and two cap nodes
   */
  record Slice(int index, String type, String uuid, String dcgmName, List<Path> files) {

    /** Its {@code nvidia-cap} nodes, the ones no other slice shares. */
    List<Path> capNodes() {
      return files.stream()
          .filter(f -> f.getFileName().toString().startsWith("nvidia-cap"))
          .toList();
    }
  }

  private final GpuNode gpus;
  private final SlurmCluster slurm;
  private final List<Slice> slices;

  private MigSlurmNode(GpuNode gpus, SlurmCluster slurm, List<Slice> slices) {
    this.gpus = gpus;
    this.slurm = slurm;
    this.slices = slices;
  }

  /** Lays out the simulated GPU, generates the files with {@code naming} and starts the cluster. */
  static MigSlurmNode start(GresNaming naming) throws IOException, InterruptedException {
    Path dir = SlurmCluster.newDir();
    SimulatedLayouts layout =
        new SimulatedLayouts("a100-40gb:1")
            .gi(0, "3g.20gb")
            .gi(0, "2g.10gb")
            .gi(0, "1g.5gb")
            .gi(0, "1g.5gb");
    GpuNode gpus =
        GpuNode.simulated(layout.driver(), dir.resolve("sim-dev"), new SystemToolRunner());
    SlurmCluster slurm = null;
    try {
      Path etc = dir.resolve("etc");
      GresFiles.Written written =
          new GresFiles(gpus.driver(), gpus.deviceNodes()).write(etc, "generated", naming);
      String map = written.map().toString();
      String dcgm = dir.resolve("dcgm").toString();
      slurm =
          SlurmCluster.start(
              dir,
              SlurmCluster.Options.of(
                      gresOf(Files.readString(written.nodeFragment())),
                      Files.readString(written.gresConf()))
                  .withConstrainDevices(true)
                  .withTaskProlog(script(etc, "task-prolog.sh", SlurmScripts.taskProlog(map)))
                  .withPrologEpilog(
                      script(etc, "prolog.sh", SlurmScripts.prolog(map, dcgm)),
                      script(etc, "epilog.sh", SlurmScripts.epilog(map, dcgm))));
      return new MigSlurmNode(gpus, slurm, slices(slurm, gpus));
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      if (slurm != null) {
        slurm.close();
      }
      gpus.close();
      throw e;
    }
  }

  SlurmCluster slurm() {
    return slurm;
  }

  /** Slurm's GPUs on the node, by index. */
  List<Slice> slices() {
    return slices;
  }

  /** The slice at Slurm's {@code index}. */
  Slice slice(int index) {
    return slices.get(index);
  }

  /** The slices at the indexes of a Slurm list such as {@code 2,0}, in its order. */
  List<Slice> slices(String slurmGpus) {
    List<Slice> out = new ArrayList<>();
    for (String i : slurmGpus.split(",")) {
      out.add(slice(Integer.parseInt(i)));
    }
    return out;
  }

  /** Where the prolog writes DCGM's job-mapping files. */
  Path dcgmDir() {
    return slurm.dir().resolve("dcgm");
  }

  /** A job's environment as {@code env} printed it, one {@code NAME=value} a line. */
  static Map<String, String> environment(String envOutput) {
    Map<String, String> vars = new TreeMap<>();
    for (String line : envOutput.lines().toList()) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        vars.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return vars;
  }

  /** Waits until {@code file} exists and holds a line. */
  void awaitLine(Path file) throws InterruptedException {
    slurm.await(file + " to hold a line", () -> read(file).contains("\n"));
  }

  /** The text of {@code file}, empty while it does not exist. */
  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      slurm.close();
    } finally {
      gpus.close();
    }
  }

  /** {@code gpu:…} of the generated {@code NodeName=… Gres=…} line. */
  private static String gresOf(String fragment) {
    for (String field : fragment.strip().split("\\s+")) {
      if (field.startsWith("Gres=")) {
        return field.substring("Gres=".length());
      }
    }
    throw new IllegalStateException("no Gres= in the generated fragment: " + fragment);
  }

  private static Path script(Path dir, String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    if (!file.toFile().setExecutable(true, false)) {
      throw new IOException("cannot make " + file + " executable");
    }
    return file;
  }

  /** Slurm's GPUs from {@code slurmd -G}, each matched to the MIG device owning its files. */
  private static List<Slice> slices(SlurmCluster slurm, GpuNode gpus)
      throws IOException, InterruptedException {
    SlurmCluster.Result r =
        slurm.run("slurmd", "-G", "-f", slurm.conf().toString(), "-N", slurm.nodeName());
    List<SlurmdGres> records =
        SlurmdGres.parse(r.output()).stream().filter(g -> g.name().equals("gpu")).toList();
    if (r.exitCode() != 0 || records.isEmpty()) {
      throw new IllegalStateException("slurmd -G gave no GPUs: " + r.output());
    }
    List<Slice> out = new ArrayList<>();
    for (SlurmdGres record : records) {
      List<Path> files = record.files().stream().map(Path::of).toList();
      out.add(owner(gpus, out.size(), record.type(), files));
    }
    return List.copyOf(out);
  }

  private static Slice owner(GpuNode gpus, int index, String type, List<Path> files) {
    List<Slice> owners = new ArrayList<>();
    for (GpuSnapshot gpu : GpuSnapshot.readAll(gpus.driver())) {
      for (GpuSnapshot.Instance gi : gpu.instances()) {
        for (GpuSnapshot.Compute ci : gi.computeInstances()) {
          int g = gpu.device().index();
          int giId = gi.gpuInstance().id();
          List<Path> nodes =
              gpus.deviceNodes().migDevice(g, giId, ci.computeInstance().id()).stream()
                  .map(DeviceNode::path)
                  .toList();
          if (nodes.containsAll(files)) {
            owners.add(new Slice(index, type, ci.computeInstance().uuid(), g + "." + giId, files));
          }
        }
      }
    }
    if (owners.size() != 1) {
      throw new IllegalStateException(
          "Slurm's GPU " + index + " (" + files + ") belongs to " + owners.size() + " MIG devices");
    }
    return owners.getFirst();
  }
}
