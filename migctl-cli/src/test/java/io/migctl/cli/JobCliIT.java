package io.migctl.cli;

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
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(
            SimulatedNodeSpec.parse("a100-40gb:1"), new MigctlHome(home).simulatedNode());
    daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(home), env)
                .withPort(0)
                .withKillGrace(Duration.ofSeconds(1)),
            GpuNode.simulated(sim));
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void anImageThatIsNoImageReferenceIsRefusedWithExitTwo() {
    Invocations.Result r = migctl.run("submit", "--image", "busybox;rm -rf /", "--", "true");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("image", "is not an image reference");
    assertThat(migctl.run("jobs", "--json").json()).isEmpty();
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
  void topOnceShowsTheLayoutTheJobsAndTheQueue() {
    long running =
        migctl
            .run("submit", "--gpu", "1g.5gb", "--name", "trainer", "--json", "--", "sleep", "600")
            .json()
            .get("id")
            .asLong();
    long waiting =
        migctl
            .run("submit", "--gpu", "3g.20gb", "--name", "too-big", "--json", "--", "true")
            .json()
            .get("id")
            .asLong();
    await(
        () ->
            migctl
                .run("job", Long.toString(running), "--json")
                .json()
                .get("state")
                .asText()
                .equals("running"));
    daemon.telemetry().sampleNow();

    Invocations.Result top = migctl.run("top", "--once");
    assertThat(top.code()).as(top.err()).isZero();
    JsonNode gpus = migctl.run("top", "--json").json().get("gpus");
    String uuid =
        migctl
            .run("job", Long.toString(running), "--json")
            .json()
            .get("device")
            .get("uuid")
            .asText();
    assertThat(top.out())
        .contains("GPU 0  NVIDIA A100-SXM4-40GB")
        .contains("[1g.5gb train")
        .contains("trainer #" + running)
        .contains(uuid.substring(0, 12))
        .contains("QUEUE (1)")
        .contains("#" + waiting)
        .contains("no MIG device in the current layout offers");
    // one line per instance of the layout, each at its placement
    for (JsonNode i : gpus.get(0).get("instances")) {
      assertThat(top.out())
          .contains(
              i.get("profile").asText()
                  + "@"
                  + i.get("start").asInt()
                  + ":"
                  + i.get("size").asInt());
    }
    migctl.run("cancel", Long.toString(running));
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

  /** Issue 13.15: submit refuses, with exit 2 and the reason, what could never start. */
  @Test
  void aJobThatCouldNeverStartIsExit2AndStoresNothing() {
    int before = migctl.run("jobs", "--json").json().size();
    Invocations.Result missing =
        migctl.run("submit", "--workdir", work.resolve("missing").toString(), "--", "true");
    assertThat(missing.code()).as(missing.err()).isEqualTo(2);
    assertThat(missing.err()).contains("no such directory").doesNotContain("Exception");
    Invocations.Result tooLong = migctl.run("submit", "--", "echo", "a".repeat(131_072));
    assertThat(tooLong.code()).as(tooLong.err()).isEqualTo(2);
    assertThat(tooLong.err()).contains("command[1]: takes 131073 bytes").contains("MAX_ARG_STRLEN");
    Invocations.Result multiByte = migctl.run("submit", "--", "echo", "é".repeat(70_000));
    assertThat(multiByte.code()).as(multiByte.err()).isEqualTo(2);
    assertThat(multiByte.err()).contains("command[1]: takes 140001 bytes");
    Invocations.Result longVariable =
        migctl.run("submit", "-e", "DATA=" + "x".repeat(131_072), "--", "true");
    assertThat(longVariable.code()).as(longVariable.err()).isEqualTo(2);
    assertThat(longVariable.err()).contains("env.DATA: takes 131078 bytes as NAME=VALUE");
    assertThat(migctl.run("jobs", "--json").json().size()).isEqualTo(before);
  }

  /** Polls until the condition holds, for at most a minute. */
  static void await(BooleanSupplier condition) {
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
