package io.migctl.nvidia.nvml;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external command, given as an argument list (never a shell string), and returns its exit
 * code and output. {@link NvmlMigDriver} needs one for the GPU reset NVML lacks ({@code nvidia-smi
 * -r}); tests pass a fake.
 */
@FunctionalInterface
public interface CommandRunner {

  /**
   * What the command did.
   *
   * @param exitCode the exit status; {@link #TIMED_OUT} when it ran too long and was killed
   * @param output standard output and standard error, interleaved
   */
  record Result(int exitCode, String output) {}

  /** The exit code reported for a command that ran past its time and was killed. */
  int TIMED_OUT = 124;

  /**
   * Runs {@code command} to completion.
   *
   * @throws IOException when it cannot be started (e.g. the program is not installed)
   */
  Result run(List<String> command) throws IOException, InterruptedException;

  /** Runs commands as child processes, killing any that runs longer than {@code timeout}. */
  static CommandRunner system(Duration timeout) {
    return new ProcessCommandRunner(timeout);
  }
}
