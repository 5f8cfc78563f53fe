package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.slurm.GresDevice;
import io.migctl.core.slurm.GresFinding;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.NodeGres;
import io.migctl.nvidia.GpuNode;
import io.migctl.process.ScriptedToolRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SlurmCheck} on a simulated node, a scripted {@code slurmd -G} and a controller in memory.
 */
class SlurmCheckTest {

  private static final Path CONF = Path.of("/etc/slurm-test/slurm.conf");

  @TempDir Path dir;
  private final ScriptedToolRunner tools = new ScriptedToolRunner();
  private final InMemorySlurmController controller =
      new InMemorySlurmController(SlurmVersion.parse("slurm 22.05.8"));
  private SimulatedLayouts layouts;
  private GpuNode node;
  private GresFiles gpus;
  private SlurmCheck check;

  @BeforeEach
  void node() {
    tools.when("mknod");
    layouts = new SimulatedLayouts("a100-40gb:1").gi(0, "1g.5gb").gi(0, "2g.10gb");
    node = GpuNode.simulated(layouts.driver(), dir.resolve("sim-dev"), tools);
    gpus = new GresFiles(node.driver(), node.deviceNodes());
    check =
        new SlurmCheck(
            gpus, controller, new SlurmdGresReader(tools, "slurmd", Duration.ofMinutes(1)));
  }

  @AfterEach
  void close() {
    node.close();
  }

  /** What slurmd -G prints for files written from {@code gres}, with a record of another kind. */
  private static String slurmdPrints(NodeGres gres) {
    return gres.devices().stream()
            .map(
                d ->
                    "slurmd-n1: Gres Name=gpu Type="
                        + d.type()
                        + " Count=1 Index=9 ID=7696487 File="
                        + String.join(",", d.files())
                        + " (null)\n")
            .collect(Collectors.joining())
        + "slurmd-n1: Gres Name=shard Type=(null) Count=8 ID=1 (null)\n";
  }

  private void slurmdReads(NodeGres gres) {
    tools.when("slurmd", "-G").prints(slurmdPrints(gres));
  }

  @Test
  void filesOfTheLiveLayoutGiveNoFindingAndSlurmdIsAskedUnderTheConf() throws Exception {
    NodeGres gres = gpus.read(GresNaming.PROFILE);
    slurmdReads(gres);
    controller.addNode("n1", gres.nodeFragment("n1").strip().replaceFirst(".* Gres=", ""));
    Path map = dir.resolve("gres-map.tsv");
    Files.writeString(map, gres.mapTsv());

    SlurmCheck.Report report = check.check("n1", CONF, Optional.of(map), GresNaming.PROFILE);

    assertThat(report.findings()).isEmpty();
    assertThat(report.slurmd()).hasSize(2).allMatch(r -> r.name().equals("gpu"));
    assertThat(report.controllerGres()).contains("gpu:1g.5gb:1", "gpu:2g.10gb:1");
    assertThat(tools.argvs()).contains(List.of("slurmd", "-G", "-f", CONF.toString(), "-N", "n1"));
  }

  @Test
  void aSliceMadeAfterTheFilesIsNotProtected() {
    NodeGres before = gpus.read(GresNaming.PROFILE);
    slurmdReads(before);
    controller.addNode("n1", "gpu:1g.5gb:1,gpu:2g.10gb:1");
    layouts.gi(0, "1g.5gb");
    GresDevice added =
        gpus.read(GresNaming.PROFILE).devices().stream()
            .filter(d -> before.devices().stream().noneMatch(b -> b.uuid().equals(d.uuid())))
            .findFirst()
            .orElseThrow();

    SlurmCheck.Report report = check.check("n1", CONF, Optional.empty(), GresNaming.PROFILE);

    assertThat(report.findings().getFirst().kind()).isEqualTo(GresFinding.Kind.NOT_PROTECTED);
    assertThat(report.findings().getFirst().device()).isEqualTo(added.uuid());
  }

  @Test
  void slurmdFailingIsAControlErrorWithWhatItPrinted() {
    tools
        .when("slurmd", "-G")
        .printsError("slurmd: fatal: Unable to determine this slurmd's NodeName\n")
        .exits(1);
    controller.addNode("n1", "");

    assertThatThrownBy(() -> check.check("n1", CONF, Optional.empty(), GresNaming.PROFILE))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("slurmd -G -f " + CONF + " -N n1 exited with status 1")
        .hasMessageContaining("Unable to determine this slurmd's NodeName");
  }

  @Test
  void slurmdMissingSaysHowToInstallIt() {
    controller.addNode("n1", "");

    assertThatThrownBy(() -> check.check("n1", CONF, Optional.empty(), GresNaming.PROFILE))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("apt-get install slurmd");
  }

  @Test
  void aNodeTheControllerDoesNotKnowIsAControlError() {
    slurmdReads(gpus.read(GresNaming.PROFILE));
    controller.addNode("other", "");

    assertThatThrownBy(() -> check.check("n1", CONF, Optional.empty(), GresNaming.PROFILE))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("Slurm has no node n1");
  }

  @Test
  void aMapThatIsMissingOrNoMapIsRefusedBeforeSlurmIsAsked() throws Exception {
    Path missing = dir.resolve("nothing.tsv");
    Path bad = dir.resolve("bad.tsv");
    Files.writeString(bad, "0 MIG-x 1g.5gb\n");

    assertThatThrownBy(() -> check.check("n1", CONF, Optional.of(missing), GresNaming.PROFILE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the GPU map " + missing)
        .hasMessageContaining("NoSuchFileException");
    assertThatThrownBy(() -> check.check("n1", CONF, Optional.of(bad), GresNaming.PROFILE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad + ": line 1 of the GPU map");
    assertThat(tools.argvs()).noneMatch(a -> a.getFirst().equals("slurmd"));
  }

  @Test
  void locateFindsSlurmdOnThePathFirstAndFallsBackToItsName() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path slurmd = bin.resolve("slurmd");
    Files.writeString(slurmd, "#!/bin/sh\n");
    slurmd.toFile().setExecutable(true);

    assertThat(SlurmdGresReader.locate(bin + ":/nowhere")).isEqualTo(slurmd.toString());
    assertThat(SlurmdGresReader.locate("/nowhere")).endsWith("slurmd");
  }
}
