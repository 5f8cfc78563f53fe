package io.migctl.env;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a program as an argument list (never a shell string), streaming its standard output line by
 * line (conda's NUL-separated documents arrive as lines split at NUL or newline as the caller
 * chooses) and writing everything it prints to a log.
 */
public interface ProcessRunner {

  /** What a run ended with. */
  record Result(int exitCode, String stdout, String stderr, boolean timedOut) {}

  /**
   * Runs {@code command} with {@code environment} added to this process's environment.
   *
   * @param stdoutChunks receives standard output as it arrives, in chunks split at '\n' or '\0'
   *     (the separator dropped)
   * @param log appended with everything the program prints
   */
  Result run(
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      Duration timeout,
      Consumer<String> stdoutChunks,
      Path log)
      throws IOException, InterruptedException;
}
