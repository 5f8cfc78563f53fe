package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.process.ScriptedToolRunner;
import io.migctl.slurm.SlurmdGresReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migctl slurm check} on the simulated node, with {@code slurmd -G}, {@code scontrol} and
 * {@code squeue} answered by a scripted runner from the files {@code slurm gres -o} wrote.
 */
class SlurmCheckCommandTest {

  private static final String SPEC = "a100-40gb:2";

  /** The slurmd the command runs with PATH=/nowhere: Debian's, else just its name. */
  private static final String SLURMD = SlurmdGresReader.locate("/nowhere");

  @TempDir Path home;
  @TempDir Path work;
  private Path etc;
  private Path conf;
  private final ScriptedToolRunner tools = new ScriptedToolRunner();

  @BeforeEach
  void filesFromTheLiveLayout() throws Exception {
    Invocations migctl = new Invocations(home, SPEC);
    SlurmCommandTest.applyHalves(migctl, work);
    etc = work.resolve("etc-slurm");
    Invocations.Result gres = migctl.run("slurm", "gres", "--node", "n1", "-o", etc.toString());
    assertThat(gres.code()).as(gres.err()).isZero();
    conf = etc.resolve("slurm.conf");
    Files.writeString(conf, "Include " + etc.resolve("gres-node.conf") + "\n");
    tools.when("mknod");
    tools.when("squeue");
  }

  /** slurmd -G answers with the records of {@code gresConfLines}, as Slurm 22.05 prints them. */
  private void slurmdReads(List<String> gresConfLines) {
    tools
        .when(SLURMD, "-G")
        .prints(
            gresConfLines.stream()
                .map(
                    l ->
                        l.replaceFirst(
                                "^Name=gpu Type=(\\S+) MultipleFiles=(\\S+)$",
                                "slurmd-n1: Gres Name=gpu Type=$1 Count=1 Index=1 ID=7696487"
                                    + " File=$2 (null)")
                            + "\n")
                .collect(Collectors.joining()));
  }

  private List<String> gresConf() throws Exception {
    return Files.readAllLines(etc.resolve("gres.conf")).stream()
        .filter(l -> !l.startsWith("#"))
        .toList();
  }

  private void controllerHas(String gres) {
    tools
        .when("scontrol", "-d", "show", "node", "-o", "n1")
        .prints("NodeName=n1 Arch=x86_64 CPUTot=8 Gres=" + gres + " GresDrain=N/A State=IDLE\n");
  }

  /** {@code slurm check --node n1 --conf <conf> args} with the scripted tools. */
  private Invocations.Result check(String... args) {
    Map<String, String> env =
        Map.of("MIGCTL_SIMULATE", SPEC, "MIGCTL_HOME", home.toString(), "PATH", "/nowhere");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      List<String> argv =
          new java.util.ArrayList<>(
              List.of("slurm", "check", "--node", "n1", "--conf", conf.toString()));
      argv.addAll(List.of(args));
      code =
          Main.execute(
              Main.commandLine(new CliContext(env, home), tools, o, e),
              argv.toArray(String[]::new));
    }
    return new Invocations.Result(code, out.toString(), err.toString());
  }

  @Test
  void filesOfTheLiveLayoutAgreeAndTheCheckExitsZero() throws Exception {
    slurmdReads(gresConf());
    controllerHas("gpu:3g.20gb:4");

    Invocations.Result r = check("--map", etc.resolve("gres-map.tsv").toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Slurm node n1 agrees with its GPUs: 4 Slurm GPUs (gpu:3g.20gb:4), each in gres.conf"
                + " once, with its type.\n");
    assertThat(tools.argvs()).contains(List.of(SLURMD, "-G", "-f", conf.toString(), "-N", "n1"));
    assertThat(tools.calls())
        .filteredOn(c -> c.argv().getFirst().equals("scontrol"))
        .allSatisfy(c -> assertThat(c.environment()).containsEntry("SLURM_CONF", conf.toString()));
  }

  @Test
  void aSliceMissingFromGresConfIsSaidLoudlyFirstAndTheCheckExitsOne() throws Exception {
    List<String> lines = gresConf();
    slurmdReads(lines.subList(1, lines.size()));
    controllerHas("gpu:3g.20gb:4");

    Invocations.Result r = check();

    assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
    List<String> out = r.out().lines().toList();
    assertThat(out.getFirst()).isEqualTo("Slurm node n1 differs from its GPUs (2 findings):");
    assertThat(out.get(1))
        .startsWith("CRITICAL  MIG-")
        .contains("is NOT PROTECTED", "any job on node n1 can open it");
    assertThat(out.get(2)).startsWith("ERROR     Slurm's controller has gpu:3g.20gb:4");
  }

  @Test
  void jsonListsTheFindingsWithSeverityAndKind() throws Exception {
    List<String> lines = gresConf();
    slurmdReads(lines.subList(1, lines.size()));
    controllerHas("gpu:3g.20gb:3");

    Invocations.Result r = check("--json");

    assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
    JsonNode json = r.json();
    assertThat(json.get("agrees").asBoolean()).isFalse();
    assertThat(json.get("controllerGres").asText()).isEqualTo("gpu:3g.20gb:3");
    // slurmd reads 3 of the 4 slices, as the controller counts, but the GPUs have 4.
    assertThat(json.get("findings")).hasSize(2);
    assertThat(json.get("findings").get(1).get("kind").asText()).isEqualTo("count-mismatch");
    JsonNode f = json.get("findings").get(0);
    assertThat(f.get("severity").asText()).isEqualTo("critical");
    assertThat(f.get("kind").asText()).isEqualTo("not-protected");
    assertThat(f.get("device").asText()).startsWith("MIG-");
  }

  @Test
  void theConfComesFromSlurmConfAndAMissingOneIsBadInput() {
    Invocations migctl =
        new Invocations(home, Map.of("MIGCTL_SIMULATE", SPEC, "SLURM_CONF", "/nowhere/slurm.conf"));

    Invocations.Result r = migctl.run("slurm", "check", "--node", "n1");

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .contains("SLURM_CONF /nowhere/slurm.conf is not a file", "--conf FILE")
        .doesNotContain("Exception");
  }

  @Test
  void aMissingMapIsBadInput() {
    Invocations.Result r = check("--map", work.resolve("no-map.tsv").toString());

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("cannot read the GPU map", "migctl slurm gres -o DIR");
  }

  @Test
  void slurmThatCannotBeAskedFailsWithAClearMessage() {
    Invocations.Result r = check();

    assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.err())
        .startsWith("migctl: could not read the node's GPUs with slurmd -G")
        .contains("apt-get install slurmd")
        .doesNotContain("internal error");
  }
}
