package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's secrets do not reach jobs (issue 13.12): a job starts from a small allow-list, its
 * own variables and migctl's, and gets anything else only when the operator names it.
 */
class JobEnvironmentIT {

  @TempDir Path home;

  private static Map<String, String> daemonEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", "/home/ops");
    env.put("LANG", "C.UTF-8");
    env.put("TERM", "xterm-256color");
    env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret");
    env.put("GITHUB_TOKEN", "ghp_secret");
    return env;
  }

  /** Runs {@code env} as a job and returns what it printed, one variable a line. */
  private static List<String> jobEnvironment(TestDaemon d) throws Exception {
    long id =
        d.submit(Map.of("name", "env", "command", List.of("env"), "env", Map.of("SEED", "7")));
    d.awaitState(id, "succeeded");
    Path out = d.daemon().jobs().attemptDir(d.daemon().jobs().require(id)).resolve("stdout.log");
    return Files.readAllLines(out);
  }

  @Test
  void aJobSeesTheAllowListAndItsOwnVariablesButNotTheDaemonsSecrets() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d = new TestDaemon(home, sim, daemonEnvironment(), o -> o)) {
      List<String> env = jobEnvironment(d);
      assertThat(env)
          .contains("HOME=/home/ops", "LANG=C.UTF-8", "SEED=7", "CUDA_VISIBLE_DEVICES=")
          .anyMatch(l -> l.startsWith("PATH="))
          .anyMatch(l -> l.startsWith("MIGCTL_JOB_ID="))
          .noneMatch(l -> l.startsWith("AWS_SECRET_ACCESS_KEY="))
          .noneMatch(l -> l.startsWith("GITHUB_TOKEN="))
          .noneMatch(l -> l.startsWith("TERM="));
    }
  }

  @Test
  void aVariableTheOperatorPassesOnReachesTheJob() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            daemonEnvironment(),
            o -> o.withJobs(o.jobs().withPassEnvironment(Set.of("AWS_SECRET_ACCESS_KEY"))))) {
      assertThat(jobEnvironment(d))
          .contains("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI-secret")
          .noneMatch(l -> l.startsWith("GITHUB_TOKEN="));
    }
  }
}
