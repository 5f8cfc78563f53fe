package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.DeviceFilter;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.core.mig.config.MigPartedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class MigPartedFilesTest {

  /** A file of the shared reference data beside the checkout ({@code ../shared}). */
  static Path shared(String relative) {
    String dir = System.getProperty("migctl.shared.dir", "../../shared");
    Path p = Path.of(dir).resolve(relative);
    assertThat(p).as("reference file (set -Dmigctl.shared.dir to the shared folder)").exists();
    return p;
  }

  private static MigPartedConfig config(String yaml) {
    return MigPartedFiles.readConfig(yaml, "test.yaml");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(String yaml) {
    return assertThatThrownBy(() -> config(yaml)).isInstanceOf(ConfigException.class);
  }

  @Test
  void readsNvidiasDefaultConfigWithAll81Configs() throws IOException {
    String text = Files.readString(shared("reference/mig/mig-parted-default-config.yaml"));

    MigPartedConfig config = MigPartedFiles.readConfig(text, "mig-parted-default-config.yaml");

    assertThat(config.configs()).hasSize(81).containsKeys("all-disabled", "all-balanced");
    List<ConfigEntry> disabled = config.select(Optional.of("all-disabled"));
    assertThat(disabled).singleElement().returns(false, ConfigEntry::migEnabled);
    assertThat(config.configs().values().stream().flatMap(List::stream))
        .allSatisfy(e -> assertThat(e.migEnabled() || e.migDevices().isEmpty()).isTrue());
    assertThat(
            config.configs().values().stream()
                .flatMap(List::stream)
                .flatMap(e -> e.migDevices().keySet().stream())
                .map(ProfileName::toString))
        .contains("1g.5gb+me", "1g.24gb+gfx", "1g.24gb-me", "1g.24gb+me.all");
  }

  @Test
  void theDefaultConfigEqualsMigPartedsOwnCopyUpToOrder() throws IOException {
    // The README of configs-in-the-wild: same 81 configs and entries, other order.
    MigPartedConfig ours =
        config(Files.readString(shared("reference/mig/mig-parted-default-config.yaml")));
    MigPartedConfig theirs =
        config(
            Files.readString(
                shared(
                    "reference/mig/configs-in-the-wild/"
                        + "NVIDIA__mig-parted__deployments_systemd_config-default.yaml")));

    assertThat(theirs.configs().keySet())
        .containsExactlyInAnyOrderElementsOf(ours.configs().keySet());
    for (String name : ours.configs().keySet()) {
      assertThat(withoutPaths(theirs.configs().get(name)))
          .as(name)
          .isEqualTo(withoutPaths(ours.configs().get(name)));
    }
  }

  private record Layout(
      List<DeviceFilter> filter,
      DeviceSelection devices,
      boolean enabled,
      Map<ProfileName, Integer> migDevices) {}

  private static Set<Layout> withoutPaths(List<ConfigEntry> entries) {
    Set<Layout> set = new HashSet<>();
    entries.forEach(
        e -> set.add(new Layout(e.deviceFilter(), e.devices(), e.migEnabled(), e.migDevices())));
    return set;
  }

  @Test
  void duplicateKeysAreAllowedAndTheLastWins() {
    MigPartedConfig c =
        config(
            """
            version: v1
            mig-configs:
              a:
              - devices: all
                mig-enabled: false
              a:
              - devices: [0]
                mig-enabled: false
            """);
    assertThat(c.configs()).containsOnlyKeys("a");
    assertThat(c.configs().get("a").getFirst().devices())
        .isEqualTo(new DeviceSelection.Indices(List.of(0)));
  }

  @Test
  void yaml11WordsAreBooleans() {
    MigPartedConfig c =
        config(
            """
            version: v1
            mig-configs:
              on:
              - devices: all
                mig-enabled: yes
                mig-devices: {}
              off:
              - devices: all
                mig-enabled: Off
            """);
    // As in mig-parted, the keys on/off are booleans too, and become "true"/"false".
    assertThat(c.configs()).containsOnlyKeys("true", "false");
    assertThat(c.configs().get("true").getFirst().migEnabled()).isTrue();
    assertThat(c.configs().get("false").getFirst().migEnabled()).isFalse();
  }

  @Test
  void quotedValuesKeepTheirTypeAsInMigParted() {
    String entry =
        """
        version: v1
        mig-configs:
          a:
          - devices: %s
            mig-enabled: %s
            mig-devices: %s
        """;
    refused(entry.formatted("all", "\"true\"", "{}"))
        .hasMessage(
            "test.yaml: mig-configs.a[0].mig-enabled: the string \"true\" is not a boolean; write"
                + " true or false, without quotes");
    refused(entry.formatted("all", "'yes'", "{}")).hasMessageContaining("the string \"yes\"");
    refused(entry.formatted("[\"0\"]", "true", "{}"))
        .hasMessageStartingWith("test.yaml: mig-configs.a[0].devices[0]: the string \"0\"");
    refused(entry.formatted("all", "true", "{\"1g.5gb\": \"7\"}"))
        .hasMessageStartingWith("test.yaml: mig-configs.a[0].mig-devices.\"1g.5gb\": the string");
    refused(entry.formatted("[1.5]", "true", "{}"))
        .hasMessageStartingWith("test.yaml: mig-configs.a[0].devices[0]: the number 1.5");
    refused(entry.formatted("All", "true", "{}"))
        .hasMessageStartingWith("test.yaml: mig-configs.a[0].devices: the string \"All\"");
    MigPartedConfig accepted = config(entry.formatted("[1.0]", "yes", "{1g.5gb: 2.0}"));
    assertThat(accepted.configs().get("a").getFirst())
        .returns(new DeviceSelection.Indices(List.of(1)), ConfigEntry::devices)
        .returns(true, ConfigEntry::migEnabled)
        .returns(Map.of(ProfileName.parse("1g.5gb"), 2), ConfigEntry::migDevices);
    assertThat(config(entry.formatted("\"all\"", "on", "{}")).configs().get("a").getFirst())
        .returns(new DeviceSelection.All(), ConfigEntry::devices);
  }

  @Test
  void yaml11IntegersAreReadAsGoYamlReadsThem() {
    MigPartedConfig c =
        config(
            """
            version: v1
            mig-configs:
              a:
              - devices: [0x1, 010, 1_0, +3]
                mig-enabled: false
            """);
    assertThat(c.configs().get("a").getFirst().devices())
        .isEqualTo(new DeviceSelection.Indices(List.of(1, 8, 10, 3)));
  }

  @Test
  void jsonWithTabIndentationAndTrailingCommasLoads() {
    MigPartedConfig c =
        config(
            "{\n"
                + "\t\t\t\t\"version\": \"v1\",\n"
                + "\t\t\t\t\"mig-configs\": {\n"
                + "\t\t\t\t\t\"all-disabled\": [{\n"
                + "\t\t\t\t\t\t\"devices\": \"all\",\n"
                + "\t\t\t\t\t\t\"mig-enabled\": false,\n"
                + "\t\t\t\t\t}],\n"
                + "\t\t\t\t}\n"
                + "\t\t\t}\n");
    assertThat(c.configs()).containsOnlyKeys("all-disabled");
  }

  @Test
  void aTabThatIndentsABlockLineIsASyntaxError() {
    refused("version: v1\nmig-configs:\n\tall-disabled:\n\t- devices: all\n")
        .hasMessageStartingWith("test.yaml:3:1: ")
        .hasMessageContaining("TAB");
  }

  @Test
  void tabsInsideBlockScalarsAreKept() {
    HooksFile hooks =
        MigPartedFiles.readHooks(
            "version: v1\n"
                + "hooks:\n"
                + "  apply-exit:\n"
                + "  - command: /bin/sh\n"
                + "    args:\n"
                + "    - -c\n"
                + "    - |\n"
                + "      echo a\n"
                + "      \techo b\n",
            "hooks.yaml");
    assertThat(hooks.commands(HooksFile.APPLY_EXIT).getFirst().args())
        .containsExactly("-c", "echo a\n\techo b\n");
  }

  @Test
  void syntaxErrorsNameSourceLineColumnAndTheParsersProblem() {
    assertThatThrownBy(
            () ->
                MigPartedFiles.readConfig(
                    "version: v1\nmig-configs:\n  a:\n  - devices: all\n     mig-enabled: true\n",
                    "<stdin>"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("<stdin>:5:")
        .hasMessageContaining("mapping values are not allowed here");
  }

  @Test
  void schemaErrorsNameTheSourceAndThePath() {
    refused(
            """
            version: v1
            mig-configs:
              a:
              - devices: 7
                mig-enabled: false
            """)
        .hasMessageStartingWith("test.yaml: mig-configs.a[0].devices: ")
        .hasMessageContaining("devices: [7]")
        .satisfies(
            e ->
                assertThat(((ConfigException) e).path())
                    .isEqualTo("test.yaml: mig-configs.a[0].devices"));
  }

  @Test
  void anUnquotedPciIdIsANumberInYamlAndIsRefusedWithTheQuotedForm() {
    refused(
            """
            version: v1
            mig-configs:
              a:
              - device-filter: 0x20B010DE
                devices: all
                mig-enabled: false
            """)
        .hasMessageContaining("mig-configs.a[0].device-filter")
        .hasMessageContaining("\"0x20B010DE\"");
  }

  @Test
  void anchorsAliasesAndMergeKeysWork() {
    MigPartedConfig c =
        config(
            """
            version: v1
            mig-configs:
              a: &a
              - &half
                devices: [0]
                mig-enabled: true
                mig-devices: {"1g.5gb": 7}
              - <<: *half
                devices: [1]
              b: *a
            """);
    ConfigEntry second = c.configs().get("a").get(1);
    assertThat(second.devices()).isEqualTo(new DeviceSelection.Indices(List.of(1)));
    assertThat(second.migEnabled()).isTrue();
    assertThat(second.migDevices()).containsEntry(ProfileName.parse("1g.5gb"), 7);
    assertThat(c.configs().get("b")).hasSize(2);
    assertThat(c.configs().get("b").getFirst().path()).isEqualTo("mig-configs.b[0]");
  }

  @Test
  void anEmptyFileSaysWhatIsExpected() {
    refused("")
        .hasMessage(
            "test.yaml: the file is empty; expected a mig-parted config (version: v1 and mig-configs:)");
    refused("# nothing here\n\n").hasMessageContaining("version: v1 and mig-configs:");
  }

  @Test
  void aCommentedOutConfigIsNamedAsOne() {
    refused("# version: v1\n# mig-configs:\n#   a: []\n").hasMessageContaining("commented out");
  }

  @Test
  void aFragmentWithoutTheHeaderGetsAdviceToWrapIt() {
    refused(
            """
            custom-mig-config:
                    - devices: [0,3,4,5,6,7]
                      mig-enabled: false
            """)
        .hasMessageContaining("not a mig-parted config")
        .hasMessageContaining("\"custom-mig-config\" looks like a config without the file's header")
        .hasMessageContaining("version: v1 and mig-configs:");
    refused("devices: all\nmig-enabled: false\n").hasMessageContaining("single entry");
  }

  @Test
  void aHooksFileIsNotAConfigAndTheOtherWayRound() {
    refused("version: v1\nhooks:\n  apply-exit: []\n")
        .hasMessageContaining("a hooks file (hooks:)");
    assertThatThrownBy(
            () ->
                MigPartedFiles.readHooks(
                    "version: v1\nmig-configs:\n  a: [{devices: all, mig-enabled: false}]\n", "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not a mig-parted hooks file")
        .hasMessageContaining("a mig-parted config (mig-configs:)");
  }

  @Test
  void multiDocumentStreamsSkipWhatIsNotAConfigAndMergeConfigsByName() {
    MigPartedConfig c =
        config(
            """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: x
            ---
            version: v1
            mig-configs:
              a: [{devices: all, mig-enabled: false}]
            ---
            devices: all
            mig-enabled: false
            ---
            version: v1
            mig-configs:
              a: [{devices: all, mig-enabled: false}]
              b: [{devices: all, mig-enabled: true, mig-devices: {}}]
            """);
    assertThat(c.configs().keySet()).containsExactly("a", "b");
  }

  @Test
  void aConfigNameDefinedTwiceDifferentlyIsRefusedNamingBothPlaces() {
    refused(
            """
            version: v1
            mig-configs:
              a: [{devices: all, mig-enabled: false}]
            ---
            version: v1
            mig-configs:
              a: [{devices: [0], mig-enabled: false}]
            """)
        .hasMessageContaining("config \"a\" is defined twice")
        .hasMessageContaining("document 1, line 1")
        .hasMessageContaining("document 2, line 5");
  }

  @Test
  void schemaErrorsInALaterDocumentNameTheDocument() {
    refused(
            """
            version: v1
            mig-configs:
              a: [{devices: all, mig-enabled: false}]
            ---
            version: v2
            """)
        .hasMessageStartingWith("test.yaml (document 2, line 5): version: ");
  }

  @Test
  void readsTheConfigOfAConfigMapAndIgnoresOtherData() {
    MigPartedConfig c =
        config(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: custom-mig-config
            data:
              clients.yaml: |
                version: v1
                systemd-services:
                  - nvsm.service
              reconfigure.sh: |
                #!/bin/sh
                echo "{{ not yaml"
              config.yaml: |
                version: v1
                mig-configs:
                  custom:
                    - devices: [0]
                      mig-enabled: true
                      mig-devices:
                        "3g.40gb": 2
            """);
    assertThat(c.configs()).containsOnlyKeys("custom");
    assertThat(c.configs().get("custom").getFirst().migDevices())
        .containsEntry(ProfileName.parse("3g.40gb"), 2);
  }

  @Test
  void anyOtherDataKeyHoldingAConfigIsFoundToo() {
    MigPartedConfig c =
        config(
            """
            kind: ConfigMap
            apiVersion: v1
            data:
              nva100_mig-parted_config.yaml: |
                version: v1
                mig-configs:
                  all-full: [{devices: all, mig-enabled: true, mig-devices: {"7g.40gb": 1}}]
            """);
    assertThat(c.configs()).containsOnlyKeys("all-full");
  }

  @Test
  void aConfigMapConfigYamlThatIsNotAConfigIsRefused() {
    refused(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            data:
              config.yaml: |
                custom:
                  - devices: all
                    mig-enabled: false
            """)
        .hasMessageStartingWith("test.yaml (ConfigMap \"cm\", data.\"config.yaml\"): ")
        .hasMessageContaining("looks like a config without the file's header");
  }

  @Test
  void schemaErrorsInsideAConfigMapNameTheConfigMapKey() {
    refused(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            data:
              config.yaml: |
                version: v1
                mig-configs:
                  custom:
                    - devices: [0]
                      mig-enabled: true
                      mig-devices:
                        "3g.41gb": -1
            """)
        .hasMessageStartingWith(
            "test.yaml (ConfigMap \"cm\", data.\"config.yaml\"):"
                + " mig-configs.custom[0].mig-devices.\"3g.41gb\": ");
  }

  @Test
  void aControlCharacterIsRefusedAtItsLineAndColumnInConfigsAndHooks() {
    refused("version: v1\nmig-configs:\n  all-\u0007x: []\n")
        .hasMessage("test.yaml:3:7: the control character U+0007 is not allowed in YAML");
    assertThatThrownBy(
            () ->
                MigPartedFiles.readHooks("version: v1\nhooks:\n  apply-\u0007exit: []\n", "h.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("h.yaml:3:9: the control character U+0007 is not allowed in YAML");
  }

  @Test
  void aControlCharacterInAConfigMapsConfigIsPlacedInsideIt() {
    // A double-quoted YAML string may hold U+0007 as \a; the config inside it may not.
    refused(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            data:
              config.yaml: "version: v1\\nmig-configs:\\n  a\\ab: []\\n"
            """)
        .hasMessage(
            "test.yaml (ConfigMap \"cm\", data.\"config.yaml\", line 3, column 4): the control"
                + " character U+0007 is not allowed in YAML");
  }

  @Test
  void syntaxErrorsInsideAConfigMapPointAtTheOuterLine() {
    // line 11 of the outer text holds the mis-indented mig-enabled of the inner config
    refused(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            data:
              config.yaml: |
                version: v1
                mig-configs:
                  custom:
                    - devices: [1]
                       mig-enabled: true
            """)
        .hasMessageStartingWith("test.yaml:11:")
        .hasMessageContaining("(ConfigMap \"cm\", data.\"config.yaml\")");
  }

  @Test
  void readsHelmValuesAndRefusesDataWrittenAsOneString() {
    MigPartedConfig c =
        config(
            """
            migManager:
              config:
                name: custom-mig-config
                create: true
                data:
                  config.yaml: |-
                    version: v1
                    mig-configs:
                      all-disabled:
                        - devices: all
                          mig-enabled: false
            """);
    assertThat(c.configs()).containsOnlyKeys("all-disabled");

    refused(
            """
            migManager:
              config:
                data: |-
                  config.yaml: |-
                    version: v1
            """)
        .hasMessageStartingWith("test.yaml:3: ")
        .hasMessageContaining("data: |-")
        .hasMessageContaining("without a config.yaml key");
  }

  @Test
  void aTemplateDirectiveOutsideTheConfigIsSkipped() {
    MigPartedConfig c =
        config(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: mig-parted-config
              {{- include "helm_lib_module_labels" (list $ (dict "app" "nvidia-gpu")) | nindent 2 }}
            data:
              config.yaml: |
                version: v1
                mig-configs:
                  all-disabled:
                    - devices: all
                      mig-enabled: false
            """);
    assertThat(c.configs()).containsOnlyKeys("all-disabled");
  }

  @Test
  void aTemplateDirectiveInsideTheConfigIsRefused() {
    refused(
            """
            apiVersion: v1
            kind: ConfigMap
            data:
              config.yaml: |
                version: v1
                mig-configs:
                  {{- range .Values.configs }}
                  all-disabled:
                    - devices: all
                      mig-enabled: false
                  {{- end }}
            """)
        .hasMessageStartingWith("test.yaml:7: ")
        .hasMessageContaining("template directive")
        .hasMessageContaining("render the template first");
    refused(
            """
            version: v1
            {{- if .Values.mig }}
            mig-configs:
              a: [{devices: all, mig-enabled: false}]
            {{- end }}
            """)
        .hasMessageStartingWith("test.yaml:2: ");
  }

  @Test
  void aTemplatePlaceholderValueIsRefusedAsATemplate() {
    refused(
            """
            version: v1
            mig-configs:
              default:
                - devices: all
                  mig-enabled: true
                  mig-devices: ${to_json($mig_profile)}
            """)
        .hasMessageContaining("mig-configs.default[0].mig-devices")
        .hasMessageContaining("template placeholder");
  }

  @Test
  void readsHooksFilesAndHooksInConfigMaps() {
    HooksFile plain =
        MigPartedFiles.readHooks(
            """
            version: v1
            hooks:
                apply-start:
                - workdir: "/etc/nvidia-mig-manager"
                  command: "/bin/bash"
                  args: ["-x", "-c", "source hooks.sh; apply-start ${MIG_PARTED_SELECTED_CONFIG}"]
            """,
            "hooks.yaml");
    assertThat(plain.commands(HooksFile.APPLY_START).getFirst().args())
        .containsExactly("-x", "-c", "source hooks.sh; apply-start ${MIG_PARTED_SELECTED_CONFIG}");

    HooksFile wrapped =
        MigPartedFiles.readHooks(
            """
            apiVersion: v1
            kind: ConfigMap
            data:
              hooks.yaml: |
                version: v1
                hooks:
                  apply-exit:
                  - command: /bin/true
            """,
            "cm.yaml");
    assertThat(wrapped.commands(HooksFile.APPLY_EXIT)).hasSize(1);

    assertThatThrownBy(() -> MigPartedFiles.readHooks("", "<stdin>"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "<stdin>: the file is empty; expected a mig-parted hooks file (version: v1 and hooks:)");
  }

  // --- input bounds (issue 13) -----------------------------------------------------------------

  /** {@code [[[…]]]} nested {@code levels} deep: a few KB that overflowed the composer's stack. */
  static String nested(int levels) {
    return "[".repeat(levels) + "]".repeat(levels);
  }

  @Test
  void deeplyNestedConfigsAndHooksAreRefusedNamingTheFileAndTheBound() {
    assertThatThrownBy(() -> config("version: v1\nmig-configs:\n  a: " + nested(5000) + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml: nested more than 64 levels deep (line 3, column ");
    assertThatThrownBy(
            () -> MigPartedFiles.readHooks("version: v1\nhooks: " + nested(5000), "hooks.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("hooks.yaml: nested more than 64 levels deep");
  }

  @Test
  void aDeepConfigInsideAConfigMapIsRefusedNamingTheConfigMapKey() {
    String deep =
        """
        apiVersion: v1
        kind: ConfigMap
        data:
          config.yaml: |
            version: v1
            mig-configs:
              a: %s
        """
            .formatted(nested(3000));
    assertThatThrownBy(() -> config(deep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml (ConfigMap, data.\"config.yaml\"): nested more than 64");
  }

  @Test
  void aliasesThatExpandBeyondTheBoundsAreRefused() {
    StringBuilder laughs = new StringBuilder("version: v1\nl0: &l0 [x, x]\n");
    for (int i = 1; i <= 24; i++) {
      laughs.append("l").append(i).append(": &l").append(i);
      laughs.append(" [*l").append(i - 1).append(", *l").append(i - 1).append("]\n");
    }
    assertThatThrownBy(() -> config(laughs.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml: its aliases expand it to more than 4194304 values");
    StringBuilder many = new StringBuilder("version: v1\nx: &x 1\nl: [");
    many.append("*x, ".repeat(51)).append("]\n");
    assertThatThrownBy(() -> config(many.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml: more than 50 aliases (*name) in one document");
  }
}
