package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.SystemToolRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit --env FILE} against a daemon with another home, as a remote daemon has: the spec is
 * built in the daemon's home, through the API, and the job runs in it. Real venv builds.
 */
class SubmitEnvFileIT {

  @TempDir Path daemonHome;
  @TempDir Path clientHome;
  @TempDir Path work;

  private NodeDaemon daemon;
  private Invocations client;
  private EnvironmentStore daemonStore;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(
            SimulatedNodeSpec.parse("a100-40gb:1"), daemonHome.resolve("sim"));
    daemonStore = EnvCommand.storeAt(new MigctlHome(daemonHome), new SystemToolRunner());
    daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(daemonHome), env).withPort(0),
            GpuNode.simulated(sim));
    Map<String, String> clientEnv = new HashMap<>(env);
    clientEnv.put("MIGCTL_URL", daemon.url().toString());
    clientEnv.put("MIGCTL_TOKEN", Files.readString(daemonHome.resolve("token")).strip());
    // venv, whatever conda the machine has: the client's PATH is not the daemon's.
    clientEnv.put("MIGCTL_SIMULATE", "a100-40gb:1");
    client = new Invocations(clientHome, clientEnv);
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void theSpecIsBuiltInTheDaemonsHomeAndTheJobRunsInIt() throws Exception {
    Path spec = work.resolve("environment.yml");
    Files.writeString(
        spec, "name: remote-env\ndependencies:\n  - python\nvariables:\n  FROM_SPEC: \"yes\"\n");

    Invocations.Result submitted =
        client.run(
            "submit",
            "--env",
            spec.toString(),
            "--json",
            "--workdir",
            work.toString(),
            "--",
            "sh",
            "-c",
            "echo \"$FROM_SPEC $VIRTUAL_ENV\"");

    assertThat(submitted.code()).as(submitted.err()).isZero();
    JsonNode job = submitted.json();
    String build = job.get("environmentBuild").asText();
    EnvironmentBuild built = daemonStore.find(build).orElseThrow();
    assertThat(built.names()).containsExactly("remote-env");
    assertThat(clientHome.resolve("envs")).doesNotExist();
    long id = job.get("id").asLong();
    await(
        () ->
            client
                .run("job", Long.toString(id), "--json")
                .json()
                .get("state")
                .asText()
                .equals("succeeded"));
    assertThat(client.run("logs", Long.toString(id)).out())
        .isEqualTo("yes " + built.prefix() + "\n");

    // The same file again is found, not built again, and submit --env NAME still works.
    Invocations.Result again =
        client.run("submit", "--env", spec.toString(), "--json", "--", "true");
    assertThat(again.json().get("environmentBuild").asText()).isEqualTo(build);
    Invocations.Result byName = client.run("submit", "--env", "remote-env", "--json", "--", "true");
    assertThat(byName.code()).as(byName.err()).isZero();
    assertThat(byName.json().get("environmentBuild").asText()).isEqualTo(build);
    // Both run to the end before the homes are removed: a supervisor outlives the daemon.
    for (Invocations.Result r : List.of(again, byName)) {
      String other = Long.toString(r.json().get("id").asLong());
      await(
          () ->
              client.run("job", other, "--json").json().get("state").asText().equals("succeeded"));
    }
  }

  @Test
  void aBadSpecIsRefusedWithTheParsersMessageAndExit2() throws Exception {
    Path spec = work.resolve("bad.yml");
    Files.writeString(spec, "dependencies:\n  - numpy >=>1\n");

    Invocations.Result r = client.run("submit", "--env", spec.toString(), "--", "true");

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("bad.yml").contains("numpy >=>1").doesNotContain("Exception");
    assertThat(daemonHome.resolve("envs"))
        .satisfiesAnyOf(
            d -> assertThat(d).doesNotExist(), d -> assertThat(daemonStore.list()).isEmpty());
    assertThat(client.run("jobs", "--json").json().size()).isZero();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition within 60 s").isBefore(deadline);
      Thread.sleep(100);
    }
  }
}
