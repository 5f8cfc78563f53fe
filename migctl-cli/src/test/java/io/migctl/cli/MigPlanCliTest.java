package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mig plan --workload}: its file is one that {@code mig apply} takes and realises. */
class MigPlanCliTest {

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void theExamplesPlanAppliesAndGivesEveryJobItsSlice() throws Exception {
    Path workload = Path.of("../examples/shared-server/workload.yml");
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Path out = work.resolve("plan.yaml");

    Invocations.Result plan =
        migctl.run("mig", "plan", "--workload", workload.toString(), "-o", out.toString());
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("train needs 2g.10gb → GPU 0");

    Invocations.Result dry =
        migctl.run("mig", "apply", "-f", out.toString(), "-c", "shared-server", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(migctl.run("mig", "apply", "-f", out.toString(), "-c", "shared-server").code())
        .isZero();
    var gpus = migctl.run("gpus", "--json").json();
    assertThat(gpus.get(0).get("instances").findValuesAsText("profile"))
        .containsExactlyInAnyOrder("2g.10gb", "1g.5gb", "1g.5gb", "1g.5gb");
    assertThat(gpus.get(1).get("instances")).isEmpty();
  }

  @Test
  void aJobNoGpuCouldRunIsNamedAndExits1() throws Exception {
    Path workload = work.resolve("w.yml");
    Files.writeString(
        workload,
        """
        version: v1
        name: big
        jobs:
          - name: huge
            gpu: {memory: 60GiB}
            command: [python, x.py]
          - name: small
            gpu: 1g.10gb
            replicas: 9
            command: [python, y.py]
        """);
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Invocations.Result plan =
        migctl.run(
            "mig", "plan", "--workload", workload.toString(), "--gpus", "a100-40gb:1", "--json");
    assertThat(plan.code()).isEqualTo(1);
    var json = plan.json();
    assertThat(json.get("placedAll").asBoolean()).isFalse();
    assertThat(json.get("unplaced").findValuesAsText("job")).contains("huge");
    assertThat(json.get("assignments").size()).isEqualTo(4);
    assertThat(json.get("migParted").asText()).startsWith("version: v1");
  }
}
