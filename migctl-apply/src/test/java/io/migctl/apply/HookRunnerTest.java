package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.config.HookCommand;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.process.ScriptedToolRunner;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real, harmless programs ({@code /bin/sh}, {@code /bin/echo}, {@code /usr/bin/env}), and
 * scripted ones where only the command lines matter.
 */
class HookRunnerTest {

  private final List<String> lines = new ArrayList<>();

  private static HookCommand cmd(String command, String... args) {
    return new HookCommand(command, List.of(args), Map.of(), Optional.empty());
  }

  private static HooksFile hooks(String name, HookCommand... commands) {
    return new HooksFile(Map.of(name, List.of(commands)));
  }

  private HookRunner runner(HooksFile file, Map<String, String> base, Map<String, String> apply) {
    return new HookRunner(new SystemToolRunner(), file, base, apply, lines::add);
  }

  @Test
  void runsTheCommandsInOrderWithTheirOutputMerged() {
    HooksFile file =
        hooks(
            HooksFile.APPLY_EXIT,
            cmd("/bin/sh", "-c", "echo one"),
            cmd("/bin/sh", "-c", "echo two >&2"),
            cmd("/bin/sh", "-c", "printf three"));
    HookRunner.asMigParted(new SystemToolRunner(), file, Map.of(), lines::add)
        .run(HooksFile.APPLY_EXIT);
    assertThat(lines).containsExactly("one", "two", "three");
  }

  @Test
  void theEnvironmentIsBaseThenEnvsThenTheApplysVariables() {
    HookCommand c =
        new HookCommand(
            "/bin/sh",
            List.of("-c", "echo \"$A $B $MIG_PARTED_SELECTED_CONFIG\""),
            Map.of("B", "entry", "MIG_PARTED_SELECTED_CONFIG", "entry"),
            Optional.empty());
    runner(
            hooks(HooksFile.APPLY_START, c),
            Map.of("A", "base", "B", "base"),
            Map.of("MIG_PARTED_SELECTED_CONFIG", "custom"))
        .run(HooksFile.APPLY_START);
    assertThat(lines).containsExactly("base entry custom");
  }

  @Test
  void likeMigPartedAHookSeesOnlyItsEnvsAndTheApplysVariables() {
    HookCommand c = new HookCommand("/usr/bin/env", List.of(), Map.of("X", "1"), Optional.empty());
    Map<String, String> apply =
        HookRunner.migPartedEnvironment("config.yaml", "all-disabled", "hooks.yaml", true, false);
    HookRunner.asMigParted(
            new SystemToolRunner(), hooks(HooksFile.PRE_APPLY_MODE, c), apply, lines::add)
        .run(HooksFile.PRE_APPLY_MODE);
    assertThat(lines)
        .containsExactlyInAnyOrder(
            "X=1",
            "MIG_PARTED_CONFIG_FILE=config.yaml",
            "MIG_PARTED_SELECTED_CONFIG=all-disabled",
            "MIG_PARTED_HOOKS_FILE=hooks.yaml",
            "MIG_PARTED_SKIP_RESET=true",
            "MIG_PARTED_MODE_CHANGE_ONLY=false");
  }

  @Test
  void nothingIsExpandedButAShellExpandsFromTheEnvironment() {
    HookCommand literal = cmd("/bin/echo", "$HOME", "${X}");
    HookCommand shell =
        new HookCommand(
            "/bin/sh", List.of("-c", "echo ${X} $Y"), Map.of("X", "hello"), Optional.empty());
    runner(hooks(HooksFile.APPLY_START, literal, shell), Map.of(), Map.of("Y", "world"))
        .run(HooksFile.APPLY_START);
    assertThat(lines).containsExactly("$HOME ${X}", "hello world");
  }

  @Test
  void runsInTheWorkdir(@TempDir Path dir) throws IOException {
    HookCommand c = new HookCommand("/bin/pwd", List.of(), Map.of(), Optional.of(dir.toString()));
    runner(hooks(HooksFile.APPLY_EXIT, c), Map.of(), Map.of()).run(HooksFile.APPLY_EXIT);
    assertThat(lines).hasSize(1);
    assertThat(Path.of(lines.getFirst()).toRealPath()).isEqualTo(dir.toRealPath());
  }

  @Test
  void stopsAtTheFirstCommandThatFailsNamingHookCommandAndExitCode() {
    HooksFile file =
        hooks(
            HooksFile.PRE_APPLY_CONFIG,
            cmd("/bin/sh", "-c", "echo before"),
            cmd("/bin/sh", "-c", "exit 3"),
            cmd("/bin/sh", "-c", "echo never"));
    assertThatThrownBy(() -> runner(file, Map.of(), Map.of()).run(HooksFile.PRE_APPLY_CONFIG))
        .isInstanceOfSatisfying(
            HookRunner.HookFailedException.class,
            e -> {
              assertThat(e.hook()).isEqualTo("pre-apply-config");
              assertThat(e.index()).isEqualTo(1);
              assertThat(e.exitCode()).isEqualTo(3);
            })
        .hasMessage("hook pre-apply-config, command 2 (/bin/sh -c exit 3) exited with status 3");
    assertThat(lines).containsExactly("before");
  }

  @Test
  void aCommandThatCannotStartFailsTheHook(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-program");
    assertThatThrownBy(
            () ->
                runner(hooks(HooksFile.APPLY_START, cmd(missing.toString())), Map.of(), Map.of())
                    .run(HooksFile.APPLY_START))
        .isInstanceOfSatisfying(
            HookRunner.HookFailedException.class, e -> assertThat(e.exitCode()).isEqualTo(-1))
        .hasMessageContaining("hook apply-start, command 1")
        .hasMessageContaining("could not start");

    HookCommand inMissingDir =
        new HookCommand("/bin/true", List.of(), Map.of(), Optional.of(missing.toString()));
    assertThatThrownBy(
            () ->
                runner(hooks(HooksFile.APPLY_START, inMissingDir), Map.of(), Map.of())
                    .run(HooksFile.APPLY_START))
        .isInstanceOf(HookRunner.HookFailedException.class)
        .hasMessageContaining("could not start in " + missing);
  }

  @Test
  void aHookTheFileDoesNotHaveRunsNothing() {
    ScriptedToolRunner tools = new ScriptedToolRunner();
    new HookRunner(
            tools, hooks(HooksFile.APPLY_EXIT, cmd("/bin/true")), Map.of(), Map.of(), lines::add)
        .run(HooksFile.APPLY_START);
    assertThat(tools.calls()).isEmpty();
  }

  @Test
  void runsNvidiasDefaultHooksAsArgumentLists() throws IOException {
    String text =
        Files.readString(
            MigPartedFilesTest.shared(
                "reference/mig/configs-in-the-wild/"
                    + "NVIDIA__mig-parted__deployments_systemd_hooks-default.yaml"));
    HooksFile file = MigPartedFiles.readHooks(text, "hooks-default.yaml");
    ScriptedToolRunner tools = new ScriptedToolRunner();
    tools.when("/bin/bash").prints("+ source hooks.sh\r\n");
    Map<String, String> apply =
        HookRunner.migPartedEnvironment("config.yaml", "all-balanced", "hooks.yaml", false, false);

    new HookRunner(tools, file, Map.of(), apply, lines::add).run(HooksFile.APPLY_EXIT);

    assertThat(tools.argvs())
        .containsExactly(
            List.of("/bin/bash", "-x", "-c", "source hooks.sh; apply-exit"),
            List.of("/bin/bash", "-x", "-c", "source hooks.sh; refresh-cdi"));
    assertThat(tools.calls())
        .allSatisfy(
            c -> {
              assertThat(c.workdir()).contains(Path.of("/etc/nvidia-mig-manager"));
              assertThat(c.inheritEnvironment()).isFalse();
              assertThat(c.output()).isEqualTo(ToolCommand.Output.MERGED);
              assertThat(c.timeout()).as("mig-parted gives hooks no time limit").isEmpty();
            });
    assertThat(tools.calls().getFirst().environment())
        .containsEntry("MIG_PARTED_SELECTED_CONFIG", "all-balanced")
        .containsEntry("MIG_PARTED_SKIP_RESET", "false")
        .hasSize(5);
    assertThat(lines).containsExactly("+ source hooks.sh", "+ source hooks.sh");
  }
}
