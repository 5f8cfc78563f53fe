package io.migctl.core.mig.config;

import static io.migctl.core.mig.config.MigPartedConfigParserTest.list;
import static io.migctl.core.mig.config.MigPartedConfigParserTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class HooksFileParserTest {

  @Test
  void readsHooksInFileOrder() {
    Object tree =
        map(
            "version",
            "v1",
            "hooks",
            map(
                "apply-start",
                list(
                    map(
                        "workdir",
                        "/etc/nvidia-mig-manager",
                        "command",
                        "/bin/bash",
                        "args",
                        list(
                            "-x",
                            "-c",
                            "source hooks.sh; apply-start ${MIG_PARTED_SELECTED_CONFIG}"),
                        "envs",
                        map("A", "1", "B", "two"))),
                "apply-exit",
                list(
                    map("command", "/bin/true"),
                    map("command", "/bin/sh", "args", list("-c", "exit 0")))));

    HooksFile hooks = HooksFileParser.parseHooks(tree);

    assertThat(hooks.hooks().keySet()).containsExactly("apply-start", "apply-exit");
    HookCommand start = hooks.commands(HooksFile.APPLY_START).getFirst();
    assertThat(start.command()).isEqualTo("/bin/bash");
    assertThat(start.args())
        .containsExactly("-x", "-c", "source hooks.sh; apply-start ${MIG_PARTED_SELECTED_CONFIG}");
    assertThat(start.envs()).containsExactly(Map.entry("A", "1"), Map.entry("B", "two"));
    assertThat(start.workdir()).contains("/etc/nvidia-mig-manager");
    assertThat(hooks.commands(HooksFile.APPLY_EXIT))
        .extracting(HookCommand::command)
        .containsExactly("/bin/true", "/bin/sh");
    assertThat(hooks.commands(HooksFile.APPLY_EXIT).getFirst())
        .returns(List.of(), HookCommand::args)
        .returns(Map.of(), HookCommand::envs)
        .returns(Optional.empty(), HookCommand::workdir);
    assertThat(hooks.commands(HooksFile.PRE_APPLY_MODE)).isEmpty();
  }

  @Test
  void emptyDocumentsAndEmptyHooksHaveNoCommands() {
    assertThat(HooksFileParser.parseHooks(null).hooks()).isEmpty();
    assertThat(HooksFileParser.parseHooks(map("version", "v1")).hooks()).isEmpty();
    assertThat(HooksFileParser.parseHooks(map("version", "v1", "hooks", null)).hooks()).isEmpty();
    assertThat(
            HooksFileParser.parseHooks(map("version", "v1", "hooks", map("apply-exit", null)))
                .commands(HooksFile.APPLY_EXIT))
        .isEmpty();
  }

  @Test
  void unknownFieldsAndHookNamesAreKeptOrIgnoredAsMigPartedDoes() {
    HooksFile hooks =
        HooksFileParser.parseHooks(
            map(
                "version",
                "v1",
                "comment",
                "not a field mig-parted knows",
                "hooks",
                map("post-apply", list(map("command", "/bin/true", "timeout", 30)))));
    assertThat(hooks.commands("post-apply"))
        .extracting(HookCommand::command)
        .containsExactly("/bin/true");
  }

  @Test
  void versionWhenGivenIsV1() {
    assertThat(
            HooksFileParser.parseHooks(map("hooks", map("apply-exit", list(map("command", "x")))))
                .commands(HooksFile.APPLY_EXIT))
        .hasSize(1);
    expectError(map("version", "v2", "hooks", map()), "version")
        .hasMessageContaining("\"v2\"")
        .hasMessageContaining("version: v1");
  }

  @Test
  void commandIsRequired() {
    expectError(
            map("version", "v1", "hooks", map("apply-start", list(map("args", list("-c"))))),
            "hooks.apply-start[0].command")
        .hasMessageContaining("is missing");
    expectError(
        map("version", "v1", "hooks", map("apply-start", list(map("command", "")))),
        "hooks.apply-start[0].command");
    expectError(
            map("version", "v1", "hooks", map("apply-start", list((Object) null))),
            "hooks.apply-start[0]")
        .hasMessageContaining("command:");
  }

  @Test
  void scalarsWhereStringsAreExpectedBecomeStrings() {
    HookCommand c =
        HooksFileParser.parseHooks(
                map(
                    "version",
                    "v1",
                    "hooks",
                    map(
                        "apply-exit",
                        list(
                            map(
                                "command",
                                "/bin/echo",
                                "args",
                                list(1, true, 2.5, null),
                                "envs",
                                map("N", 3L, "B", false, "E", null),
                                "workdir",
                                "")))))
            .commands(HooksFile.APPLY_EXIT)
            .getFirst();
    assertThat(c.args()).containsExactly("1", "true", "2.5", "");
    assertThat(c.envs())
        .containsExactly(Map.entry("N", "3"), Map.entry("B", "false"), Map.entry("E", ""));
    assertThat(c.workdir()).isEmpty();
  }

  /**
   * mig-parted's YAML-to-JSON step turns a number where a string is expected into Go's {@code
   * strconv.FormatFloat(v, 'g', -1, 32)} of it (integers as integers), so these are its strings.
   */
  @Test
  void numbersBecomeTheStringsMigPartedMakesOfThem() {
    Map<Object, String> expected = new LinkedHashMap<>();
    expected.put(1.0, "1");
    expected.put(1e6, "1e+06");
    expected.put(100000.0, "100000");
    expected.put(0.0001, "0.0001");
    expected.put(0.00001, "1e-05");
    expected.put(-2.5, "-2.5");
    expected.put(123456789.0, "1.2345679e+08");
    expected.put(3.14159265, "3.1415927");
    expected.put(1e21, "1e+21");
    expected.put(0.0, "0");
    expected.put(Double.POSITIVE_INFINITY, "+Inf");
    expected.put(new BigInteger("18446744073709551615"), "18446744073709551615");
    expected.forEach(
        (value, text) ->
            assertThat(
                    HooksFileParser.parseHooks(
                            map(
                                "hooks",
                                map("h", list(map("command", "/bin/echo", "args", list(value))))))
                        .commands("h")
                        .getFirst()
                        .args())
                .as("%s", value)
                .containsExactly(text));
  }

  @Test
  void valuesThatCannotBeStringsAreRefused() {
    expectError(
            map(
                "version",
                "v1",
                "hooks",
                map("apply-exit", list(map("command", "/bin/sh", "args", "-c true")))),
            "hooks.apply-exit[0].args")
        .hasMessageContaining("not a list of strings");
    expectError(
        map("version", "v1", "hooks", map("apply-exit", list(map("command", map("a", 1))))),
        "hooks.apply-exit[0].command");
    expectError(
        map(
            "version",
            "v1",
            "hooks",
            map("apply-exit", list(map("command", "/bin/sh", "args", list(list("-c")))))),
        "hooks.apply-exit[0].args[0]");
    expectError(
        map(
            "version",
            "v1",
            "hooks",
            map("apply-exit", list(map("command", "/bin/sh", "envs", list("A=1"))))),
        "hooks.apply-exit[0].envs");
    expectError(
        map(
            "version",
            "v1",
            "hooks",
            map("apply-exit", list(map("command", "/bin/sh", "envs", map("A=B", "1"))))),
        "hooks.apply-exit[0].envs.\"A=B\"");
  }

  @Test
  void aHookThatIsNotAListIsRefused() {
    expectError(
            map("version", "v1", "hooks", map("apply-exit", map("command", "/bin/true"))),
            "hooks.apply-exit")
        .hasMessageContaining("put a - before command");
    expectError(map("version", "v1", "hooks", list()), "hooks");
    expectError(list(), "");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> expectError(
      Object tree, String path) {
    return assertThatThrownBy(() -> HooksFileParser.parseHooks(tree))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo(path));
  }
}
