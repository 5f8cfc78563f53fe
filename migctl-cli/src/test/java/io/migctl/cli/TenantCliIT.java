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
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl tenant …}, {@code audit} and {@code --token-file} against a daemon. */
class TenantCliIT {

  @TempDir Path home;
  @TempDir Path work;

  private NodeDaemon daemon;
  private Invocations migctl;

  @BeforeEach
  void start() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", "a100-40gb:1");
    migctl = new Invocations(home, env);
    daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(home), env).withPort(0),
            GpuNode.simulated(SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"))));
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void addShowSetListAndRemoveATenant() {
    Invocations.Result added =
        migctl.run(
            "tenant",
            "add",
            "alice",
            "--max-slices",
            "2",
            "--max-gpu-memory",
            "20GiB",
            "--weight",
            "3",
            "--job-cpus",
            "0.5",
            "--user",
            "alice_jobs",
            "--json");
    assertThat(added.code()).as(added.err()).isZero();
    JsonNode a = added.json();
    assertThat(a.get("maxSlices").asInt()).isEqualTo(2);
    assertThat(a.get("maxGpuMemoryMiB").asLong()).isEqualTo(20_480);
    assertThat(a.get("weight").asInt()).isEqualTo(3);
    assertThat(a.get("jobCpus").asDouble()).isEqualTo(0.5);
    assertThat(a.get("user").asText()).isEqualTo("alice_jobs");

    Invocations.Result changed =
        migctl.run(
            "tenant", "set", "alice", "--max-slices", "none", "--max-running", "4", "--json");
    assertThat(changed.code()).as(changed.err()).isZero();
    assertThat(changed.json().hasNonNull("maxSlices")).as("no limit").isFalse();
    assertThat(changed.json().get("maxRunning").asInt()).isEqualTo(4);
    assertThat(changed.json().get("weight").asInt()).as("kept").isEqualTo(3);

    Invocations.Result shown = migctl.run("tenant", "show", "alice");
    assertThat(shown.out()).contains("maxRunning:", "maxGpuMemoryMiB: 20480", "user:");
    Invocations.Result list = migctl.run("tenant", "list");
    assertThat(list.out().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("NAME")
        .contains("MAX-SLICES", "JOB DEFAULTS");
    assertThat(list.out()).contains("alice", "20480MiB", "cpus 0.5");
    assertThat(migctl.run("tenant", "list", "--json").json()).hasSize(1);

    Invocations.Result removed = migctl.run("tenant", "rm", "alice");
    assertThat(removed.code()).as(removed.err()).isZero();
    assertThat(migctl.run("tenant", "list", "--json").json()).isEmpty();
  }

  @Test
  void aTenantsTokenFromAFileActsForThatTenantOnly() throws Exception {
    assertThat(migctl.run("tenant", "add", "alice").code()).isZero();
    Invocations.Result token = migctl.run("tenant", "token", "alice");
    assertThat(token.code()).as(token.err()).isZero();
    assertThat(token.err()).contains("shown only this once");
    Path file = work.resolve("alice.token");
    Files.writeString(file, token.out());

    Invocations.Result submitted =
        migctl.run("--token-file", file.toString(), "submit", "--name", "mine", "--", "true");
    assertThat(submitted.code()).as(submitted.err()).isZero();
    Invocations.Result jobs = migctl.run("jobs", "--token-file", file.toString());
    assertThat(jobs.out()).contains("TENANT", "alice");

    Invocations.Result refused = migctl.run("--token-file", file.toString(), "tenant", "list");
    assertThat(refused.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(refused.err()).contains("only the operator may list tenants");

    Invocations.Result rotated = migctl.run("tenant", "token", "alice", "--rotate", "--json");
    assertThat(rotated.json().get("rotated").asBoolean()).isTrue();
    Invocations.Result stale = migctl.run("--token-file", file.toString(), "jobs");
    assertThat(stale.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(stale.err()).contains("refused the token in " + file, "revoked or rotated");

    JsonNode audit = migctl.run("audit", "--json").json();
    assertThat(audit)
        .extracting(l -> l.get("action").asText())
        .containsExactly("tenant-add", "tenant-token", "submit", "tenant-token");
    assertThat(audit.get(2).get("actor").asText()).isEqualTo("tenant:alice");
    assertThat(migctl.run("audit").out()).startsWith("SEQ").contains("tenant:alice");
  }

  @Test
  void badInputIsExitTwoAndChangesNothing() {
    assertThat(migctl.run("tenant", "add", "alice").code()).isZero();
    String[][] bad = {
      {"tenant", "add", "bob", "--max-slices", "two"},
      {"tenant", "add", "bob", "--weight", "none"},
      {"tenant", "add", "bob", "--job-cpus", "lots"},
      {"tenant", "add", "bad name!"},
      {"tenant", "add", "bob", "--weight", "0"},
      {"tenant", "add", "bob", "--max-gpu-memory", "much"},
      {"tenant", "set", "alice"},
      {"tenant", "show", "nobody"},
      {"--token-file", work.resolve("missing").toString(), "jobs"},
    };
    for (String[] args : bad) {
      Invocations.Result r = migctl.run(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.err())
          .as(String.join(" ", args))
          .startsWith("migctl: ")
          .doesNotContain("Exception");
    }
    Invocations.Result json = migctl.run("tenant", "add", "bob", "--max-slices", "two", "--json");
    assertThat(json.json().get("error").get("code").asText()).isEqualTo("invalid-input");
    assertThat(json.json().get("exitCode").asInt()).isEqualTo(2);
    assertThat(migctl.run("tenant", "list", "--json").json())
        .extracting(t -> t.get("name").asText())
        .containsExactly("alice");
  }
}
