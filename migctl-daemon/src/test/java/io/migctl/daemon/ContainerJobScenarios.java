package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.mig.CapMinors;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs with an image in a real container engine (a private one, which each subclass starts): the
 * container holds only its own MIG device's nodes, its output reaches the job's log, and cancelling
 * it, or killing its client, leaves no container behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerJobScenarios {

  private PrivateEngine engine;
  private Path home;

  /** Starts the engine the jobs run in, once for the class. */
  abstract PrivateEngine start() throws Exception;

  @BeforeAll
  void startEngine() throws Exception {
    engine = start();
  }

  @AfterAll
  void stopEngine() throws IOException {
    if (engine != null) {
      engine.close();
    }
  }

  /** A home of each test's own (a field would be one for the class). */
  @BeforeEach
  void home(@TempDir Path dir) {
    home = dir;
  }

  /** Two 3g.20gb on GPU 0 and one on GPU 1: other instances' nodes exist beside the job's. */
  private static SimulatedMigDriver node() {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    RuntimeScenario.create(sim, 0, "3g.20gb", 0);
    RuntimeScenario.create(sim, 0, "3g.20gb", 4);
    RuntimeScenario.create(sim, 1, "3g.20gb", 0);
    return sim;
  }

  private TestDaemon daemon(SimulatedMigDriver sim) throws Exception {
    return daemon(sim, UnaryOperator.identity());
  }

  private TestDaemon daemon(SimulatedMigDriver sim, UnaryOperator<NodeDaemon.Options> more)
      throws Exception {
    UnaryOperator<NodeDaemon.Options> options = o -> more.apply(o).withContainers(engine.options());
    return new TestDaemon(home, sim, options);
  }

  @Test
  void theContainerHoldsOnlyItsOwnDeviceNodesAndItsOutputReachesTheLog() throws Exception {
    try (TestDaemon d = daemon(node())) {
      long id =
          d.submit(
              Map.of(
                  "name",
                  "inside",
                  "image",
                  PrivateEngine.IMAGE,
                  "gpu",
                  "3g.20gb",
                  "command",
                  List.of(
                      "sh",
                      "-c",
                      "ls /dev | grep nvidia; ls /dev/nvidia-caps; echo visible=$NVIDIA_VISIBLE_DEVICES")));
      d.awaitState(id, "succeeded");

      JsonNode job = d.get("/api/v1/jobs/" + id).json();
      int gpu = job.get("device").get("gpu").asInt();
      int gi = job.get("device").get("gpuInstanceId").asInt();
      CapMinors minors = CapMinors.nvidia();
      List<String> out =
          Files.readAllLines(
              d.daemon().jobs().attemptDir(d.daemon().jobs().require(id)).resolve("stdout.log"));
      assertThat(out)
          .containsExactlyInAnyOrder(
              "nvidia" + gpu,
              "nvidia-caps",
              "nvidia-uvm",
              "nvidia-uvm-tools",
              "nvidiactl",
              "nvidia-cap" + minors.gpuInstance(gpu, gi).getAsInt(),
              "nvidia-cap" + minors.computeInstance(gpu, gi, 0).getAsInt(),
              "visible=" + job.get("device").get("uuid").asText());
      assertThat(job.get("image").asText()).isEqualTo(PrivateEngine.IMAGE);
      TestDaemon.await(
          "the container to be removed",
          Duration.ofSeconds(30),
          () -> engine.containers().isEmpty());
    }
  }

  @Test
  void aContainerWithTwoDevicesHoldsTheNodesOfBothAndSeesBothUuids() throws Exception {
    try (TestDaemon d = daemon(node())) {
      long id =
          d.submit(
              Map.of(
                  "name",
                  "pair",
                  "image",
                  PrivateEngine.IMAGE,
                  "gpu",
                  "3g.20gb",
                  "count",
                  2,
                  "command",
                  List.of(
                      "sh", "-c", "ls /dev/nvidia-caps; echo visible=$NVIDIA_VISIBLE_DEVICES")));
      d.awaitState(id, "succeeded");

      JsonNode devices = d.get("/api/v1/jobs/" + id).json().get("devices");
      CapMinors minors = CapMinors.nvidia();
      List<String> want = new java.util.ArrayList<>();
      List<String> uuids = new java.util.ArrayList<>();
      for (JsonNode dev : devices) {
        int gpu = dev.get("gpu").asInt();
        int gi = dev.get("gpuInstanceId").asInt();
        want.add("nvidia-cap" + minors.gpuInstance(gpu, gi).getAsInt());
        want.add("nvidia-cap" + minors.computeInstance(gpu, gi, 0).getAsInt());
        uuids.add(dev.get("uuid").asText());
      }
      want.add("visible=" + String.join(",", uuids));
      List<String> out =
          Files.readAllLines(
              d.daemon().jobs().attemptDir(d.daemon().jobs().require(id)).resolve("stdout.log"));
      assertThat(uuids).hasSize(2).doesNotHaveDuplicates();
      assertThat(out).containsExactlyInAnyOrderElementsOf(want);
    }
  }

  @Test
  void cancellingStopsTheContainerAndLeavesNoneBehind() throws Exception {
    try (TestDaemon d = daemon(node())) {
      long id =
          d.submit(
              Map.of(
                  "name",
                  "sleeper",
                  "image",
                  PrivateEngine.IMAGE,
                  "command",
                  List.of("sleep", "600")));
      TestDaemon.await(
          "the container to run",
          Duration.ofSeconds(60),
          () -> engine.containers().contains("migctl-" + id + "-1"));

      assertThat(d.post("/api/v1/jobs/" + id + "/cancel", "{}").status()).isEqualTo(200);
      d.awaitState(id, "cancelled");
      TestDaemon.await(
          "no container to be left", Duration.ofSeconds(30), () -> engine.containers().isEmpty());
    }
  }

  @Test
  void aContainerThatIgnoresSigtermIsRemovedWhenItsClientIsKilled() throws Exception {
    try (TestDaemon d = daemon(node(), o -> o.withKillGrace(Duration.ofMillis(500)))) {
      long id =
          d.submit(
              Map.of(
                  "name",
                  "stubborn",
                  "image",
                  PrivateEngine.IMAGE,
                  "command",
                  List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")));
      TestDaemon.await(
          "the container to run",
          Duration.ofSeconds(60),
          () -> engine.run("logs", "migctl-" + id + "-1").orElse("").contains("ready"));

      d.post("/api/v1/jobs/" + id + "/cancel", "{}");
      d.awaitState(id, "cancelled");
      TestDaemon.await(
          "no container to be left", Duration.ofSeconds(30), () -> engine.containers().isEmpty());
    }
  }
}
