package io.migctl.daemon;

import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobSpecException;
import io.migctl.daemon.run.JobProcesses;
import io.migctl.daemon.run.ProcessLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a submission must pass to be able to start at all, checked before it is stored: its working
 * directory exists on this node, and the {@code execve} that launches it fits the node's {@link
 * ExecLimits}. The size rules are core's; this class reads the file system and names each string
 * that {@code execve} would get after the job field it comes from.
 */
final class StartChecks {
  private StartChecks() {}

  /**
   * @throws DaemonException {@code invalid} when the folder is missing, not a directory, or cannot
   *     be entered
   */
  static void checkWorkdir(String workdir) {
    Path dir = Path.of(workdir);
    if (!Files.exists(dir)) {
      throw DaemonException.invalid(
          "workdir: '"
              + workdir
              + "' does not exist on this node; create it first, or leave workdir out to run in"
              + " the job's own folder");
    }
    if (!Files.isDirectory(dir)) {
      throw DaemonException.invalid(
          "workdir: '" + workdir + "' is not a directory; give the folder the job runs in");
    }
    if (!Files.isExecutable(dir)) {
      throw DaemonException.invalid(
          "workdir: '"
              + workdir
              + "' cannot be entered by the daemon's user (no search permission); give a folder"
              + " it may enter");
    }
  }

  /**
   * Checks the supervisor's {@code execve} for {@code spec}: its command's arguments are named
   * {@code command[i]}, the job's own variables {@code env.NAME}, other variables of {@code
   * environment} {@code environment NAME}, and what migctl adds itself is counted but not blamed.
   *
   * @param environment the job's environment, from which {@code exec} was made
   * @throws DaemonException {@code invalid} naming the field, the size and the limit
   */
  static void checkExec(
      JobSpec spec, Map<String, String> environment, ProcessLauncher.Exec exec, ExecLimits limits) {
    if (surelyFits(exec, limits)) {
      return;
    }
    List<ExecLimits.Entry> argv = new ArrayList<>();
    // execve copies the program's path as well as the arguments.
    argv.add(new ExecLimits.Entry(Optional.empty(), exec.arguments().getFirst()));
    for (int i = 0; i < exec.arguments().size(); i++) {
      Optional<String> field =
          i < exec.commandFrom()
              ? Optional.empty()
              : Optional.of("command[" + (i - exec.commandFrom()) + "]");
      argv.add(new ExecLimits.Entry(field, exec.arguments().get(i)));
    }
    List<ExecLimits.Entry> envp = new ArrayList<>();
    exec.environment()
        .forEach(
            (name, value) -> {
              Optional<String> variable =
                  JobProcesses.carriedVariable(name, value)
                      .or(() -> Optional.of(name).filter(environment::containsKey));
              Optional<String> field =
                  variable.map(
                      v -> spec.variables().containsKey(v) ? "env." + v : "environment " + v);
              envp.add(new ExecLimits.Entry(field, name + "=" + value));
            });
    try {
      limits.check(argv, envp);
    } catch (JobSpecException e) {
      throw DaemonException.invalid(e.getMessage());
    }
  }

  /**
   * {@link ExecLimits#surelyFits} for {@code exec}'s strings, as {@link #checkExec} counts them.
   */
  private static boolean surelyFits(ProcessLauncher.Exec exec, ExecLimits limits) {
    // The program's path is copied besides the arguments.
    long strings = 1 + exec.arguments().size() + exec.environment().size();
    long longest = exec.arguments().getFirst().length();
    long chars = longest;
    for (String a : exec.arguments()) {
      chars += a.length();
      longest = Math.max(longest, a.length());
    }
    for (Map.Entry<String, String> e : exec.environment().entrySet()) {
      long nameValue = e.getKey().length() + 1L + e.getValue().length();
      chars += nameValue;
      longest = Math.max(longest, nameValue);
    }
    return limits.surelyFits(strings, chars, longest);
  }
}
