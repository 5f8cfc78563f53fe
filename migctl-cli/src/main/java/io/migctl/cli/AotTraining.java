package io.migctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the JDK's ahead-of-time cache: runs the short commands users type most, in
 * one JVM, on a simulated node in a temporary {@code MIGCTL_HOME}, so that the build can record the
 * classes they load ({@code java -XX:AOTCacheOutput=... -cp migctl.jar io.migctl.cli.AotTraining})
 * and {@code ./migctl} can start them from the cache. {@code jobs} runs with no daemon to reach: it
 * still loads the HTTP client and the JSON reading it needs.
 */
public final class AotTraining {

  /** The commands trained, each with the exit code it must end with. */
  static final List<Run> RUNS =
      List.of(
          new Run(List.of("--version"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "gpus"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "profiles"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "gpus", "--json"), ExitCode.OK),
          new Run(List.of("jobs"), ExitCode.DAEMON_UNREACHABLE));

  /**
   * One trained command.
   *
   * @param args its arguments after {@code migctl}
   * @param exitCode the exit code it ends with when all is well
   */
  record Run(List<String> args, int exitCode) {}

  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    Path home = Files.createTempDirectory("migctl-aot-");
    try {
      train(home);
    } finally {
      deleteTree(home);
    }
  }

  /**
   * Runs every command of {@link #RUNS} with {@code home} as {@code MIGCTL_HOME}.
   *
   * @throws IllegalStateException when one ends with another exit code than expected
   */
  static void train(Path home) {
    // No daemon listens on port 1: 'jobs' fails at once, as it does when none runs.
    Map<String, String> env =
        Map.of("MIGCTL_HOME", home.toString(), "MIGCTL_URL", "http://127.0.0.1:1");
    for (Run run : RUNS) {
      StringWriter sink = new StringWriter();
      int code;
      try (PrintWriter out = new PrintWriter(sink);
          PrintWriter err = new PrintWriter(sink)) {
        code = Main.execute(new CliContext(env, home), run.args().toArray(String[]::new), out, err);
      }
      if (code != run.exitCode()) {
        throw new IllegalStateException(
            "AOT training: 'migctl "
                + String.join(" ", run.args())
                + "' ended with "
                + code
                + ", not "
                + run.exitCode()
                + ": "
                + sink);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
