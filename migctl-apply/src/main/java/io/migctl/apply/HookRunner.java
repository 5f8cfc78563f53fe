package io.migctl.apply;

import io.migctl.core.mig.config.HookCommand;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs the commands of one hook of a mig-parted hooks file, as mig-parted does ({@code
 * api/hooks/v1/hooks.go}):
 *
 * <ul>
 *   <li>each command runs as an argument list ({@code command} then {@code args}), never through a
 *       shell; a command without a slash is looked up on this process's {@code PATH};
 *   <li>nothing is expanded: {@code $VAR} and {@code ${VAR}} reach the program as written, so a
 *       hook like {@code /bin/bash -c 'apply-start ${MIG_PARTED_SELECTED_CONFIG}'} has the shell
 *       expand them from the environment;
 *   <li>the environment is the base environment, then the entry's {@code envs}, then the apply's
 *       variables ({@link #migPartedEnvironment}); later ones win. mig-parted passes no base
 *       environment at all (its hooks see only {@code envs} and its own variables), which is what
 *       {@link #asMigParted} does; a caller that wants hooks to see its own environment passes it
 *       as the base, so that the entries' {@code envs} still win over it;
 *   <li>{@code workdir}, when given, is the working directory; else this process's;
 *   <li>standard input is empty; standard output and error, merged, go line by line to the given
 *       consumer (mig-parted shows them only with {@code --debug}; pass a consumer that drops them
 *       for that);
 *   <li>as in mig-parted, a command may run as long as it takes: there is no time limit;
 *   <li>the commands run in file order and the first that fails stops the hook: its exit status is
 *       not 0, it cannot start, or its directory does not exist. A hook the file does not have does
 *       nothing.
 * </ul>
 *
 * <p>When mig-parted runs which hook, so that callers can do the same: {@code apply-start} first,
 * before anything is checked (if it fails, the apply stops and {@code apply-exit} does not run);
 * {@code pre-apply-mode} only when some GPU's MIG mode has to change, right before changing it;
 * {@code pre-apply-config} only when the MIG devices have to change (not with {@code --mode-only}),
 * right before changing them; {@code apply-exit} last, once {@code apply-start} has succeeded,
 * whether the apply succeeded or failed. A failing {@code apply-exit} fails an apply that had
 * succeeded; after a failed apply its error is only logged. A failing {@code pre-apply-*} hook
 * stops the apply before the change.
 *
 * <p>Commands run through a {@link ToolRunner}, so that tests choose what runs. {@link #run} may be
 * called from one thread at a time.
 */
public final class HookRunner {

  private final ToolRunner tools;
  private final HooksFile hooks;
  private final Map<String, String> baseEnvironment;
  private final Map<String, String> applyEnvironment;
  private final Consumer<String> output;

  /**
   * @param tools what runs the commands
   * @param hooks the hooks file
   * @param baseEnvironment what every hook's environment starts from: {@code Map.of()} as in
   *     mig-parted, or this process's environment to let hooks see it
   * @param applyEnvironment the apply's variables, which win over the entries' {@code envs}; see
   *     {@link #migPartedEnvironment}
   * @param output receives the commands' output, line by line
   */
  public HookRunner(
      ToolRunner tools,
      HooksFile hooks,
      Map<String, String> baseEnvironment,
      Map<String, String> applyEnvironment,
      Consumer<String> output) {
    this.tools = tools;
    this.hooks = hooks;
    this.baseEnvironment = Map.copyOf(baseEnvironment);
    this.applyEnvironment = Map.copyOf(applyEnvironment);
    this.output = output;
  }

  /**
   * Runs hooks exactly as mig-parted does: no inherited environment, only the entries' {@code envs}
   * and {@code applyEnvironment} (which wins).
   */
  public static HookRunner asMigParted(
      ToolRunner tools,
      HooksFile hooks,
      Map<String, String> applyEnvironment,
      Consumer<String> output) {
    return new HookRunner(tools, hooks, Map.of(), applyEnvironment, output);
  }

  /**
   * The variables mig-parted gives every hook of an apply: the values of its apply flags, as {@code
   * fmt.Sprintf("%v")} prints them.
   *
   * @param configFile the config file as given ({@code -} for standard input)
   * @param selectedConfig the config being applied (its name even when it was chosen as the file's
   *     only one)
   * @param hooksFile the hooks file as given
   * @param skipReset whether GPU resets are skipped
   * @param modeOnly whether only MIG modes are applied
   */
  public static Map<String, String> migPartedEnvironment(
      String configFile,
      String selectedConfig,
      String hooksFile,
      boolean skipReset,
      boolean modeOnly) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MIG_PARTED_CONFIG_FILE", configFile);
    env.put("MIG_PARTED_SELECTED_CONFIG", selectedConfig);
    env.put("MIG_PARTED_HOOKS_FILE", hooksFile);
    env.put("MIG_PARTED_SKIP_RESET", Boolean.toString(skipReset));
    env.put("MIG_PARTED_MODE_CHANGE_ONLY", Boolean.toString(modeOnly));
    return env;
  }

  /**
   * Runs every command of {@code hook}, in order, stopping at the first that fails. A hook the file
   * does not have does nothing.
   *
   * @param hook the hook's name, e.g. {@link HooksFile#APPLY_START}
   * @throws HookFailedException naming the hook, the command and why it failed
   */
  public void run(String hook) {
    List<HookCommand> commands = hooks.commands(hook);
    for (int i = 0; i < commands.size(); i++) {
      runOne(hook, i, commands.get(i));
    }
  }

  private void runOne(String hook, int index, HookCommand c) {
    List<String> argv = new ArrayList<>();
    argv.add(c.command());
    argv.addAll(c.args());
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
    env.putAll(c.envs());
    env.putAll(applyEnvironment);
    Optional<Path> workdir = c.workdir().filter(w -> !w.isEmpty()).map(Path::of);
    ToolCommand command =
        ToolCommand.of(argv)
            .withWorkdir(workdir)
            .withExactEnvironment(env)
            .withOutput(ToolCommand.Output.MERGED)
            .withCaptureLimit(0);
    ToolResult result;
    try {
      // BufferedReader.readLine's lines, as before: a line's '\r' before its '\n' is dropped.
      result = tools.run(command, (stream, line) -> output.accept(line.replaceFirst("\r$", "")));
    } catch (IOException e) {
      throw new HookFailedException(
          hook,
          index,
          argv,
          -1,
          "could not start"
              + workdir.map(w -> " in " + w).orElse("")
              + ": "
              + e.getMessage()
              + "; check that the command exists (an absolute path is safest) and the workdir"
              + " exists");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HookFailedException(hook, index, argv, -1, "was interrupted");
    }
    switch (result.ending()) {
      case ToolResult.Exited(int status) when status == 0 -> {}
      case ToolResult.Exited(int status) ->
          throw new HookFailedException(hook, index, argv, status, "exited with status " + status);
      case ToolResult.TimedOut(java.time.Duration limit) ->
          throw new HookFailedException(hook, index, argv, -1, "ran longer than " + limit);
    }
  }

  /** A hook command failed; the hook's later commands did not run. */
  public static final class HookFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String hook;
    private final int index;
    private final int exitCode;

    HookFailedException(String hook, int index, List<String> argv, int exitCode, String why) {
      super(
          "hook " + hook + ", command " + (index + 1) + " (" + String.join(" ", argv) + ") " + why);
      this.hook = hook;
      this.index = index;
      this.exitCode = exitCode;
    }

    /** The hook's name, e.g. {@code apply-start}. */
    public String hook() {
      return hook;
    }

    /** Which command of the hook failed, from 0. */
    public int index() {
      return index;
    }

    /** The command's exit status, or -1 when it did not run to an exit. */
    public int exitCode() {
      return exitCode;
    }
  }
}
