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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code env gc} keeps the builds of jobs not yet finished: it asks the daemon when one runs on the
 * home, and reads the job store when none does. Real venv builds.
 */
class EnvGcIT {

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void keepsTheBuildOfAQueuedJobAskingTheDaemonWhileItRuns() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", "a100-40gb:1");
    Invocations migctl = new Invocations(home, env);
    String old = create(migctl, "A: \"1\"");
    String current = create(migctl, "A: \"2\"");
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse("a100-40gb:1"), home.resolve("sim"));
    NodeDaemon daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(home), env).withPort(0),
            GpuNode.simulated(sim));
    try {
      // MIG is off on the simulated GPU, so the job waits in the queue.
      Invocations.Result queued =
          migctl.run("submit", "--env", old, "--gpu", "1g.5gb", "--json", "--", "true");
      assertThat(queued.code()).as(queued.err()).isZero();

      assertThat(keptBy(migctl)).contains(old, current);

      Map<String, String> wrongToken = new HashMap<>(env);
      wrongToken.put("MIGCTL_TOKEN", "not-the-token");
      Invocations.Result refused = new Invocations(home, wrongToken).run("env", "gc", "--dry-run");
      assertThat(refused.code()).as("the daemon's view is asked for, not its database").isOne();
      assertThat(refused.err()).contains("refused the token");
    } finally {
      daemon.close();
    }

    // No daemon: the job store says the queued job still needs its build.
    assertThat(keptBy(migctl)).contains(old, current);
    Invocations.Result removed = migctl.run("env", "gc", "--json");
    assertThat(removed.code()).as(removed.err()).isZero();
    assertThat(removed.json().get("removed")).isEmpty();
  }

  private String create(Invocations migctl, String variable) throws Exception {
    Path spec = work.resolve("spec.yml");
    Files.writeString(spec, "dependencies:\n  - python\nvariables:\n  " + variable + "\n");
    Invocations.Result r =
        migctl.run(
            "env", "create", "-f", spec.toString(), "--backend", "venv", "--name", "w", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    return r.json().get("build").get("id").asText();
  }

  private static List<String> keptBy(Invocations migctl) {
    Invocations.Result r = migctl.run("env", "gc", "--dry-run", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> kept = new ArrayList<>();
    for (JsonNode id : r.json().get("kept")) {
      kept.add(id.asText());
    }
    assertThat(r.json().get("removed")).isEmpty();
    return kept;
  }
}
