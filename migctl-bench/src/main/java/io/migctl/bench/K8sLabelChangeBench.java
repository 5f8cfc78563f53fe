package io.migctl.bench;

import io.migctl.apply.MigPartedFiles;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Compares, for the same label changes on the same simulated nodes, what migctl's Kubernetes agent
 * and the GPU Operator's MIG manager do: driver operations, GPUs reset, seconds the operator's GPU
 * clients stay paused ({@link K8sTimeModel}) and pods disturbed.
 *
 * <p>Each node walks the scripted {@link LabelChange#script} between configs of NVIDIA's default
 * mig-parted file (read with {@link MigPartedFiles}, plus the bench's two per-GPU configs). Every
 * change runs on two fresh, identically prepared nodes, once per manager ({@link
 * K8sLabelChangeRunner}), so rows compare like with like. migctl's side is {@code
 * MigConfigDecision} and {@code LayoutApplier}; NVIDIA's is {@link GpuOperatorMigManager}. The
 * output depends only on the arguments.
 *
 * <p>Usage: {@code K8sLabelChangeBench --config FILE [--nodes a100-40gb:2,h100-80gb:2,a100-40gb:8]
 * [--out DIR] [--json]}. {@code --nodes} lists one-model nodes; {@code --out} writes {@code
 * bench-k8s.md} and {@code bench-k8s.json} there; {@code --json} prints JSON instead of Markdown.
 */
public final class K8sLabelChangeBench {

  static final String DEFAULT_NODES = "a100-40gb:2,h100-80gb:2,a100-40gb:8";

  private K8sLabelChangeBench() {}

  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    boolean json = rest.remove("--json");
    K8sBenchReport report;
    String out;
    try {
      Flags flags = Flags.parse(Set.of("config", "nodes", "out"), rest.toArray(String[]::new));
      String config = flags.text("config", "");
      if (config.isEmpty()) {
        throw new IllegalArgumentException(
            "--config FILE is required: NVIDIA's default mig-parted file, e.g."
                + " ../shared/reference/mig/mig-parted-default-config.yaml");
      }
      out = flags.text("out", "");
      report = run(Path.of(config), nodes(flags.text("nodes", DEFAULT_NODES)));
    } catch (IllegalArgumentException e) {
      System.err.println("K8sLabelChangeBench: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!out.isEmpty()) {
      Path dir = Path.of(out);
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bench-k8s.md"), report.markdown());
        Files.writeString(dir.resolve("bench-k8s.json"), report.json());
      } catch (IOException e) {
        System.err.println("K8sLabelChangeBench: cannot write to " + dir + ": " + e.getMessage());
        System.exit(1);
        return;
      }
    }
    System.out.print(json ? report.json() : report.markdown());
    System.out.flush();
  }

  /**
   * Parses {@code a100-40gb:2,h100-80gb:8}: one-model nodes of at least two GPUs.
   *
   * @throws IllegalArgumentException naming the bad element
   */
  static List<SimulatedNodeSpec> nodes(String text) {
    List<SimulatedNodeSpec> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      SimulatedNodeSpec spec = SimulatedNodeSpec.parse(part.strip());
      if (spec.gpus().size() < 2) {
        throw new IllegalArgumentException(
            "--nodes: "
                + part.strip()
                + " has one GPU; the changes need at least two, e.g. "
                + part.strip().split(":")[0]
                + ":2");
      }
      out.add(spec);
    }
    return out;
  }

  /**
   * Runs every node's label changes.
   *
   * @param configFile NVIDIA's default mig-parted file
   * @throws IllegalArgumentException when the file cannot be read or a node's model has no config
   *     the changes name
   */
  static K8sBenchReport run(Path configFile, List<SimulatedNodeSpec> nodes) {
    String text;
    try {
      text = Files.readString(configFile);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "--config " + configFile + " does not exist; pass NVIDIA's default mig-parted file", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read --config " + configFile + ": " + e.getMessage(), e);
    }
    List<K8sBenchReport.NodeResult> results = new ArrayList<>();
    for (SimulatedNodeSpec spec : nodes) {
      GpuModel model = spec.gpus().getFirst();
      int gpus = spec.gpus().size();
      MigPartedConfig file =
          MigPartedFiles.readConfig(
              text + "\n---\n" + LabelChange.benchConfigs(model, gpus),
              configFile.getFileName().toString());
      K8sLabelChangeRunner runner = new K8sLabelChangeRunner(spec, file);
      List<K8sBenchReport.Row> rows = new ArrayList<>();
      for (LabelChange change : LabelChange.script(model, gpus)) {
        rows.add(new K8sBenchReport.Row(change, runner.migctl(change), runner.nvidia(change)));
      }
      results.add(new K8sBenchReport.NodeResult(spec.canonical(), rows));
    }
    return new K8sBenchReport(configFile.getFileName().toString(), results);
  }
}
