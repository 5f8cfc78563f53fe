package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.apply.MigPartedFiles;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.MigPartedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code migctl mig …} end to end on simulated nodes: the acceptance of declarative layouts. */
class MigApplyIT {

  @TempDir Path home;

  private static Path shared(String relative) {
    return Path.of(System.getProperty("migctl.shared.dir", "../../shared")).resolve(relative);
  }

  static Stream<String> models() {
    return Catalog.models().stream().map(GpuModel::key);
  }

  /**
   * Every config of NVIDIA's default file that is meant for the model (an entry filters on its PCI
   * id, or has no filter and names only profiles the model has) applies, asserts, and exports to a
   * file whose apply changes nothing. The configs run one after the other on one GPU, so every step
   * is a transition from the previous layout.
   */
  @ParameterizedTest
  @MethodSource("models")
  void everyDefaultConfigForTheModelApplies(String key) throws IOException {
    GpuModel model = Catalog.require(key);
    Path file = shared("reference/mig/mig-parted-default-config.yaml");
    MigPartedConfig config = MigPartedFiles.readConfig(Files.readString(file), file.toString());
    Invocations migctl = new Invocations(home, key + ":1");
    List<String> applied = new ArrayList<>();
    for (String name : config.configs().keySet()) {
      List<ConfigEntry> entries = config.configs().get(name);
      if (!meantFor(entries, model)) {
        continue;
      }
      Invocations.Result apply = migctl.run("mig", "apply", "-f", file.toString(), "-c", name);
      assertThat(apply.code()).as("%s on %s: %s", name, key, apply.err()).isZero();
      Invocations.Result check = migctl.run("mig", "assert", "-f", file.toString(), "-c", name);
      assertThat(check.code())
          .as("assert %s on %s: %s%s", name, key, check.out(), check.err())
          .isZero();

      Invocations.Result export = migctl.run("mig", "export");
      assertThat(export.code()).as(export.err()).isZero();
      Path exported = home.resolve("export-" + name + ".yaml");
      Files.writeString(exported, export.out());
      Invocations.Result again = migctl.run("mig", "apply", "-f", exported.toString(), "--json");
      assertThat(again.code()).as("apply of the export of %s: %s", name, again.err()).isZero();
      assertThat(again.json().get("operations").asInt())
          .as("apply of the export of %s", name)
          .isZero();
      applied.add(name);
    }
    assertThat(applied).as("configs for %s", key).isNotEmpty();
  }

  private static boolean meantFor(List<ConfigEntry> entries, GpuModel model) {
    for (ConfigEntry e : entries) {
      if (!e.deviceFilter().isEmpty()) {
        if (e.deviceFilter().stream()
            .anyMatch(f -> f.matches(model.pciDeviceId(), model.pciDeviceId()))) {
          return true;
        }
      } else if (e.migDevices().keySet().stream()
          .allMatch(
              p ->
                  model.profile(p).isPresent()
                      && model.profile(p).get().name().equals(p.gpuInstance()))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aBusyInstanceIsKeptAndALayoutWithoutItIsRefused() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path start = config("start", "\"3g.20gb\": 1\n        \"2g.10gb\": 1\n        \"1g.5gb\": 2");
    assertThat(migctl.run("mig", "apply", "-f", start.toString()).code()).isZero();
    JsonNode before = migctl.run("gpus", "--json").json().get(0);
    JsonNode big = instance(before, "3g.20gb");
    assertThat(migctl.run("sim", "hold", big.get("uuid").asText(), "--pid", "4121").code())
        .isZero();

    Path keep = config("keep", "\"3g.20gb\": 1\n        \"1g.5gb\": 4");
    Invocations.Result kept = migctl.run("mig", "apply", "-f", keep.toString());
    assertThat(kept.code()).as(kept.err()).isZero();
    JsonNode after = migctl.run("gpus", "--json").json().get(0);
    JsonNode same = instance(after, "3g.20gb");
    assertThat(same.get("uuid").asText()).isEqualTo(big.get("uuid").asText());
    assertThat(same.get("start").asInt()).isEqualTo(big.get("start").asInt());
    assertThat(same.get("busy").asBoolean()).isTrue();
    assertThat(after.get("instances")).hasSize(5);

    Path without = config("without", "\"1g.5gb\": 7");
    Invocations.Result refused = migctl.run("mig", "apply", "-f", without.toString());
    assertThat(refused.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(refused.err())
        .contains("3g.20gb", "pid 4121", big.get("uuid").asText(), "nothing was changed");
    assertThat(migctl.run("gpus", "--json").json()).isEqualTo(migctl.run("gpus", "--json").json());
    assertThat(migctl.run("gpus", "--json").json().get(0)).isEqualTo(after);
  }

  @Test
  void invalidFilesAreRefusedBeforeAnyChange() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Path start = config("start", "\"7g.40gb\": 1");
    assertThat(migctl.run("mig", "apply", "-f", start.toString()).code()).isZero();
    JsonNode before = migctl.run("gpus", "--json").json();

    record Case(String text, String... message) {}
    List<Case> cases =
        List.of(
            new Case(
                "version: v1\nmig-configs:\n  c:\n    - devices: all\n      mig-enabled: true\n      colour: blue\n      mig-devices: {}\n",
                "mig-configs.c[0]",
                "colour"),
            new Case(
                wrap("\"3g.41gb\": 1"),
                "mig-configs.c[0].mig-devices",
                "3g.41gb",
                "is not a profile of NVIDIA A100-SXM4-40GB (GPU 0)",
                "1g.5gb"),
            new Case(
                wrap("\"4g.20gb\": 1\n        \"2g.10gb\": 2"),
                "mig-configs.c[0].mig-devices",
                "4g.20gb",
                "cannot be placed"),
            new Case(
                "version: v1\nmig-configs:\n  c:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.5gb\": 7}\n    - devices: [1]\n      mig-enabled: false\n",
                "mig-configs.c[1]",
                "GPU 1",
                "already claimed by mig-configs.c[0]"));
    for (Case c : cases) {
      Path file = home.resolve("bad.yaml");
      Files.writeString(file, c.text());
      Invocations.Result r = migctl.run("mig", "apply", "-f", file.toString());
      assertThat(r.code()).as("%s\n%s", c.text(), r.err()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err()).contains(c.message());
      assertThat(migctl.run("gpus", "--json").json()).isEqualTo(before);
    }
  }

  @Test
  void aDriverFailureIsUndoneOnItsGpuAndTheNextApplyConverges() throws IOException {
    Invocations migctl = new Invocations(home, "h100-80gb:1");
    Path start = config("start", "\"7g.80gb\": 1");
    assertThat(migctl.run("mig", "apply", "-f", start.toString()).code()).isZero();
    Path target =
        config("target", "\"3g.40gb\": 1\n        \"2g.20gb\": 1\n        \"1g.10gb\": 2");
    // The second compute instance fails: the 7g.80gb is gone and one new GPU instance is whole.
    assertThat(
            migctl
                .run(
                    "sim",
                    "fail-next",
                    "create-ci",
                    "--after",
                    "1",
                    "--error",
                    "insufficient-resources")
                .code())
        .isZero();
    Invocations.Result failed = migctl.run("mig", "apply", "-f", target.toString());
    assertThat(failed.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(failed.err())
        .contains("GPU 0: create compute instance", "failed: Insufficient Resources")
        .contains("undone: GPU 0 has its old layout again (7g.80gb@0:8 (GI 0) with 7g.80gb@0:7")
        .contains("its recreated MIG devices have new UUIDs")
        .contains("records every step and the undo")
        .doesNotContain("keeps a valid layout");
    assertThat(failed.out()).contains("GPU 0: create compute instance", "undone");
    JsonNode gpu = migctl.run("gpus", "--json").json().get(0);
    assertThat(gpu.get("instances")).hasSize(1);
    assertThat(instance(gpu, "7g.80gb").get("start").asInt()).isZero();
    List<String> journal = Files.readAllLines(home.resolve("mig/journal.jsonl"));
    assertThat(journal)
        .anyMatch(l -> l.contains("\"step-failed\""))
        .anyMatch(l -> l.contains("\"undo-done\""))
        .last()
        .asString()
        .contains("\"finished\"", "undone");

    assertThat(migctl.run("sim", "fail-next", "create-gi").code()).isZero();
    Invocations.Result json = migctl.run("mig", "apply", "-f", target.toString(), "--json");
    assertThat(json.code()).isEqualTo(ExitCode.FAILURE);
    JsonNode outcome = json.json().get("gpus").get(0);
    assertThat(outcome.get("outcome").asText()).isEqualTo("undone");
    assertThat(outcome.get("failedStep").get("op").asText()).isEqualTo("create");
    assertThat(outcome.get("error").asText()).contains("Unknown Error");
    assertThat(outcome.get("state").get("instances").get(0).get("profile").asText())
        .isEqualTo("7g.80gb");
    assertThat(json.json().get("failure").asText()).contains("undone");

    Invocations.Result again = migctl.run("mig", "apply", "-f", target.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(migctl.run("mig", "assert", "-f", target.toString()).code()).isZero();
  }

  @Test
  void anApplyAfterAnInterruptedOneSaysSoAndPlansFromTheLiveLayout() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path journal = home.resolve("mig/journal.jsonl");
    Files.createDirectories(journal.getParent());
    Files.writeString(
        journal,
        """
        {"time":"2026-12-01T10:00:00Z","apply":"a-1","event":"plan","gpu":0,"plan":[]}
        {"time":"2026-12-01T10:00:01Z","apply":"a-1","event":"step-start","gpu":0,"step":0}
        """);
    Path target = config("target", "\"3g.20gb\": 2");

    Invocations.Result r = migctl.run("mig", "apply", "-f", target.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("the last apply (a-1, started 2026-12-01T10:00:00Z) did not finish")
        .contains("GPU 0", "planning from the live layout");
    assertThat(migctl.run("mig", "assert", "-f", target.toString()).code()).isZero();
  }

  @Test
  void anExplicitGpuIndexTheNodeLacksIsAnErrorAndAFilterMatchingNothingANote() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path file = home.resolve("two.yaml");
    Files.writeString(
        file,
        "version: v1\nmig-configs:\n  c:\n    - devices: [0]\n      mig-enabled: true\n      mig-devices: {\"7g.40gb\": 1}\n"
            + "    - devices: [3]\n      mig-enabled: true\n      mig-devices: {\"1g.5gb\": 7}\n");
    JsonNode before = migctl.run("gpus", "--json").json();
    Invocations.Result r = migctl.run("mig", "apply", "-f", file.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .contains(
            "mig-configs.c[1].devices", "GPU 3", "this node has GPU 0 (NVIDIA A100-SXM4-40GB)")
        .doesNotContain("Exception");
    assertThat(migctl.run("gpus", "--json").json()).isEqualTo(before);

    Path filtered = home.resolve("filtered.yaml");
    Files.writeString(
        filtered,
        "version: v1\nmig-configs:\n  c:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {\"7g.40gb\": 1}\n"
            + "    - devices: all\n      device-filter: \"0x233010DE\"\n      mig-enabled: true\n      mig-devices: {\"1g.10gb\": 7}\n");
    Invocations.Result note = migctl.run("mig", "apply", "-f", filtered.toString());
    assertThat(note.code()).as(note.err()).isZero();
    assertThat(note.err())
        .contains("mig-configs.c[1] matches no GPU of this node")
        .doesNotContain("c[0]");
  }

  @Test
  void modeOnlyAndSkipResetDoWhatMigPartedsFlagsDo() {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    String file = shared("reference/mig/mig-parted-default-config.yaml").toString();
    Invocations.Result off =
        migctl.run("mig", "apply", "-f", file, "-c", "all-disabled", "--skip-reset");
    assertThat(off.code()).as(off.err()).isZero();
    assertThat(off.err()).contains("waits for a GPU reset or a reboot");
    JsonNode gpu = migctl.run("gpus", "--json").json().get(0);
    assertThat(gpu.get("migEnabled").asBoolean()).isTrue();
    assertThat(gpu.get("migPending").asBoolean()).isFalse();

    Invocations.Result on =
        migctl.run("mig", "apply", "-f", file, "-c", "all-1g.5gb", "--mode-only", "--json");
    assertThat(on.code()).as(on.err()).isZero();
    assertThat(on.json().get("operations").asInt()).isEqualTo(1);
    JsonNode after = migctl.run("gpus", "--json").json().get(0);
    assertThat(after.get("migPending").asBoolean()).isTrue();
    assertThat(after.get("instances")).isEmpty();
  }

  @Test
  void hooksRunAtMigPartedsPointsAsArgumentLists() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path log = home.resolve("hooks.log");
    StringBuilder hooks = new StringBuilder("version: v1\nhooks:\n");
    for (String hook : List.of("apply-start", "pre-apply-mode", "pre-apply-config", "apply-exit")) {
      hooks
          .append("  ")
          .append(hook)
          .append(":\n  - command: /bin/sh\n    args: [\"-c\", \"echo ")
          .append(hook)
          .append(" $MIG_PARTED_SELECTED_CONFIG >> \\\"$LOG\\\"\"]\n    envs:\n      LOG: ")
          .append(log)
          .append('\n');
    }
    Path hooksFile = home.resolve("hooks.yaml");
    Files.writeString(hooksFile, hooks.toString());
    Path target = config("target", "\"3g.20gb\": 2");

    Invocations.Result r =
        migctl.run("mig", "apply", "-f", target.toString(), "-k", hooksFile.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // MIG mode does not change, so pre-apply-mode does not run.
    assertThat(Files.readAllLines(log))
        .containsExactly("apply-start c", "pre-apply-config c", "apply-exit c");

    Files.delete(log);
    assertThat(
            migctl.run("mig", "apply", "-f", target.toString(), "-k", hooksFile.toString()).code())
        .isZero();
    assertThat(Files.readAllLines(log)).containsExactly("apply-start c", "apply-exit c");
  }

  @Test
  void checkpointAndRestoreGiveBackTheSamePlacements() throws IOException {
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Path start = config("start", "\"1g.5gb\": 2\n        \"2g.10gb\": 1\n        \"3g.20gb\": 1");
    assertThat(migctl.run("mig", "apply", "-f", start.toString()).code()).isZero();
    Path saved = home.resolve("layout.json");
    assertThat(migctl.run("mig", "checkpoint", "-f", saved.toString()).code()).isZero();
    JsonNode original = withoutUuids(migctl.run("mig", "checkpoint", "-f", "-").json());

    // A reboot: the GPUs come back empty.
    assertThat(migctl.run("sim", "reset-state").code()).isZero();
    assertThat(migctl.run("gpus", "--json").json().get(0).get("instances")).isEmpty();

    Invocations.Result restored = migctl.run("mig", "restore", "-f", saved.toString());
    assertThat(restored.code()).as(restored.err()).isZero();
    assertThat(withoutUuids(migctl.run("mig", "checkpoint", "-f", "-").json())).isEqualTo(original);
    assertThat(
            migctl
                .run("mig", "restore", "-f", saved.toString(), "--json")
                .json()
                .get("operations")
                .asInt())
        .isZero();
  }

  @Test
  void readsStandardInputAndPrintsTheDryRunPlanAsJson() {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Invocations.Result r =
        migctl.runWithInput(
            wrap("\"3g.20gb\": 2"), "mig", "apply", "-f", "-", "--dry-run", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode gpu = r.json().get("gpus").get(0);
    assertThat(gpu.get("index").asInt()).isZero();
    assertThat(gpu.get("steps").findValuesAsText("op")).containsOnly("create");
    assertThat(gpu.get("steps").get(0).get("profile").asText()).isEqualTo("3g.20gb");
    assertThat(migctl.run("gpus", "--json").json().get(0).get("instances")).isEmpty();
  }

  // ------------------------------------------------------------------------------------------

  private Path config(String name, String devices) throws IOException {
    Path file = home.resolve(name + ".yaml");
    Files.writeString(file, wrap(devices));
    return file;
  }

  private static String wrap(String devices) {
    return "version: v1\nmig-configs:\n  c:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "
        + devices
        + "\n";
  }

  private static JsonNode instance(JsonNode gpu, String profile) {
    for (JsonNode i : gpu.get("instances")) {
      if (ProfileName.parse(i.get("profile").asText()).equals(ProfileName.parse(profile))) {
        return i;
      }
    }
    throw new AssertionError("no " + profile + " in " + gpu);
  }

  private static JsonNode withoutUuids(JsonNode checkpoint) {
    JsonNode copy = checkpoint.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("taken");
    for (JsonNode gpu : copy.get("gpus")) {
      for (JsonNode inst : gpu.get("instances")) {
        for (JsonNode ci : inst.get("computeInstances")) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) ci).remove("uuid");
        }
      }
    }
    return copy;
  }
}
