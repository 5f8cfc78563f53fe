package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.job.Scheduler;
import io.migctl.node.daemon.NodeDaemon;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** submit, jobs, job, logs, cancel against a daemon on the simulated node. */
class JobCliIT {

  @TempDir Path home;
  @TempDir Path work;

  private NodeDaemon daemon;
  private Invocations migctl;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", "a100-40gb:1");
    migctl = new Invocations(home, env);
    Files.writeString(
        work.resolve("layout.yaml"),
        "version: v1\nmig-configs:\n  two:\n    - devices: all\n      mig-enabled: true\n"
            + "      mig-devices: {\"1g.5gb\": 2}\n");
    assertThat(migctl.run("mig", "apply", "-f", work.resolve("layout.yaml").toString()).code())
        .isZero();
    daemon =
        NodeDaemon.start(
            new NodeDaemon.Options(
                home, "127.0.0.1", 0, Duration.ofSeconds(1), Scheduler.Policy.DEFAULT, "test", env),
            SimulatedMigDriver.persistent(
                SimulatedNodeSpec.parse("a100-40gb:1"), home.resolve("sim")),
            EnvCommand.storeAt(home),
            Clock.systemUTC(),
            app -> {});
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void submitListFollowAndCancel() {
    Invocations.Result submitted =
        migctl.run(
            "submit",
            "--gpu",
            "1g.5gb",
            "--name",
            "hello",
            "--json",
            "--workdir",
            work.toString(),
            "--",
            "sh",
            "-c",
            "echo \"on $CUDA_VISIBLE_DEVICES\"; echo 'a; b $(c)'");
    assertThat(submitted.code()).as(submitted.err()).isZero();
    long id = submitted.json().get("id").asLong();

    await(
        () ->
            migctl
                .run("job", Long.toString(id), "--json")
                .json()
                .get("state")
                .asText()
                .equals("succeeded"));
    JsonNode job = migctl.run("job", Long.toString(id), "--json").json();
    String uuid = job.get("device").get("uuid").asText();
    assertThat(job.get("events").size()).isGreaterThanOrEqualTo(4);

    Invocations.Result logs = migctl.run("logs", Long.toString(id), "-f");
    assertThat(logs.code()).isZero();
    assertThat(logs.out()).isEqualTo("on " + uuid + "\na; b $(c)\n");

    Invocations.Result table = migctl.run("jobs");
    assertThat(table.out()).contains("hello").contains("succeeded").contains("1g.5gb");
    assertThat(migctl.run("jobs", "--state", "running", "--json").json().size()).isZero();

    Invocations.Result long_ =
        migctl.run("submit", "--gpu", "1g.5gb", "--json", "--", "sleep", "600");
    long sleeper = long_.json().get("id").asLong();
    await(
        () ->
            migctl
                .run("job", Long.toString(sleeper), "--json")
                .json()
                .get("state")
                .asText()
                .equals("running"));
    Invocations.Result cancel = migctl.run("cancel", Long.toString(sleeper));
    assertThat(cancel.code()).as(cancel.err()).isZero();
    await(
        () ->
            migctl
                .run("job", Long.toString(sleeper), "--json")
                .json()
                .get("state")
                .asText()
                .equals("cancelled"));
    assertThat(migctl.run("job", Long.toString(sleeper), "--json").json().get("exitStatus").asInt())
        .isEqualTo(143);
    Invocations.Result again = migctl.run("cancel", Long.toString(sleeper));
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("nothing to cancel");
  }

  @Test
  void badInputIsExit2AndNoDaemonIsExit3() {
    Invocations.Result unknown = migctl.run("submit", "--gpu", "9g.99gb", "--", "true");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("no GPU on this node offers profile 9g.99gb");
    assertThat(migctl.run("job", "424242").code()).isEqualTo(2);

    Map<String, String> env = new HashMap<>();
    env.put("MIGCTL_URL", "http://127.0.0.1:1");
    Invocations.Result unreachable = new Invocations(home, env).run("jobs");
    assertThat(unreachable.code()).isEqualTo(3);
    assertThat(unreachable.err())
        .contains("cannot reach the migctl daemon")
        .contains("migctl serve");
  }

  private static void await(BooleanSupplier condition) {
    Instant end = Instant.now().plusSeconds(60);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waited too long").isBefore(end);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
