package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.Placement;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar run as a separate process: it starts, and it shares the simulated node's state
 * with this JVM through {@code $MIGCTL_HOME}.
 */
class SecondProcessIT {

  private static final String SPEC = "a100-40gb:2,h100-80gb:1";
  private static final Path JAR = Path.of("target/migctl.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path logs;

  private SimulatedMigDriver driver;
  private int runs;

  record Outcome(int code, String out, String err) {}

  @BeforeEach
  void setUp() {
    assertThat(JAR).as("the shaded jar (built by 'package')").isRegularFile();
    driver = SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(SPEC), home.resolve("sim"));
  }

  private Outcome migctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    runs++;
    Path out = logs.resolve("out-" + runs + ".txt");
    Path err = logs.resolve("err-" + runs + ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.remove("MIGCTL_SIMULATE");
    env.remove("XDG_DATA_HOME");
    env.put("MIGCTL_HOME", home.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    assertThat(ended).as("migctl %s ended within 60 s", List.of(args)).isTrue();
    return new Outcome(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<JsonNode> elements(JsonNode array) {
    assertThat(array.isArray()).as("%s is an array", array).isTrue();
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  @Test
  void helpRunsFromTheJar() throws Exception {
    Outcome r = migctl("--help");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Usage: migctl", "gpus", "profiles", "sim");
  }

  @Test
  void versionComesFromTheJarManifest() throws Exception {
    Outcome r = migctl("--version");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("migctl ").doesNotContain("development build");
  }

  @Test
  void secondProcessSeesInstancesMadeHere() throws Exception {
    GpuInstance big = driver.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
    ComputeInstance bigCi = driver.createComputeInstance(0, big.id(), 2, Optional.empty());
    GpuInstance small = driver.createGpuInstance(0, 19, Optional.of(new Placement(0, 1)));
    ComputeInstance smallCi = driver.createComputeInstance(0, small.id(), 0, Optional.empty());
    GpuInstance whole = driver.createGpuInstance(2, 0, Optional.empty());
    ComputeInstance wholeCi = driver.createComputeInstance(2, whole.id(), 4, Optional.empty());
    driver.hold(bigCi.uuid(), 4242);

    Outcome r = migctl("--simulate", SPEC, "gpus", "--json");

    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> gpus = elements(JSON.readTree(r.out()));
    assertThat(gpus).hasSize(3);
    assertThat(gpus.stream().map(g -> g.get("uuid").asText()).toList())
        .isEqualTo(driver.gpus().stream().map(g -> g.uuid()).toList());
    assertThat(gpus.stream().map(g -> g.get("model").asText()).toList())
        .containsExactly("A100-SXM4-40GB", "A100-SXM4-40GB", "H100 80GB HBM3");

    for (int gpu = 0; gpu < 3; gpu++) {
      List<Long> heldHere = driver.processes(gpu).stream().map(DeviceProcess::pid).toList();
      List<String> busyUuids =
          driver.processes(gpu).stream().map(DeviceProcess::deviceUuid).toList();
      List<JsonNode> instances = elements(gpus.get(gpu).get("instances"));
      List<Long> heldThere = new ArrayList<>();
      for (JsonNode inst : instances) {
        boolean busy = inst.get("busy").asBoolean();
        assertThat(busy)
            .as(inst.toString())
            .isEqualTo(busyUuids.contains(inst.get("uuid").asText()));
        inst.get("pids").forEach(pid -> heldThere.add(pid.asLong()));
      }
      assertThat(heldThere).as("GPU %d", gpu).containsExactlyInAnyOrderElementsOf(heldHere);
    }

    List<JsonNode> gpu0 = elements(gpus.get(0).get("instances"));
    assertThat(gpu0.stream().map(i -> i.get("uuid").asText()).toList())
        .containsExactly(smallCi.uuid(), bigCi.uuid());
    assertThat(gpu0.stream().map(i -> i.get("busy").asBoolean()).toList())
        .containsExactly(false, true);
    assertThat(elements(gpus.get(1).get("instances"))).isEmpty();
    List<JsonNode> gpu2 = elements(gpus.get(2).get("instances"));
    assertThat(gpu2).hasSize(1);
    assertThat(gpu2.getFirst().get("uuid").asText()).isEqualTo(wholeCi.uuid());
    assertThat(gpu2.getFirst().get("profile").asText()).isEqualTo("7g.80gb");
  }

  @Test
  void holdInASecondProcessIsSeenHere() throws Exception {
    GpuInstance gi = driver.createGpuInstance(1, 14, Optional.of(new Placement(2, 2)));
    ComputeInstance ci = driver.createComputeInstance(1, gi.id(), 1, Optional.empty());
    assertThat(driver.processes(1)).isEmpty();

    Outcome r = migctl("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "99");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(driver.processes(1)).containsExactly(new DeviceProcess(99, ci.uuid(), 0));
    assertThat(driver.processes(0)).isEmpty();

    Outcome after = migctl("--simulate", SPEC, "gpus", "--json");
    JsonNode inst =
        elements(elements(JSON.readTree(after.out())).get(1).get("instances")).getFirst();
    assertThat(inst.get("uuid").asText()).isEqualTo(ci.uuid());
    assertThat(inst.get("busy").asBoolean()).isTrue();
  }

  @Test
  void invalidInputExitsTwoFromTheJar() throws Exception {
    Outcome r = migctl("--simulate", "a100-41gb:1", "gpus");

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("a100-41gb");
  }
}
