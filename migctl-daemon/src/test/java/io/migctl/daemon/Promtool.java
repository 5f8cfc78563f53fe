package io.migctl.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.fail;

import io.migctl.testing.RequiredTools;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' {@code promtool}: {@code $PROMTOOL} where that is set, else the first on {@code
 * PATH}, else {@code /usr/bin/promtool}. Without it, tests that need it are skipped, or fail where
 * {@code MIGCTL_REQUIRE_TOOLS=1} (CI).
 */
record Promtool(Path executable) {

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static Optional<Path> find() {
    List<Path> candidates = new ArrayList<>();
    String explicit = System.getenv("PROMTOOL");
    if (explicit != null && !explicit.isBlank()) {
      // Set: that one or none (PROMTOOL=/nonexistent shows what happens without promtool).
      Path p = Path.of(explicit);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          candidates.add(Path.of(dir, "promtool"));
        }
      }
    }
    candidates.add(Path.of("/usr/bin/promtool"));
    return candidates.stream()
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /** The promtool to use; skips the calling test without one, or fails it in CI. */
  static Promtool require() {
    return new Promtool(
        RequiredTools.fromEnvironment()
            .require(
                find(),
                () ->
                    "promtool was not found ($PROMTOOL, else PATH and /usr/bin/promtool). Install"
                        + " it with 'apt-get install prometheus' (Debian/Ubuntu; or take promtool"
                        + " from a Prometheus release tarball and set PROMTOOL=/path/to/promtool)."));
  }

  /** Runs promtool with these arguments in {@code dir}; standard error is merged into output. */
  Result run(Path dir, List<String> args) {
    return run(dir, args, new byte[0]);
  }

  /**
   * {@code promtool check metrics} on an exposition. It lints names too (DCGM's upper-case names,
   * counters without {@code _total}); only a parse error prints "error while linting".
   */
  Result checkMetrics(String exposition) {
    return run(Path.of("."), List.of("check", "metrics"), exposition.getBytes(UTF_8));
  }

  private Result run(Path dir, List<String> args, byte[] input) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(args);
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      try (var stdin = p.getOutputStream()) {
        stdin.write(input);
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("promtool did not finish within 60 s: " + command);
      }
      return new Result(p.exitValue(), new String(out, UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  Result run(Path dir, String... args) {
    return run(dir, List.of(args));
  }
}
