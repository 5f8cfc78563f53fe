package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.slurm.GresDevice;
import io.migctl.core.slurm.GresFinding;
import io.migctl.core.slurm.GresNaming;
import io.migctl.nvidia.GpuNode;
import io.migctl.process.SystemToolRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code migctl slurm check} against a real Slurm 22.05 cluster ({@link SlurmCluster}) whose {@code
 * gres.conf} and {@code Gres=} were generated from a simulated node with real device nodes: they
 * agree; then the layout changes under Slurm without the files being written again, and the check
 * says what that does to jobs.
 */
class SlurmCheckIT {

  private static final Duration LIMIT = Duration.ofMinutes(1);

  @Test
  void generatedFilesAgreeThenANewSliceIsNotProtectedAndADestroyedOneIsStale() throws Exception {
    Path dir = SlurmCluster.newDir();
    SimulatedLayouts layouts =
        new SimulatedLayouts("a100-40gb:1").gi(0, "1g.5gb").gi(0, "1g.5gb").gi(0, "2g.10gb");
    SystemToolRunner tools = new SystemToolRunner();
    try (GpuNode node = GpuNode.simulated(layouts.driver(), dir.resolve("sim-dev"), tools)) {
      GresFiles files = new GresFiles(node.driver(), node.deviceNodes());
      GresFiles.Written written =
          files.write(dir.resolve("generated"), "unused", GresNaming.PROFILE);
      String gres =
          written.gres().typeCounts().entrySet().stream()
              .map(e -> "gpu:" + e.getKey() + ":" + e.getValue())
              .collect(Collectors.joining(","));
      try (SlurmCluster slurm =
          SlurmCluster.start(dir, SlurmCluster.Options.of(gres, written.gres().gresConf()))) {
        SlurmCheck check =
            new SlurmCheck(
                files,
                new ScontrolSlurmController(tools, Optional.of(slurm.conf()), LIMIT),
                new SlurmdGresReader(
                    tools,
                    SlurmdGresReader.locate(System.getenv().getOrDefault("PATH", "")),
                    LIMIT));

        SlurmCheck.Report agreeing =
            check.check(
                slurm.nodeName(), slurm.conf(), Optional.of(written.map()), GresNaming.PROFILE);
        assertThat(agreeing.findings()).as(slurm.logs()).isEmpty();
        assertThat(agreeing.slurmd()).hasSize(3);
        assertThat(agreeing.controllerGres()).isEqualTo(gres);

        layouts.gi(0, "1g.5gb");
        GresDevice added = newDevice(files, written.gres().devices());
        List<GresFinding> afterCreate =
            check
                .check(
                    slurm.nodeName(), slurm.conf(), Optional.of(written.map()), GresNaming.PROFILE)
                .findings();
        assertThat(afterCreate.getFirst().kind()).isEqualTo(GresFinding.Kind.NOT_PROTECTED);
        assertThat(afterCreate.getFirst().device()).isEqualTo(added.uuid());
        assertThat(afterCreate.getFirst().message())
            .contains("NOT PROTECTED", added.files().getLast(), slurm.nodeName());
        assertThat(afterCreate)
            .extracting(GresFinding::kind)
            .containsExactly(GresFinding.Kind.NOT_PROTECTED, GresFinding.Kind.COUNT_MISMATCH);

        GresDevice gone =
            written.gres().devices().stream()
                .filter(d -> d.type().equals("1g.5gb"))
                .findFirst()
                .orElseThrow();
        node.driver()
            .destroyComputeInstance(
                gone.gpu(), gone.gpuInstance().getAsInt(), gone.computeInstance().getAsInt());
        node.driver().destroyGpuInstance(gone.gpu(), gone.gpuInstance().getAsInt());
        List<GresFinding> afterDestroy =
            check
                .check(slurm.nodeName(), slurm.conf(), Optional.empty(), GresNaming.PROFILE)
                .findings();
        assertThat(afterDestroy)
            .filteredOn(f -> f.kind() == GresFinding.Kind.STALE_RECORD)
            .singleElement()
            .satisfies(
                f -> {
                  assertThat(f.device()).isEqualTo("Slurm GPU " + gone.index());
                  assertThat(f.message()).contains(gone.files().getLast(), "stale");
                });
        // The slice made after the files is still unguarded; 1g.5gb is counted 2 by all again.
        assertThat(afterDestroy)
            .extracting(GresFinding::kind)
            .containsExactly(GresFinding.Kind.NOT_PROTECTED, GresFinding.Kind.STALE_RECORD);
      }
    }
  }

  /** The one device the node has now that {@code before} lacks. */
  private static GresDevice newDevice(GresFiles files, List<GresDevice> before) {
    return files.read(GresNaming.PROFILE).devices().stream()
        .filter(d -> before.stream().noneMatch(b -> b.uuid().equals(d.uuid())))
        .collect(Collectors.collectingAndThen(Collectors.toList(), List::getFirst));
  }
}
