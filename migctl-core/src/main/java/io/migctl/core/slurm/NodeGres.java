package io.migctl.core.slurm;

import io.migctl.core.mig.GpuSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The generic resources ({@code gres/gpu}) of one Slurm node, made from its live MIG layout: the
 * {@code gres.conf} lines, the {@code NodeName=… Gres=…} fragment for {@code slurm.conf} and the
 * map from Slurm's GPU index to the MIG device ({@code gres-map.tsv}, read by the task prolog).
 *
 * <p>Slurm's numbering (22.05, read in its source and checked with {@code slurmd -G}): slurmd
 * merges {@code gres.conf} into {@code slurm.conf}'s {@code Gres=} list type by type, in the order
 * the types are written there, and within a type keeps {@code gres.conf}'s order; each {@code
 * gres.conf} record (a {@code MultipleFiles} one included) then takes the next index from 0. That
 * index is what {@code SLURM_JOB_GPUS} and {@code SLURM_STEP_GPUS} list. ({@code slurmd -G}'s
 * {@code Index=} field is not it: it is the number at the end of the record's last file.) So the
 * devices are ordered here by type, types in the order they first appear walking the GPUs by index
 * and their MIG devices by placement, and both files are written in that order: positions in the
 * map are Slurm's indexes.
 *
 * <p>{@code Cores=} is left out: the driver port does not report a GPU's CPU affinity, so Slurm
 * treats every GPU as near all cores.
 *
 * @param devices the GPUs Slurm counts, in Slurm's index order ({@code devices.get(i).index() ==
 *     i})
 */
public record NodeGres(List<GresDevice> devices) {

  /** The first line of {@code gres-map.tsv}, naming its columns. */
  public static final String MAP_HEADER = "# index\tuuid\ttype\tgpu\tgi\tci";

  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  public NodeGres {
    devices = List.copyOf(devices);
    for (int i = 0; i < devices.size(); i++) {
      if (devices.get(i).index() != i) {
        throw new IllegalArgumentException(
            "device at position " + i + " has Slurm index " + devices.get(i).index());
      }
    }
  }

  /**
   * The Slurm GPUs of a node: a MIG device per compute instance of GPUs with MIG on, the whole GPU
   * for GPUs with MIG off; a GPU with MIG on but no compute instance gives none.
   *
   * @param gpus the node's GPUs as they are now
   * @param naming how types are named
   * @param files where each device's files are
   */
  public static NodeGres of(List<GpuSnapshot> gpus, GresNaming naming, DeviceFilePaths files) {
    Objects.requireNonNull(naming, "naming");
    Map<String, List<Unnumbered>> byType = new LinkedHashMap<>();
    List<GpuSnapshot> ordered =
        gpus.stream().sorted(java.util.Comparator.comparingInt(g -> g.device().index())).toList();
    for (GpuSnapshot gpu : ordered) {
      int index = gpu.device().index();
      if (!gpu.device().migMode().current()) {
        byType
            .computeIfAbsent(naming.wholeGpu(gpu.device(), gpu.model()), t -> new ArrayList<>())
            .add(
                new Unnumbered(
                    gpu.device().uuid(),
                    index,
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    List.of(files.wholeGpu(index))));
        continue;
      }
      for (GpuSnapshot.Instance gi : gpu.instances()) {
        for (GpuSnapshot.Compute ci : gi.computeInstances()) {
          int giId = gi.gpuInstance().id();
          int ciId = ci.computeInstance().id();
          byType
              .computeIfAbsent(naming.migDevice(gpu, gi, ci), t -> new ArrayList<>())
              .add(
                  new Unnumbered(
                      ci.computeInstance().uuid(),
                      index,
                      OptionalInt.of(giId),
                      OptionalInt.of(ciId),
                      files.migDevice(index, giId, ciId)));
        }
      }
    }
    List<GresDevice> out = new ArrayList<>();
    byType.forEach(
        (type, list) ->
            list.forEach(
                u ->
                    out.add(
                        new GresDevice(
                            out.size(),
                            type,
                            u.uuid,
                            u.gpu,
                            u.gpuInstance,
                            u.computeInstance,
                            u.files))));
    return new NodeGres(out);
  }

  /** The types with their counts, in Slurm's order: {@code {1g.5gb=2, 3g.20gb=1}}. */
  public Map<String, Integer> typeCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    devices.forEach(d -> counts.merge(d.type(), 1, Integer::sum));
    return counts;
  }

  /** {@code gres.conf}: a comment naming the source, then one line per device in index order. */
  public String gresConf() {
    StringBuilder out =
        new StringBuilder(
            "# Written by 'migctl slurm gres' from the live MIG layout; regenerate it after"
                + " every layout change.\n"
                + "# Line order is Slurm's GPU index order (see gres-map.tsv).\n");
    devices.forEach(d -> out.append(d.gresConfLine()).append('\n'));
    return out.toString();
  }

  /**
   * The {@code slurm.conf} fragment for {@code Include}: {@code NodeName=<node>
   * Gres=gpu:<type>:<count>,…}, types in Slurm's order, or {@code Gres=none} when the node has no
   * GPU to give. It must be the node's only {@code NodeName} line (Slurm refuses a node named
   * twice): its other settings go before the {@code Include}, as {@code NodeName=DEFAULT CPUs=…}.
   *
   * @throws IllegalArgumentException when {@code node} is not a host name
   */
  public String nodeFragment(String node) {
    if (!NODE_NAME.matcher(node).matches()) {
      throw new IllegalArgumentException(
          "node name '"
              + node
              + "' is not a host name: use letters, digits, '.', '_' and '-' (--node NAME)");
    }
    List<String> gres = new ArrayList<>();
    typeCounts().forEach((type, count) -> gres.add("gpu:" + type + ":" + count));
    return "NodeName="
        + node
        + " Gres="
        + (gres.isEmpty() ? "none" : String.join(",", gres))
        + "\n";
  }

  /** {@code gres-map.tsv}: {@link #MAP_HEADER}, then one row per device in index order. */
  public String mapTsv() {
    StringBuilder out = new StringBuilder(MAP_HEADER).append('\n');
    devices.forEach(d -> out.append(d.mapRow()).append('\n'));
    return out.toString();
  }

  private record Unnumbered(
      String uuid,
      int gpu,
      OptionalInt gpuInstance,
      OptionalInt computeInstance,
      List<String> files) {}
}
