package io.migctl.apply;

import static io.migctl.apply.WildFileExpectations.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.apply.WildFileExpectations.Expect;
import io.migctl.apply.WildFileExpectations.Hooks;
import io.migctl.apply.WildFileExpectations.Loads;
import io.migctl.apply.WildFileExpectations.LoadsThenFailsLater;
import io.migctl.core.mig.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every file of {@code shared/reference/mig/configs-in-the-wild/} (see its README): valid ones
 * load, files mig-parted refuses while reading are refused with a message that points at the
 * problem, and files that fail later, on a GPU, load here. A file added to the folder without a
 * line in {@link #EXPECTED} fails {@link #everyFileIsClassified}.
 */
class ConfigsInTheWildTest implements WildFolderContract {

  private static final String FOLDER = "reference/mig/configs-in-the-wild";
  private static final Map<String, Expect> EXPECTED = new TreeMap<>();

  static {
    Map<String, Expect> e = EXPECTED;
    // --- valid configs (README: "they parse with mig-parted") -------------------------------
    e.put(
        "ComputeCanada__puppet-magic_castle__site_profile_manifests_gpu.pp__puppet-config.yaml-template.yaml",
        // A Puppet heredoc: mig-devices is ${to_json($mig_profile)} until Puppet renders it.
        refused("mig-configs.default[0].mig-devices", "template placeholder", "render"));
    e.put(
        "ComputeCanada__puppet-magic_castle__site_profile_manifests_gpu.pp__puppet-hooks.yaml",
        new Hooks(List.of("pre-apply-mode")));
    e.put(
        "ComputeCanada__puppet-magic_castle__site_profile_manifests_gpu.pp__puppet-hooks__at-535c1034.yaml",
        new Hooks(List.of("pre-apply-mode", "apply-exit")));
    e.put("Deepak-Kumar-GI__mig-h200__custom-mig-config.yaml", new Loads(1, "custom-mig-config"));
    e.put(
        "Deepak-Kumar-GI__mig-h200__custom-mig-config__at-558f262.yaml",
        new Loads(1, "custom-mig-config"));
    e.put(
        "MMahdiSetak__multi-node-GPU__production_gpu-operator_custom-mig-config.yaml",
        new Loads(3, "pcie-nvl"));
    e.put(
        "MMahdiSetak__multi-node-GPU__production_gpu-operator_mig-config.sh__heredoc-1.yaml",
        new Loads(2, "pcie-nvl"));
    e.put(
        "MMahdiSetak__multi-node-GPU__production_gpu-operator_mig-config.sh__heredoc-2.yaml",
        new Loads(2, "pcie-nvl"));
    e.put(
        "NVIDIA__cloud-native-docs__gpu-operator_manifests_input_custom-mig-config.yaml",
        new Loads(2, "five-1g-one-2g"));
    e.put(
        "NVIDIA__cloud-native-docs__gpu-operator_manifests_input_mig-cm-values.yaml",
        new Loads(2, "custom-mig"));
    e.put("NVIDIA__deepops__config.example_nvidia-mig-config.yml", new Loads(22, "all-7g.80gb"));
    e.put(
        "NVIDIA__gpu-operator__assets_state-mig-manager_0400_configmap__at-28a15bfd7.yaml",
        new Loads(38, "all-balanced"));
    e.put(
        "NVIDIA__gpu-operator__assets_state-mig-manager_0400_configmap__at-2e41c6e2d.yaml",
        new Loads(13, "all-balanced"));
    e.put(
        "NVIDIA__gpu-operator__assets_state-mig-manager_0400_configmap__at-e4cd3dd04.yaml",
        new Loads(19, "all-balanced"));
    e.put("NVIDIA__mig-parted__README.md__config-blocks.yaml", new Loads(9, "current"));
    e.put(
        "NVIDIA__mig-parted__api_spec_v1_spec_test.go__fixtures-valid.yaml",
        new Loads(1, "all-disabled"));
    e.put(
        "NVIDIA__mig-parted__deployments_container_nvidia-mig-manager-example-hopper-blackwell.yaml",
        new Loads(50, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_container_nvidia-mig-manager-example.yaml",
        new Loads(24, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_gpu-operator_nvidia-mig-manager-example-hopper__at-ad36c655.yaml",
        new Loads(6, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_gpu-operator_nvidia-mig-manager-example__at-2e246dbf.yaml",
        new Loads(13, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default.yaml",
        new Loads(81, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-5c65b9e9.yaml",
        new Loads(17, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-default__at-9bb73fdd.yaml",
        new Loads(24, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config-hopper__at-4f27f9c8.yaml",
        new Loads(6, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config__at-65c4086c.yaml",
        new Loads(17, "all-balanced"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_config__at-b5d1e8a8.yaml",
        new Loads(5, "all-3g.20gb"));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_hooks-default.yaml",
        new Hooks(List.of("apply-start", "pre-apply-mode", "pre-apply-config", "apply-exit")));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_hooks-minimal.yaml",
        new Hooks(List.of("apply-start")));
    e.put(
        "NVIDIA__mig-parted__deployments_systemd_hooks__at-d37001cc.yaml",
        new Hooks(List.of("apply-start", "pre-apply-mode", "pre-apply-config", "apply-exit")));
    e.put("NVIDIA__mig-parted__examples_config.yaml", new Loads(9, "custom-config"));
    e.put("NVIDIA__mig-parted__examples_config__at-9c77b8e5.yaml", new Loads(8, "custom-config-1"));
    e.put(
        "NVIDIA__mig-parted__examples_dgx-station-80gb-config.yaml",
        new Loads(9, "all-disabled-dgx-station-80"));
    e.put(
        "ReSin-Yan__mig-parted__examples_dgx-station-40gb-config.yaml",
        new Loads(9, "all-disabled-dgx-station-40"));
    e.put(
        "christophernhill__h100_testing__understanding-mig_mig-patrted-howto.md.yaml",
        new Loads(2, "all-mig"));
    e.put("clarshad__gpu-mig-setup__custom-mig-config.yaml", new Loads(2, "three-2g-seven-1g"));
    e.put(
        "deckhouse__deckhouse__modules_040-node-manager_templates_nvidia-gpu_nvidia-mig-config.yml",
        new Loads(24, "all-balanced"));
    e.put("gamasy__IO-labs__mig-config.yaml", new Loads(5, "custom-h200"));
    e.put("mit-orcd__orcd-mig-parted__db_config.yaml", new Loads(24, "all-disabled"));
    e.put("rohitralhan__RHOAI-NVIDIA-MIG-GPU__custom_config.yaml", new Loads(41, "all-balanced"));
    e.put(
        "sozercan__k8s-distributed-inference__configs_mig-config.yaml",
        new Loads(3, "Standard_NC96ads_A100_v4"));
    e.put(
        "sozercan__k8s-distributed-inference__mig-config__at-8f27de8.yaml",
        new Loads(1, "half-balanced"));
    e.put("stackhpc__ansible-collection-linux__roles_vgpu_README.md.yaml", new Loads(1, "default"));
    e.put("tuttlebr__facedetect__mig-config__at-6b4108d.yaml", new Loads(1, "current"));

    // --- invalid-or-failing/ ------------------------------------------------------------------
    String bad = "invalid-or-failing/";
    // parse: the key all-1g.5gb is indented two columns too deep.
    e.put(
        bad
            + "DaoCloud__DaoCloud-docs__docs_zh_docs_kpanda_user-guide_gpu_nvidia_mig_create_mig.md__block1.yaml",
        refused(":18:15: ", "expected <block end>, but found '?'"));
    // parse: devices indented 5, mig-enabled 4.
    e.put(
        bad
            + "DaoCloud__DaoCloud-docs__docs_zh_docs_kpanda_user-guide_gpu_nvidia_mig_create_mig.md__block2-ci-profile.yaml",
        refused(":10:13: ", "expected <block end>"));
    // render: data: |- makes the Helm data one string.
    e.put(
        bad
            + "NVIDIA__cloud-native-docs__gpu-operator_manifests_input_mig-cm-values__before-284e8edd.yaml",
        refused(":12: ", "migManager.config.data is one string (data: |-)", "config.yaml"));
    // apply: a valid default; the driver names the full A100-80GB profile 7g.79gb, not 7g.80gb.
    e.put(
        bad
            + "NVIDIA__gpu-operator__assets_state-mig-manager_0400_configmap__at-v1.10.1__issue-351.yaml",
        new LoadsThenFailsLater(
            17, "all-7g.80gb", "the per-GPU profile check: 7g.80gb is not a profile of the GPU"));
    // parse: the example is all comments; uncommented, its config is not YAML (see below).
    e.put(
        bad
            + "NVIDIA__gpu-operator__deployments_gpu-operator_values.yaml__migManager-config-example.yaml",
        refused("only comments", "commented out"));
    // validate: a fragment (no version: v1, no mig-configs:). mig-parted refuses it while reading
    // ("missing 'version' field"), so it is refused here too, with the advice to wrap it.
    e.put(
        bad + "NVIDIA__gpu-operator__issues_262__a100-40gb-pcie-4g.20gb.yaml",
        refused("not a mig-parted config", "\"a100-server-b-balanced\"", "wrap it"));
    // parse: upstream's 12 must-fail fixtures; the first document already fails (see below).
    e.put(
        bad + "NVIDIA__mig-parted__api_spec_v1_spec_test.go__fixtures-expected-failure.yaml",
        refused("(document 1, line 12): version: ", "\"v2\""));
    // parse/lookup: a fragment; the user got "'custom-mig-config' not found".
    e.put(
        bad + "NVIDIA__mig-parted__issues_100__fragment-without-header.yaml",
        refused("not a mig-parted config", "\"custom-mig-config\"", "wrap it"));
    // apply: valid; fails on the GPU (A30, devices: [1] alone), cause unknown. DEV-BLOCKLIST.
    e.put(
        bad + "NVIDIA__mig-parted__issues_157__a30-devices-1-only.yaml",
        new LoadsThenFailsLater(2, "node1", "applying on the GPU (NVML), not a file check"));
    // apply (README), but the fragment has no version: v1, which mig-parted refuses while reading
    // ("unable to parse with missing 'version' field"), so it is refused here.
    e.put(
        bad + "NVIDIA__mig-parted__issues_29__insufficient-resources.yaml",
        refused(": version: is missing", "version: v1"));
    // parse: devices: 7; mig-parted: "invalid string input for 'devices': 7"; fix is [7].
    e.put(
        bad + "NVIDIA__mig-parted__issues_44__devices-scalar-int.yaml",
        refused("mig-configs.all-1g.5gb[0].devices: ", "devices: [7]"));
  }

  @Override
  public Path folder() {
    return MigPartedFilesTest.shared(FOLDER);
  }

  @Override
  public Map<String, Expect> expected() {
    return EXPECTED;
  }

  /** The documents of a {@code ---} separated fixture file, each with its case comment. */
  private List<String> documents(String name) throws IOException {
    String text = Files.readString(folder().resolve(name));
    List<String> docs = new ArrayList<>(List.of(text.split("(?m)^---$")));
    docs.removeFirst(); // the header comments before the first ---
    return docs;
  }

  private static boolean isWholeFileCase(String doc) {
    return doc.contains("unmarshalled as: Spec (whole file)");
  }

  /** A one-entry document wrapped into a whole file; flow style, so indentation does not matter. */
  private static String wrapEntry(String doc) {
    return "{\"version\": \"v1\", \"mig-configs\": {\"c\": [\n" + doc + "\n]}}\n";
  }

  @Test
  void everyUpstreamMustParseFixtureParsesOnItsOwn() throws IOException {
    List<String> docs =
        documents("NVIDIA__mig-parted__api_spec_v1_spec_test.go__fixtures-valid.yaml");
    assertThat(docs).hasSize(11);
    for (String doc : docs) {
      boolean empty = doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"));
      if (empty) {
        continue; // "Empty": mig-parted accepts it; migctl asks for version: v1 (tested elsewhere)
      }
      String text = isWholeFileCase(doc) ? doc : wrapEntry(doc);
      assertThat(MigPartedFiles.readConfig(text, "fixture")).as(doc).isNotNull();
    }
  }

  @Test
  void everyUpstreamMustFailFixtureFailsOnItsOwn() throws IOException {
    List<String> docs =
        documents(
            "invalid-or-failing/NVIDIA__mig-parted__api_spec_v1_spec_test.go__fixtures-expected-failure.yaml");
    List<String> expected =
        List.of(
            "version: the string \"v2\"",
            "version: the string \"v2\"",
            "version: is missing",
            "bogus: unknown field \"bogus\"",
            "mig-configs: is empty",
            "missing required field devices",
            "missing required field mig-enabled",
            "mig-devices: is required when mig-enabled is true",
            "mig-devices.\"bogus\": \"bogus\" is not a MIG profile name",
            "c[0].bogus: unknown field \"bogus\"",
            "devices: the string \"bogus\" is not all or a list",
            "devices: an empty mapping {} is not all or a list");
    assertThat(docs).hasSameSizeAs(expected);
    for (int i = 0; i < docs.size(); i++) {
      String doc = docs.get(i);
      String text = isWholeFileCase(doc) ? doc : wrapEntry(doc);
      assertThatThrownBy(() -> MigPartedFiles.readConfig(text, "fixture"))
          .as(doc)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(expected.get(i));
    }
  }

  @Test
  void theCommentedValuesExampleOnceUncommentedIsNotYamlInsideConfigYaml() throws IOException {
    // gpu-operator values.yaml lines 391-418: uncommented, '- devices: [1]' has its keys one column
    // too deep. The error points at the line of the outer file.
    String name =
        "invalid-or-failing/NVIDIA__gpu-operator__deployments_gpu-operator_values.yaml__migManager-config-example.yaml";
    List<String> lines = Files.readAllLines(folder().resolve(name));
    StringBuilder values = new StringBuilder("migManager:\n");
    int firstExampleLine = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("  # config:")) {
        firstExampleLine = i;
      }
      if (firstExampleLine >= 0) {
        values.append(line.replaceFirst("^  # ?", "  ")).append('\n');
      }
    }
    assertThat(firstExampleLine).isPositive();
    String text = values.toString();
    int badLine = text.lines().toList().indexOf("               mig-enabled: true") + 1; // 1-based
    assertThat(badLine).isPositive();
    assertThatThrownBy(() -> MigPartedFiles.readConfig(text, "values.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("values.yaml:" + badLine + ":")
        .hasMessageContaining("migManager.config.data.\"config.yaml\"");
  }
}
