package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migctl up} checks the whole workload before it changes anything (issue 13, item 16): a
 * workload that cannot run is refused with every problem named, exit 2, and leaves no daemon files,
 * no layout change and no environment behind.
 */
class UpValidationTest {

  private static final String NODE = "a100-40gb:1";

  @TempDir Path home;
  @TempDir Path dir;

  private Invocations.Result up(String workload) throws IOException {
    Files.createDirectories(dir.resolve("envs"));
    Files.writeString(dir.resolve("envs/ok.yml"), "dependencies:\n  - python>=3.9\n");
    Files.writeString(dir.resolve("envs/bad.yml"), "dependencies: 5\n");
    Path file = dir.resolve("workload.yml");
    Files.writeString(file, workload);
    Map<String, String> env =
        Map.of(
            "MIGCTL_SIMULATE", NODE, "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return new Invocations(home, env)
        .run("up", file.toString(), "--exit-when-done", "--port", "0", "--backend", "venv");
  }

  private void assertNothingWasChanged() {
    for (String made : new String[] {"migctl.db", "token", "daemon.lock", "envs", "jobs", "mig"}) {
      assertThat(home.resolve(made)).as(made).doesNotExist();
    }
    SimulatedMigDriver node =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(NODE), home.resolve("sim"));
    assertThat(node.gpuInstances(0)).as("the GPU's instances").isEmpty();
  }

  @Test
  void aProfileNoGpuHasIsRefusedBeforeAnythingIsCreated() throws IOException {
    Invocations.Result r =
        up(
            """
            version: v1
            name: bad
            environments:
              ok: envs/ok.yml
            jobs:
              - name: small
                environment: ok
                gpu: 1g.5gb
                command: [python, -c, "print(1)"]
              - name: big
                gpu: 9g.99gb
                command: ["true"]
            """);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .startsWith("migctl: " + dir.resolve("workload.yml") + ": the workload cannot run here")
        .contains("nothing was changed")
        .contains("big")
        .contains("9g.99gb")
        .doesNotContain("internal error")
        .doesNotContain("\tat ");
    assertNothingWasChanged();
  }

  @Test
  void aJobItsTenantsQuotaCouldNeverLetRunIsRefusedBeforeAnythingIsCreated() throws IOException {
    Invocations.Result r =
        up(
            """
            version: v1
            name: quota
            tenants:
              ml: {max-slices: 1}
            jobs:
              - name: wide
                tenant: ml
                gpu: 2g.10gb
                command: ["true"]
            """);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .contains("nothing was changed")
        .contains("wide")
        .contains("tenant ml may hold 1 compute slice at once (max-slices 1)");
    assertNothingWasChanged();
  }

  @Test
  void everyProblemIsNamedAtOnce() throws IOException {
    Invocations.Result r =
        up(
            """
            version: v1
            name: bad
            environments:
              bad: envs/bad.yml
            jobs:
              - name: huge
                gpu: 7g.80gb
                command: ["true"]
              - name: built
                environment: bad
                command: [python, -c, "print(1)"]
              - name: script
                command: [./missing.sh]
              - name: program
                command: [no-such-program-for-migctl]
            """);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .contains("huge")
        .contains("7g.80gb")
        .contains("envs/bad.yml")
        .contains("./missing.sh")
        .contains("no-such-program-for-migctl");
    assertNothingWasChanged();
  }
}
