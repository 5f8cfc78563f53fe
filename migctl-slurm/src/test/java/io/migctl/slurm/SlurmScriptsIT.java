package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.slurm.GresDevice;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.SlurmScripts;
import io.migctl.nvidia.GpuNode;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task prolog, prolog and epilog, run by {@code dash} (a strict POSIX sh) with Slurm's
 * variables set, against a map {@link GresFiles} wrote for a simulated node.
 */
class SlurmScriptsIT {

  private static final Path DASH = Path.of("/usr/bin/dash");

  @TempDir Path dir;
  private Path map;
  private List<GresDevice> devices;

  @BeforeAll
  static void needsDash() {
    RequiredTools.fromEnvironment()
        .require(Files.isExecutable(DASH), () -> "dash is not installed (apt-get install dash)");
  }

  @BeforeEach
  void writeTheMap() {
    // A path with a space and a quote: the scripts quote what they bake in.
    Path files = dir.resolve("etc slurm's");
    SimulatedLayouts layout =
        new SimulatedLayouts("h100-80gb:2")
            .gi(0, "3g.40gb", "2c.3g.40gb", "1c.3g.40gb")
            .gi(0, "1g.10gb")
            .migOff(1);
    try (GpuNode node = GpuNode.simulated(layout.driver())) {
      GresFiles.Written written =
          new GresFiles(node.driver(), node.deviceNodes()).write(files, "n1", GresNaming.PROFILE);
      map = written.map();
      devices = written.gres().devices();
    }
    assertThat(devices)
        .extracting(GresDevice::type)
        .containsExactly("1g.10gb", "2c.3g.40gb", "1c.3g.40gb", "h100-80gb");
  }

  @Test
  void everyScriptIsPosixSh() throws Exception {
    for (String script :
        List.of(
            SlurmScripts.taskProlog(map.toString()),
            SlurmScripts.prolog(map.toString(), "/tmp/x"),
            SlurmScripts.epilog(map.toString(), "/tmp/x"))) {
      Path file = dir.resolve("check.sh");
      Files.writeString(file, script);
      assertThat(run(List.of(DASH.toString(), "-n", file.toString()), Map.of()).succeeded())
          .isTrue();
    }
  }

  @Test
  void taskPrologExportsTheStepsMigUuidsInSlurmsOrder() throws Exception {
    ToolResult r = taskProlog(Map.of("SLURM_STEP_GPUS", "2,0", "SLURM_JOB_GPUS", "0,1,2"));

    String uuids = devices.get(2).uuid() + "," + devices.get(0).uuid();
    assertThat(r.succeeded()).as(r.output()).isTrue();
    assertThat(r.stdout())
        .isEqualTo(
            "export CUDA_VISIBLE_DEVICES="
                + uuids
                + "\nexport NVIDIA_VISIBLE_DEVICES="
                + uuids
                + "\n");
  }

  @Test
  void taskPrologFallsBackToTheJobsGpusAndGivesAWholeGpuItsUuid() throws Exception {
    ToolResult r = taskProlog(Map.of("SLURM_JOB_GPUS", "3"));

    assertThat(r.stdout())
        .startsWith("export CUDA_VISIBLE_DEVICES=" + devices.get(3).uuid() + "\n");
    assertThat(devices.get(3).uuid()).startsWith("GPU-");
  }

  @Test
  void taskPrologSaysNothingForATaskWithoutGpus() throws Exception {
    ToolResult r = taskProlog(Map.of());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void taskPrologFailsTheTaskOnAnIndexTheMapLacks() throws Exception {
    ToolResult r = taskProlog(Map.of("SLURM_STEP_GPUS", "1,9"));

    assertThat(r.succeeded()).isFalse();
    assertThat(r.stdout()).doesNotContain("export");
    assertThat(r.stderr()).contains("Slurm's GPU 9 is not in").contains("migctl slurm gres");
  }

  @Test
  void prologWritesAndEpilogRemovesTheJobsDcgmMappingFiles() throws Exception {
    Path dcgm = dir.resolve("dcgm");
    Path prolog = script("prolog.sh", SlurmScripts.prolog(map.toString(), dcgm.toString()));
    Path epilog = script("epilog.sh", SlurmScripts.epilog(map.toString(), dcgm.toString()));
    Map<String, String> job = Map.of("SLURM_JOB_ID", "42", "SLURM_JOB_GPUS", "1,3");

    assertThat(run(List.of(DASH.toString(), prolog.toString()), job).succeeded()).isTrue();

    String mig = "0." + devices.get(1).gpuInstance().getAsInt();
    assertThat(Files.readString(dcgm.resolve(mig))).isEqualTo("42\n");
    assertThat(Files.readString(dcgm.resolve("1"))).isEqualTo("42\n");
    try (var files = Files.list(dcgm)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(mig, "1");
    }

    // Another job's file for a device this job had is not this epilog's to remove.
    Files.writeString(dcgm.resolve("1"), "43\n");
    assertThat(run(List.of(DASH.toString(), epilog.toString()), job).succeeded()).isTrue();

    assertThat(dcgm.resolve(mig)).doesNotExist();
    assertThat(Files.readString(dcgm.resolve("1"))).isEqualTo("43\n");
  }

  @Test
  void prologNeverFailsEvenWithoutAMap() throws Exception {
    Path prolog =
        script(
            "prolog.sh", SlurmScripts.prolog(dir.resolve("none.tsv").toString(), "/nonexistent"));

    ToolResult r =
        run(
            List.of(DASH.toString(), prolog.toString()),
            Map.of("SLURM_JOB_ID", "7", "SLURM_JOB_GPUS", "0"));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.stderr()).contains("cannot read the GPU map");
  }

  private ToolResult taskProlog(Map<String, String> env) throws Exception {
    Path file = script("task-prolog.sh", SlurmScripts.taskProlog(map.toString()));
    return run(List.of(DASH.toString(), file.toString()), env);
  }

  private Path script(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static ToolResult run(List<String> argv, Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("PATH", "/usr/bin:/bin");
    return new SystemToolRunner()
        .run(ToolCommand.of(argv).withExactEnvironment(all).withTimeout(Duration.ofMinutes(1)));
  }
}
