package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl dmon} reads a running daemon's telemetry (its HTTP API) before the driver. */
class DmonIT {

  private static final String SPEC = "a100-40gb:1,h100-80gb:1";

  @TempDir Path home;
  @TempDir Path work;

  private NodeDaemon daemon;
  private Invocations migctl;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", SPEC);
    env.put("MIGCTL_NVML_LIBRARY", home.resolve("no-nvml/libnvidia-ml.so.1").toString());
    Invocations setup = new Invocations(home, env);
    Files.writeString(
        work.resolve("layout.yaml"),
        "version: v1\nmig-configs:\n  c:\n    - devices: [0]\n      mig-enabled: true\n"
            + "      mig-devices: {\"3g.20gb\": 1}\n    - devices: [1]\n      mig-enabled: true\n"
            + "      mig-devices: {\"1g.10gb\": 2}\n");
    Invocations.Result applied =
        setup.run("mig", "apply", "-f", work.resolve("layout.yaml").toString());
    assertThat(applied.code()).as(applied.err()).isZero();
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(
            SimulatedNodeSpec.parse(SPEC), new MigctlHome(home).simulatedNode());
    daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(home), env)
                .withPort(0)
                .withKillGrace(Duration.ofSeconds(1)),
            GpuNode.simulated(sim));
    // The command's own node would be another one: only the daemon knows the H100.
    env.remove("MIGCTL_SIMULATE");
    migctl = new Invocations(home, env);
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void readsTheDaemonsNodeWithARowPerMigDevice() throws Exception {
    Invocations.Result r = migctl.run("dmon", "-c", "1", "--json");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode sample = new ObjectMapper().readTree(r.out().strip());
    assertThat(sample.get("source").asText()).isEqualTo("daemon");
    assertThat(r.err()).as("no driver was opened").isEmpty();
    assertThat(sample.get("simulated").asBoolean()).isTrue();
    List<String> devices = new ArrayList<>();
    sample.get("rows").forEach(row -> devices.add(row.get("gpu").asText()));
    assertThat(devices).hasSize(5);
    assertThat(devices).filteredOn(d -> d.startsWith("0/")).hasSize(1);
    assertThat(devices).filteredOn(d -> d.startsWith("1/")).hasSize(2);
    JsonNode gpu0 = sample.get("rows").get(0).get("values");
    assertThat(gpu0.get("pwr").isNumber()).as("%s", gpu0).isTrue();
    assertThat(gpu0.get("pclk").isNumber()).as("%s", gpu0).isTrue();
  }

  @Test
  void printsNvidiaSmisHeaderOverTheDaemonsRows() {
    Invocations.Result r = migctl.run("dmon", "-c", "1", "-s", "pucvmet", "-o", "DT");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().map(String::stripTrailing).toList();
    assertThat(lines.subList(0, 2))
        .isEqualTo(DmonViewTest.recorded("pucvmet_DT.txt").subList(0, 2));
    assertThat(lines).hasSize(2 + 5);
  }
}
