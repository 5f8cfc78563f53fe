package io.migctl.slurm;

import io.migctl.core.slurm.GresFinding;
import io.migctl.core.slurm.GresMap;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.NodeGres;
import io.migctl.core.slurm.SlurmGresCheck;
import io.migctl.core.slurm.SlurmdGres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code migctl slurm check}: gathers the node's four views of its GPUs — the live layout, what
 * {@code slurmd -G} reads, the controller's {@code Gres=} and the GPU map on disk — and compares
 * them with {@link SlurmGresCheck}. It changes nothing.
 */
public final class SlurmCheck {

  private final GresFiles gpus;
  private final SlurmController controller;
  private final SlurmdGresReader slurmd;

  /**
   * @param gpus the node's GPUs, as {@code migctl slurm gres} reads them
   * @param controller the Slurm controller, under the same {@code slurm.conf}
   * @param slurmd what runs {@code slurmd -G}
   */
  public SlurmCheck(GresFiles gpus, SlurmController controller, SlurmdGresReader slurmd) {
    this.gpus = Objects.requireNonNull(gpus, "gpus");
    this.controller = Objects.requireNonNull(controller, "controller");
    this.slurmd = Objects.requireNonNull(slurmd, "slurmd");
  }

  /**
   * What was compared and what differs.
   *
   * @param node the Slurm node name
   * @param live the node's GPUs as they are, named as asked
   * @param slurmd the {@code gpu} records {@code slurmd -G} printed, in Slurm's order
   * @param controllerGres the node's {@code Gres=} at the controller
   * @param findings what differs, loudest first; empty when all agree
   */
  public record Report(
      String node,
      NodeGres live,
      List<SlurmdGres> slurmd,
      String controllerGres,
      List<GresFinding> findings) {
    public Report {
      slurmd = List.copyOf(slurmd);
      findings = List.copyOf(findings);
    }
  }

  /**
   * Compares Slurm's view of {@code node} with its GPUs.
   *
   * @param slurmConf the {@code slurm.conf} slurmd reads (the controller is asked under the same)
   * @param map the GPU map to check, when one is given
   * @param naming how the files name the types
   * @throws IllegalArgumentException when the map cannot be read or is not a GPU map
   * @throws SlurmControlException when slurmd or the controller cannot be asked
   */
  public Report check(String node, Path slurmConf, Optional<Path> map, GresNaming naming) {
    Optional<GresMap> gresMap = map.map(SlurmCheck::readMap);
    NodeGres live = gpus.read(naming);
    List<SlurmdGres> records =
        slurmd.read(slurmConf, node).stream().filter(r -> r.name().equals("gpu")).toList();
    String gres = controller.node(node).gres();
    List<GresFinding> findings;
    try {
      findings = SlurmGresCheck.findings(node, live, records, gres, gresMap);
    } catch (IllegalArgumentException e) {
      throw new SlurmControlException("cannot read node " + node + "'s Gres: " + e.getMessage(), e);
    }
    return new Report(node, live, records, gres, findings);
  }

  private static GresMap readMap(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the GPU map "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "): give the gres-map.tsv that 'migctl slurm gres -o DIR' wrote",
          e);
    }
    try {
      return GresMap.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
