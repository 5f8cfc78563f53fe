package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl slurm …} on the simulated node. */
class SlurmCommandTest {

  @TempDir Path home;
  @TempDir Path work;
  private Invocations migctl;

  @BeforeEach
  void halves() throws Exception {
    migctl = new Invocations(home, "a100-40gb:2");
    applyHalves(migctl, work);
  }

  /** Applies two 3g.20gb slices on every GPU, the layout file written into {@code work}. */
  static void applyHalves(Invocations migctl, Path work) throws IOException {
    Files.writeString(
        work.resolve("layout.yaml"),
        "version: v1\nmig-configs:\n  halves:\n    - devices: all\n      mig-enabled: true\n"
            + "      mig-devices: {\"3g.20gb\": 2}\n");
    assertThat(migctl.run("mig", "apply", "-f", work.resolve("layout.yaml").toString()).code())
        .isZero();
  }

  @Test
  void gresPrintsGresConfWithOneLinePerMigDevice() {
    Invocations.Result r = migctl.run("slurm", "gres", "--node", "n1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> !l.startsWith("#")))
        .hasSize(4)
        .allMatch(l -> l.matches("Name=gpu Type=3g\\.20gb MultipleFiles=\\S+nvidia\\d,\\S+,\\S+"));
  }

  @Test
  void gresWritesTheThreeFilesAndDescribesThemInJson() throws Exception {
    Path dir = work.resolve("etc-slurm");

    Invocations.Result r =
        migctl.run(
            "slurm",
            "gres",
            "--node",
            "n1",
            "--types",
            "autodetect",
            "-o",
            dir.toString(),
            "--json");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("types").asText()).isEqualTo("autodetect");
    assertThat(json.get("devices")).hasSize(4);
    assertThat(json.get("devices").get(3).get("index").asInt()).isEqualTo(3);
    assertThat(json.get("devices").get(3).get("uuid").asText()).startsWith("MIG-");
    assertThat(Files.readString(dir.resolve("gres-node.conf")))
        .isEqualTo("NodeName=n1 Gres=gpu:nvidia_a100_3g.20gb:4\n");
    assertThat(Files.readAllLines(dir.resolve("gres-map.tsv"))).hasSize(5);
    assertThat(Files.readString(dir.resolve("gres.conf"))).contains("Type=nvidia_a100_3g.20gb");
    assertThat(json.get("files").get("map").asText())
        .isEqualTo(dir.resolve("gres-map.tsv").toString());
  }

  @Test
  void gresRefusesANodeNameSlurmCannotTake() {
    Invocations.Result r = migctl.run("slurm", "gres", "--node", "n1 Gres=x");

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("is not a host name").doesNotContain("Exception");
  }

  @Test
  void taskPrologWritesAnExecutableShScriptWithTheMapBakedIn() throws Exception {
    Path file = work.resolve("task-prolog.sh");

    Invocations.Result r =
        migctl.run("slurm", "task-prolog", "--map", "/srv/slurm/map.tsv", "-o", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.isExecutable(file)).isTrue();
    assertThat(Files.readString(file))
        .startsWith("#!/bin/sh\n")
        .contains("map='/srv/slurm/map.tsv'")
        .contains("SLURM_STEP_GPUS");
  }

  @Test
  void scriptsRefuseRelativePathsAndPrologNeedsTheDcgmFolder() {
    Invocations.Result relative = migctl.run("slurm", "task-prolog", "--map", "map.tsv");
    assertThat(relative.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(relative.err()).contains("--map map.tsv is relative");

    Invocations.Result missing = migctl.run("slurm", "prolog");
    assertThat(missing.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(missing.err()).contains("--dcgm-job-mapping-dir");

    Invocations.Result epilog =
        migctl.run("slurm", "epilog", "--dcgm-job-mapping-dir", "/run/dcgm");
    assertThat(epilog.code()).as(epilog.err()).isZero();
    assertThat(epilog.out()).contains("dir='/run/dcgm'").contains("rm -f");
  }

  @Test
  void reshapeDryRunPrintsThePlanAndTheStepsAndChangesNothing() throws IOException {
    Files.writeString(
        work.resolve("ones.yaml"),
        "version: v1\nmig-configs:\n  all-1g.5gb:\n    - devices: all\n      mig-enabled: true\n"
            + "      mig-devices: {\"1g.5gb\": 7}\n");

    Invocations.Result r =
        migctl.run(
            "slurm",
            "reshape",
            "-f",
            work.resolve("ones.yaml").toString(),
            "--node",
            "n1",
            "--gres-dir",
            work.resolve("etc").toString(),
            "--dry-run");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("dry run: reshape Slurm node n1 to config \"all-1g.5gb\"")
        .contains("GPU 0: 18 operation(s)")
        .contains("systemctl stop slurmd, systemctl restart slurmctld, systemctl start slurmd")
        .endsWith("dry run: nothing was changed\n");
    assertThat(work.resolve("etc")).doesNotExist();
    assertThat(migctl.run("slurm", "gres", "--node", "n1").out()).contains("Type=3g.20gb");
  }

  @Test
  void reshapeRefusesABadTimeoutOrNoConfigFileBeforeTouchingAnything() {
    Invocations.Result timeout =
        migctl.run(
            "slurm", "reshape", "-f", work.resolve("layout.yaml").toString(), "--timeout", "soon");
    Invocations.Result noFile = migctl.run("slurm", "reshape", "--node", "n1");

    assertThat(timeout.code()).isEqualTo(2);
    assertThat(timeout.err()).contains("--timeout soon").contains("write e.g. 30m or 2h");
    assertThat(noFile.code()).isEqualTo(2);
    assertThat(noFile.err()).contains("no config file: give -f FILE");
  }
}
