package io.migctl.cli;

import static io.migctl.cli.JobCliIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * Whole GPUs and several MIG devices per job (issue 20), end to end: {@code submit --gpus} and
 * {@code --count} against a daemon on a simulated mixed node, GPUs 0–1 sliced and 2–3 with MIG off.
 */
class GpuJobsCliIT {

  private static final String NODE = "a100-40gb:2,a100-40gb:2:mig-off";

  /** Prints the devices it sees, then waits for its gate file ($0). */
  private static final String GATED =
      "echo \"cuda=$CUDA_VISIBLE_DEVICES nvidia=$NVIDIA_VISIBLE_DEVICES\";"
          + " while [ ! -e \"$0\" ]; do sleep 0.05; done";

  @TempDir Path home;
  @TempDir Path work;

  private final Map<String, String> env = new HashMap<>();
  private NodeDaemon daemon;
  private Invocations migctl;

  @BeforeEach
  void start() throws Exception {
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", NODE);
    migctl = new Invocations(home, env);
    Files.writeString(
        work.resolve("layout.yaml"),
        "version: v1\nmig-configs:\n  sliced:\n    - devices: [0, 1]\n      mig-enabled: true\n"
            + "      mig-devices: {\"1g.5gb\": 7}\n");
    Invocations.Result applied =
        migctl.run("mig", "apply", "-f", work.resolve("layout.yaml").toString());
    assertThat(applied.code()).as(applied.err()).isZero();
    daemon = startDaemon();
  }

  private NodeDaemon startDaemon() {
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(
            SimulatedNodeSpec.parse(NODE), new MigctlHome(home).simulatedNode());
    return DaemonAssembly.start(
        NodeDaemon.Options.defaults(new MigctlHome(home), env)
            .withPort(0)
            .withKillGrace(Duration.ofSeconds(1)),
        GpuNode.simulated(sim));
  }

  @AfterEach
  void stop() {
    for (JsonNode j : migctl.run("jobs", "--json").json()) {
      String state = j.get("state").asText();
      if (state.equals("queued") || state.equals("running") || state.equals("starting")) {
        migctl.run("cancel", j.get("id").asText());
      }
    }
    daemon.close();
  }

  @Test
  void aGangJobGetsTheWholeGpusASecondWaitsAndSlicesKeepRunning() throws Exception {
    long slice1 = submit("--gpu", "1g.5gb", "--", "sleep", "600");
    long slice2 = submit("--gpu", "1g.5gb", "--", "sleep", "600");
    Path gate = work.resolve("gate");
    long gang =
        submit("--gpus", "2", "--gpu-model", "a100-40gb", "--", "sh", "-c", GATED, gate.toString());
    awaitState(gang, "running");
    long second = submit("--gpus", "2", "--", "true");

    JsonNode job = job(gang);
    List<String> uuids = new ArrayList<>();
    List<Integer> gpus = new ArrayList<>();
    for (JsonNode d : job.get("devices")) {
      uuids.add(d.get("uuid").asText());
      gpus.add(d.get("gpu").asInt());
    }
    assertThat(gpus).containsExactly(2, 3);
    assertThat(uuids).hasSize(2).allMatch(u -> u.startsWith("GPU-"));
    String list = String.join(",", uuids);
    await(() -> migctl.run("logs", Long.toString(gang)).out().contains("cuda="));
    assertThat(migctl.run("logs", Long.toString(gang)).out())
        .isEqualTo("cuda=" + list + " nvidia=" + list + "\n");
    assertThat(migctl.run("jobs").out()).contains("2,3").contains(list);

    await(() -> job(second).hasNonNull("waiting"));
    assertThat(job(second).get("state").asText()).isEqualTo("queued");
    assertThat(job(second).get("waiting").asText()).startsWith("needs 2 whole GPUs, 0 free");
    assertThat(job(second).get("wait").get("kind").asText()).isEqualTo("no-whole-gpus");
    assertThat(job(slice1).get("state").asText()).isEqualTo("running");
    assertThat(job(slice2).get("state").asText()).isEqualTo("running");
    assertThat(List.of(job(slice1).get("device").get("gpu").asInt())).containsAnyOf(0, 1);

    // A restart keeps the devices of the running gang job; it goes on and ends as itself.
    daemon.close();
    daemon = startDaemon();
    JsonNode after = job(gang);
    assertThat(after.get("state").asText()).isEqualTo("running");
    assertThat(after.get("devices")).isEqualTo(job.get("devices"));
    assertThat(job(second).get("state").asText()).isEqualTo("queued");

    Files.createFile(gate);
    awaitState(gang, "succeeded");
    awaitState(second, "succeeded");
    assertThat(job(second).get("devices").findValuesAsText("gpu")).containsExactly("2", "3");
  }

  @Test
  void aJobWithACountSeesThatManyMigDevices() {
    long id =
        submit(
            "--gpu", "1g.5gb", "--count", "3", "--", "sh", "-c", "echo \"$CUDA_VISIBLE_DEVICES\"");
    awaitState(id, "succeeded");
    JsonNode job = job(id);
    List<String> uuids = job.get("devices").findValuesAsText("uuid");
    assertThat(uuids).hasSize(3).doesNotHaveDuplicates().allMatch(u -> u.startsWith("MIG-"));
    assertThat(migctl.run("logs", Long.toString(id)).out())
        .isEqualTo(String.join(",", uuids) + "\n");
  }

  @Test
  void badCombinationsAreExitTwoWithTheFix() {
    Invocations.Result both = migctl.run("submit", "--gpus", "2", "--gpu", "1g.5gb", "--", "true");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("--gpus asks for whole GPUs; leave out --gpu");
    Invocations.Result count = migctl.run("submit", "--count", "3", "--", "true");
    assertThat(count.code()).isEqualTo(2);
    assertThat(count.err()).contains("add --gpu PROFILE or --gpu-memory SIZE");
    Invocations.Result model = migctl.run("submit", "--gpu-model", "a100-40gb", "--", "true");
    assertThat(model.code()).isEqualTo(2);
    assertThat(model.err()).contains("--gpu-model goes with --gpus");
    Invocations.Result tooMany = migctl.run("submit", "--gpus", "5", "--", "true");
    assertThat(tooMany.code()).as(tooMany.out()).isEqualTo(2);
    assertThat(tooMany.err()).contains("this node has 4 such GPUs; ask for at most 4");
    assertThat(migctl.run("jobs", "--json").json()).isEmpty();
  }

  private long submit(String... args) {
    List<String> argv = new ArrayList<>(List.of("submit", "--json", "--workdir", work.toString()));
    argv.addAll(List.of(args));
    Invocations.Result r = migctl.run(argv.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return r.json().get("id").asLong();
  }

  private JsonNode job(long id) {
    return migctl.run("job", Long.toString(id), "--json").json();
  }

  private void awaitState(long id, String state) {
    await(() -> job(id).get("state").asText().equals(state));
  }
}
