package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aTenantsQuotaCutsItsDemandWithTheReasonInTextAndJson() throws Exception {
    Path workload = work.resolve("w.yml");
    Files.writeString(
        workload,
        """
        version: v1
        name: shared
        tenants:
          ml: {max-slices: 2, weight: 2}
        jobs:
          - name: sweep
            tenant: ml
            gpu: 1g.5gb
            replicas: 4
            command: [python, sweep.py]
        """);
    Invocations migctl = new Invocations(home, "a100-40gb:1");

    Invocations.Result text =
        migctl.run("mig", "plan", "--workload", workload.toString(), "--gpus", "a100-40gb:1");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains(
            "# Tenant ml's quota lets 2 of its 4 jobs run at once: max-slices 2 leaves out"
                + " sweep-3, sweep-4 (2 compute slices more).")
        .contains("sweep-3 needs 1g.5gb and will queue: tenant ml may hold 2 compute slices");

    Invocations.Result plan =
        migctl.run(
            "mig", "plan", "--workload", workload.toString(), "--gpus", "a100-40gb:1", "--json");
    assertThat(plan.code()).as(plan.err()).isZero();
    var json = plan.json();
    assertThat(json.get("assignments").findValuesAsText("job"))
        .containsExactly("sweep-1", "sweep-2");
    var cut = json.get("quotaCuts").get(1);
    assertThat(cut.get("job").asText()).isEqualTo("sweep-4");
    assertThat(cut.get("tenant").asText()).isEqualTo("ml");
    assertThat(cut.get("limit").asText()).isEqualTo("max-slices");
    assertThat(cut.get("max").asLong()).isEqualTo(2);
    assertThat(cut.get("inUse").asLong()).isEqualTo(2);
    assertThat(cut.get("wouldUse").asLong()).isEqualTo(1);
  }

  @Test
  void aPlanWithoutTenantsHasNoQuotaCutsField() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Invocations.Result plan =
        migctl.run("mig", "plan", "--workload", "../examples/shared-server/workload.yml", "--json");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.json().has("quotaCuts")).isFalse();
  }

  /** {@code mig plan} of the example workload on four A100s with {@code --whole-gpus whole}. */
  private Invocations.Result planWhole(String whole, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mig",
                "plan",
                "--workload",
                "../examples/shared-server/workload.yml",
                "--gpus",
                "a100-40gb:4",
                "--whole-gpus",
                whole));
    args.addAll(List.of(more));
    return new Invocations(home, "a100-40gb:4").run(args.toArray(String[]::new));
  }

  @Test
  void wholeGpuJobsGetGpusWithMigOffBesideTheSlicesInTextJsonAndTheFile() throws Exception {
    Invocations.Result text = planWhole("nccl=2");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("# nccl: 2 whole a100-40gb GPUs [2, 3], MIG off")
        .contains("# GPUs left with MIG off (whole): [2, 3]")
        .contains("train needs 2g.10gb → GPU 0")
        .contains("mig-enabled: false");

    var json = planWhole("nccl=2", "--json").json();
    assertThat(json.get("migOff").toString()).isEqualTo("[2,3]");
    assertThat(json.get("wholeGpus").get(0).get("job").asText()).isEqualTo("nccl");

    Invocations.Result tooMany = planWhole("nccl=8");
    assertThat(tooMany.code()).isEqualTo(1);
    assertThat(tooMany.out()).contains("nccl: needs 8 whole GPUs of one model and 4 are left");
    Invocations.Result bad = planWhole("nccl");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--whole-gpus nccl: write JOB=N");
  }

  @Test
  void aWorkloadsGpusAndCountJobsArePlannedWithoutFlags() throws Exception {
    Path workload = work.resolve("w.yml");
    Files.writeString(
        workload,
        """
        version: v1
        name: mixed
        jobs:
          - name: nccl
            gpus: 2
            command: [python, train.py]
          - name: shards
            gpu: 1g.5gb
            count: 3
            command: [python, serve.py]
        """);

    var json =
        new Invocations(home, "a100-40gb:4")
            .run(
                "mig", "plan", "--workload", workload.toString(), "--gpus", "a100-40gb:4", "--json")
            .json();

    assertThat(json.get("migOff").toString()).isEqualTo("[2,3]");
    assertThat(json.get("wholeGpus").get(0).get("job").asText()).isEqualTo("nccl");
    assertThat(json.get("assignments").findValuesAsText("job"))
        .containsExactlyInAnyOrder("shards#1", "shards#2", "shards#3");
  }
}
