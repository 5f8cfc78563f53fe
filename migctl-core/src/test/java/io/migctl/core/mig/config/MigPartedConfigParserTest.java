package io.migctl.core.mig.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.ProfileName;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigPartedConfigParserTest {

  @Test
  void readsAWholeConfigInFileOrder() {
    Object tree =
        map(
            "version",
            "v1",
            "mig-configs",
            map(
                "all-disabled", list(map("devices", "all", "mig-enabled", false)),
                "custom",
                    list(
                        map(
                            "device-filter",
                            "0x20B010DE",
                            "devices",
                            list(0, 1),
                            "mig-enabled",
                            false),
                        map(
                            "device-filter",
                            list("0x20B210DE", "0x20B510DE"),
                            "devices",
                            "all",
                            "mig-enabled",
                            true,
                            "mig-devices",
                            map("3g.40gb", 1, "1g.10gb", 2L, "1c.2g.20gb", 2)))));

    MigPartedConfig config = MigPartedConfigParser.parse(tree);

    assertThat(config.configs()).containsOnlyKeys("all-disabled", "custom");
    assertThat(config.configs().keySet()).containsExactly("all-disabled", "custom");
    ConfigEntry disabled = config.configs().get("all-disabled").getFirst();
    assertThat(disabled.path()).isEqualTo("mig-configs.all-disabled[0]");
    assertThat(disabled.devices()).isEqualTo(new DeviceSelection.All());
    assertThat(disabled.migEnabled()).isFalse();
    assertThat(disabled.migDevices()).isEmpty();
    assertThat(disabled.deviceFilter()).isEmpty();

    List<ConfigEntry> custom = config.select(Optional.of("custom"));
    assertThat(custom).hasSize(2);
    assertThat(custom.get(0).deviceFilter()).containsExactly(new DeviceFilter("0x20B010DE"));
    assertThat(custom.get(0).devices()).isEqualTo(new DeviceSelection.Indices(List.of(0, 1)));
    ConfigEntry second = custom.get(1);
    assertThat(second.path()).isEqualTo("mig-configs.custom[1]");
    assertThat(second.deviceFilter())
        .containsExactly(new DeviceFilter("0x20B210DE"), new DeviceFilter("0x20B510DE"));
    assertThat(second.migEnabled()).isTrue();
    assertThat(second.migDevices().keySet())
        .containsExactly(
            ProfileName.parse("3g.40gb"),
            ProfileName.parse("1g.10gb"),
            ProfileName.parse("1c.2g.20gb"));
    assertThat(second.migDevices()).containsEntry(ProfileName.parse("1g.10gb"), 2);
  }

  @Test
  void anEmptyDocumentIsAConfigWithoutConfigs() {
    assertThat(MigPartedConfigParser.parse(null).configs()).isEmpty();
    assertThat(MigPartedConfigParser.parse(map("version", "v1")).configs()).isEmpty();
  }

  @Test
  void versionIsRequiredOnceTheDocumentHasAnything() {
    expectError(map(), "version").hasMessageContaining("version: v1");
    expectError(map("mig-configs", map("a", list(map("devices", "all", "mig-enabled", false)))))
        .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo("version"))
        .hasMessageContaining("is missing");
  }

  @Test
  void versionMustBeV1() {
    expectError(map("version", "v2"), "version")
        .hasMessageContaining("\"v2\"")
        .hasMessageContaining("version: v1");
    expectError(map("version", 1), "version").hasMessageContaining("the number 1");
  }

  @Test
  void unknownTopLevelFieldsAreNamed() {
    expectError(map("bogus", "field", "version", "v1"), "bogus")
        .hasMessageContaining("unknown field \"bogus\"")
        .hasMessageContaining("only version and mig-configs");
  }

  @Test
  void aNamedConfigOutsideMigConfigsIsCalledOneWithTheFix() {
    // A config whose indentation was lost (a Markdown page that flattened its YAML block):
    // mig-configs: is empty and the config names became top-level keys.
    expectError(
            map("version", "v1", "mig-configs", null, "all-disabled", list(map("devices", "all"))),
            "all-disabled")
        .hasMessageContaining("unknown field \"all-disabled\"")
        .hasMessageContaining("looks like a named config")
        .hasMessageContaining("indent it under mig-configs:");
  }

  @Test
  void aPresentMigConfigsNeedsAConfig() {
    expectError(map("version", "v1", "mig-configs", map()), "mig-configs")
        .hasMessageContaining("at least one");
    expectError(map("version", "v1", "mig-configs", null), "mig-configs")
        .hasMessageContaining("at least one");
    expectError(map("version", "v1", "mig-configs", list()), "mig-configs")
        .hasMessageContaining("an empty list");
  }

  @Test
  void everyConfigNeedsAnEntry() {
    expectError(configs("custom", list()), "mig-configs.custom").hasMessageContaining("no entries");
    expectError(configs("custom", null), "mig-configs.custom").hasMessageContaining("no entries");
    expectError(
            configs("custom", map("devices", "all", "mig-enabled", false)), "mig-configs.custom")
        .hasMessageContaining("put a - before devices");
  }

  @Test
  void entriesNeedDevicesAndMigEnabled() {
    expectError(entry("mig-enabled", false), "mig-configs.c[0]")
        .hasMessageContaining("missing required field devices");
    expectError(entry("devices", "all"), "mig-configs.c[0]")
        .hasMessageContaining("missing required field mig-enabled");
    expectError(configs("c", list((Object) null)), "mig-configs.c[0]")
        .hasMessageContaining("devices and mig-enabled");
    expectError(configs("c", list("all")), "mig-configs.c[0]")
        .hasMessageContaining("the string \"all\"");
  }

  @Test
  void unknownEntryFieldsAreNamedWithTheAllowedOnes() {
    expectError(entry("devices", "all", "mig-enabled", false, "bogus", 1), "mig-configs.c[0].bogus")
        .hasMessageContaining("unknown field \"bogus\"")
        .hasMessageContaining("device-filter, devices, mig-enabled, mig-devices");
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-device", map()),
            "mig-configs.c[0].mig-device")
        .hasMessageContaining("did you mean mig-devices?");
  }

  @Test
  void devicesIsAllOrAListOfIndices() {
    assertThat(only(entry("devices", list(0, 2L, BigInteger.valueOf(7)), "mig-enabled", false)))
        .returns(new DeviceSelection.Indices(List.of(0, 2, 7)), ConfigEntry::devices);
    assertThat(only(entry("devices", list(), "mig-enabled", false)))
        .returns(new DeviceSelection.Indices(List.of()), ConfigEntry::devices);
    expectError(entry("devices", "bogus", "mig-enabled", false), "mig-configs.c[0].devices")
        .hasMessageContaining("\"bogus\"")
        .hasMessageContaining("devices: all or devices: [0, 1]");
    expectError(entry("devices", map(), "mig-enabled", false), "mig-configs.c[0].devices")
        .hasMessageContaining("an empty mapping");
    expectError(entry("devices", null, "mig-enabled", false), "mig-configs.c[0].devices")
        .hasMessageContaining("empty value");
    expectError(entry("devices", true, "mig-enabled", false), "mig-configs.c[0].devices");
  }

  @Test
  void aSingleDeviceNumberIsRefusedWithTheListToWrite() {
    // mig-parted issue 44: "invalid string input for 'devices': 7"
    Object tree =
        map(
            "version",
            "v1",
            "mig-configs",
            map(
                "all-1g.5gb",
                list(map("devices", 7, "mig-enabled", true, "mig-devices", map("1g.5gb", 7)))));
    expectError(tree, "mig-configs.all-1g.5gb[0].devices").hasMessageContaining("devices: [7]");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, -7})
  void gpuIndicesAreNotNegative(int index) {
    expectError(
            entry("devices", list(0, index), "mig-enabled", false), "mig-configs.c[0].devices[1]")
        .hasMessageContaining("the number " + index)
        .hasMessageContaining("not a GPU index");
  }

  @Test
  void gpuIndicesAreWholeNumbers() {
    expectError(entry("devices", list(1.5), "mig-enabled", false), "mig-configs.c[0].devices[0]");
    expectError(entry("devices", list("0"), "mig-enabled", false), "mig-configs.c[0].devices[0]")
        .hasMessageContaining("the string \"0\"");
    expectError(
        entry("devices", list(BigInteger.TWO.pow(40)), "mig-enabled", false),
        "mig-configs.c[0].devices[0]");
  }

  /**
   * mig-parted unmarshals mig-enabled into a Go bool from JSON, so only a boolean is one; YAML
   * 1.1's unquoted yes/on/true arrive as booleans, quoted ones as strings, which it refuses.
   */
  @ParameterizedTest
  @ValueSource(strings = {"yes", "Yes", "on", "y", "true", "True", "TRUE", "false", "no", "off"})
  void migEnabledIsABooleanNeverAString(String word) {
    expectError(
            entry("devices", "all", "mig-enabled", word, "mig-devices", map()),
            "mig-configs.c[0].mig-enabled")
        .hasMessage(
            "mig-configs.c[0].mig-enabled: the string \""
                + word
                + "\" is not a boolean; write true or false, without quotes");
  }

  @Test
  void migEnabledTakesBooleans() {
    assertThat(
            only(entry("devices", "all", "mig-enabled", true, "mig-devices", map())).migEnabled())
        .isTrue();
    assertThat(only(entry("devices", "all", "mig-enabled", false)).migEnabled()).isFalse();
  }

  /**
   * mig-parted's YAML-to-JSON step writes a float that is a whole number as an integer (1.0 as 1),
   * which its {@code []int} and {@code map[string]int} take; any other float it refuses.
   */
  @Test
  void wholeFloatsAreIndicesAndCountsAsInMigParted() {
    assertThat(only(entry("devices", list(1.0, 2.0e0), "mig-enabled", false)).devices())
        .isEqualTo(new DeviceSelection.Indices(List.of(1, 2)));
    assertThat(
            only(entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", 7.0)))
                .migDevices())
        .containsEntry(ProfileName.parse("1g.5gb"), 7);
    for (Object notWhole : List.of(1.5, Double.NaN, Double.POSITIVE_INFINITY, 1e20)) {
      expectError(
          entry("devices", list(notWhole), "mig-enabled", false), "mig-configs.c[0].devices[0]");
      expectError(
          entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", notWhole)),
          "mig-configs.c[0].mig-devices.\"1g.5gb\"");
    }
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", "7")),
            "mig-configs.c[0].mig-devices.\"1g.5gb\"")
        .hasMessageContaining("the string \"7\" is not a count");
  }

  @Test
  void migEnabledRefusesWhatIsNotABoolean() {
    expectError(entry("devices", "all", "mig-enabled", "maybe"), "mig-configs.c[0].mig-enabled")
        .hasMessageContaining("\"maybe\" is not a boolean")
        .hasMessageContaining("true or false");
    expectError(entry("devices", "all", "mig-enabled", 1), "mig-configs.c[0].mig-enabled");
    expectError(entry("devices", "all", "mig-enabled", list()), "mig-configs.c[0].mig-enabled");
  }

  @Test
  void aNullMigEnabledIsFalseAsInMigParted() {
    assertThat(only(entry("devices", "all", "mig-enabled", null)).migEnabled()).isFalse();
  }

  @Test
  void migDevicesIsRequiredWhenEnabledAndMayBeEmpty() {
    expectError(entry("devices", "all", "mig-enabled", true), "mig-configs.c[0].mig-devices")
        .hasMessageContaining("required when mig-enabled is true")
        .hasMessageContaining("mig-devices: {}");
    expectError(
        entry("devices", "all", "mig-enabled", true, "mig-devices", null),
        "mig-configs.c[0].mig-devices");
    assertThat(only(entry("devices", "all", "mig-enabled", true, "mig-devices", map())))
        .returns(true, ConfigEntry::migEnabled)
        .returns(Map.of(), ConfigEntry::migDevices);
  }

  @Test
  void migDevicesMustBeEmptyWhenDisabled() {
    expectError(
            entry("devices", "all", "mig-enabled", false, "mig-devices", map("1g.5gb", 7)),
            "mig-configs.c[0].mig-devices")
        .hasMessageContaining("mig-enabled is false");
    assertThat(
            only(entry("devices", "all", "mig-enabled", false, "mig-devices", map())).migDevices())
        .isEmpty();
    assertThat(
            only(entry("devices", "all", "mig-enabled", false, "mig-devices", null)).migDevices())
        .isEmpty();
  }

  @Test
  void aNonEmptyMigDevicesNeedsACountAboveZero() {
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", 0)),
            "mig-configs.c[0].mig-devices")
        .hasMessageContaining("every count is 0");
    expectError(
        entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", null)),
        "mig-configs.c[0].mig-devices");
    ConfigEntry e =
        only(
            entry(
                "devices",
                "all",
                "mig-enabled",
                true,
                "mig-devices",
                map("1g.5gb", 0, "2g.10gb", 3)));
    assertThat(e.migDevices())
        .containsEntry(ProfileName.parse("1g.5gb"), 0)
        .containsEntry(ProfileName.parse("2g.10gb"), 3);
  }

  @Test
  void countsAreWholeNumbersFromZero() {
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", -1)),
            "mig-configs.c[0].mig-devices.\"1g.5gb\"")
        .hasMessageContaining("the number -1 is not a count");
    expectError(
        entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", "7")),
        "mig-configs.c[0].mig-devices.\"1g.5gb\"");
    expectError(
        entry("devices", "all", "mig-enabled", true, "mig-devices", map("1g.5gb", 1.5)),
        "mig-configs.c[0].mig-devices.\"1g.5gb\"");
  }

  @Test
  void aMalformedProfileIsReportedAtItsKey() {
    Object tree =
        map(
            "version",
            "v1",
            "mig-configs",
            map(
                "custom",
                list(
                    map("devices", list(0), "mig-enabled", false),
                    map("devices", list(1), "mig-enabled", true, "mig-devices", map("bogus", 2)))));
    expectError(tree, "mig-configs.custom[1].mig-devices.\"bogus\"")
        .hasMessageContaining("\"bogus\" is not a MIG profile name");
  }

  @Test
  void aProfileThatNoGpuHasIsLeftForTheGpuCheck() {
    ConfigEntry e =
        only(entry("devices", "all", "mig-enabled", true, "mig-devices", map("3g.41gb", 1)));
    assertThat(e.migDevices()).containsOnlyKeys(ProfileName.parse("3g.41gb"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1g.5gb+me",
        "1g.24gb-me",
        "1g.24gb+me.all",
        "1g.24gb+gfx",
        "1g.5gb+me,gfx",
        "1c.3g.40gb",
        "8g.80gb",
        "7g.79gb"
      })
  void acceptsEveryProfileFormMigPartedAccepts(String profile) {
    ConfigEntry e =
        only(entry("devices", "all", "mig-enabled", true, "mig-devices", map(profile, 1)));
    assertThat(e.migDevices().keySet()).extracting(ProfileName::toString).containsExactly(profile);
  }

  @ParameterizedTest
  @ValueSource(strings = {" 1g.5gb", "1g.5gb ", "MIG 1g.5gb"})
  void profileKeysAreWrittenAsMigPartedReadsThem(String key) {
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-devices", map(key, 1)),
            "mig-configs.c[0].mig-devices.\"" + key + "\"")
        .hasMessageContaining("write \"1g.5gb\"");
  }

  @Test
  void twoSpellingsOfOneProfileAreRefused() {
    expectError(
            entry(
                "devices",
                "all",
                "mig-enabled",
                true,
                "mig-devices",
                map("3g.20gb", 1, "3c.3g.20gb", 1)),
            "mig-configs.c[0].mig-devices.\"3c.3g.20gb\"")
        .hasMessageContaining("same profile as \"3g.20gb\"");
  }

  @Test
  void aTemplatePlaceholderIsNamedAsOne() {
    // ComputeCanada puppet-magic_castle: mig-devices: ${to_json($mig_profile)}
    expectError(
            entry("devices", "all", "mig-enabled", true, "mig-devices", "${to_json($mig_profile)}"),
            "mig-configs.c[0].mig-devices")
        .hasMessageContaining("template placeholder")
        .hasMessageContaining("render the template first");
    expectError(
            entry("devices", "{{ .Values.devices }}", "mig-enabled", false),
            "mig-configs.c[0].devices")
        .hasMessageContaining("template placeholder");
  }

  @Test
  void deviceFilterIsAStringOrAListOfStrings() {
    assertThat(only(entry("device-filter", "MODEL", "devices", "all", "mig-enabled", false)))
        .returns(List.of(new DeviceFilter("MODEL")), ConfigEntry::deviceFilter);
    assertThat(
            only(
                entry(
                    "device-filter",
                    list("MODEL1", "MODEL2"),
                    "devices",
                    "all",
                    "mig-enabled",
                    false)))
        .returns(
            List.of(new DeviceFilter("MODEL1"), new DeviceFilter("MODEL2")),
            ConfigEntry::deviceFilter);
    // mig-parted treats an empty or null filter as none: the entry applies to every GPU.
    assertThat(only(entry("device-filter", "", "devices", "all", "mig-enabled", false)))
        .returns(List.of(), ConfigEntry::deviceFilter);
    assertThat(only(entry("device-filter", null, "devices", "all", "mig-enabled", false)))
        .returns(List.of(), ConfigEntry::deviceFilter);
  }

  @Test
  void anUnquotedPciIdIsANumberAndIsRefusedWithTheQuotedForm() {
    // YAML reads 0x20B010DE unquoted as the integer 548409566.
    expectError(
            entry("device-filter", 0x20B010DEL, "devices", "all", "mig-enabled", false),
            "mig-configs.c[0].device-filter")
        .hasMessageContaining("\"0x20B010DE\"");
    expectError(
        entry(
            "device-filter",
            list("0x20B010DE", 0x20B210DEL),
            "devices",
            "all",
            "mig-enabled",
            false),
        "mig-configs.c[0].device-filter[1]");
    expectError(
        entry("device-filter", map(), "devices", "all", "mig-enabled", false),
        "mig-configs.c[0].device-filter");
  }

  @Test
  void keysThatAreNotStringsBecomeStringsAsInMigParted() {
    Object tree =
        map(
            "version",
            "v1",
            "mig-configs",
            map(
                true,
                list(map("devices", "all", "mig-enabled", false)),
                7,
                list(map("devices", "all", "mig-enabled", false)),
                1e6,
                list(map("devices", "all", "mig-enabled", false)),
                2.5,
                list(map("devices", "all", "mig-enabled", false))));
    // Floats as Go's strconv.FormatFloat(v, 'g', -1, 32) writes them.
    assertThat(MigPartedConfigParser.parse(tree).configs())
        .containsOnlyKeys("true", "7", "1e+06", "2.5");
    assertThat(MigPartedConfigParser.parse(tree).configs().get("7").getFirst().path())
        .isEqualTo("mig-configs.7[0]");
    expectError(configs(null, list(map("devices", "all", "mig-enabled", false))), "mig-configs")
        .hasMessageContaining("empty (null) key");
  }

  @Test
  void configNamesWithSpacesAreQuotedInPaths() {
    expectError(configs("my config", list()), "mig-configs.\"my config\"");
  }

  @Test
  void aDocumentThatIsNotAMappingIsRefused() {
    expectError(list("version", "v1"), "").hasMessageContaining("expected a mig-parted config");
    expectError("version: v1", "").hasMessageContaining("the string \"version: v1\"");
  }

  @Test
  void pathsNameTheConfigEntryAndFieldAsTheBriefShows() {
    Object tree =
        map(
            "version",
            "v1",
            "mig-configs",
            map(
                "custom",
                list(
                    map("devices", list(0), "mig-enabled", false),
                    map(
                        "devices",
                        list(1),
                        "mig-enabled",
                        true,
                        "mig-devices",
                        map("3g.41gb", -2)))));
    assertThatThrownBy(() -> MigPartedConfigParser.parse(tree))
        .hasMessageStartingWith("mig-configs.custom[1].mig-devices.\"3g.41gb\": ");
  }

  // --- helpers -----------------------------------------------------------------------------

  private static AbstractThrowableAssert<?, ? extends Throwable> expectError(Object tree) {
    return assertThatThrownBy(() -> MigPartedConfigParser.parse(tree))
        .isInstanceOf(ConfigException.class);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> expectError(
      Object tree, String path) {
    return expectError(tree)
        .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo(path))
        .hasMessageStartingWith(path.isEmpty() ? "" : path + ": ");
  }

  private static ConfigEntry only(Object tree) {
    return MigPartedConfigParser.parse(tree).configs().get("c").getFirst();
  }

  /** A whole file with one config {@code c} holding one entry of these fields. */
  private static Object entry(Object... fields) {
    return configs("c", list(map(fields)));
  }

  private static Object configs(Object name, Object entries) {
    return map("version", "v1", "mig-configs", map(name, entries));
  }

  static Map<Object, Object> map(Object... keysAndValues) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static List<Object> list(Object... items) {
    return new ArrayList<>(Arrays.asList(items));
  }
}
