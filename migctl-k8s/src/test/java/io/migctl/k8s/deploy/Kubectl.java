package io.migctl.k8s.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kubectl} client: {@code $KUBECTL} where that is set, else {@code /usr/bin/kubectl}
 * (where Debian's package puts it). It runs with a home folder of its own and no {@code
 * KUBECONFIG}, so a developer's clusters are never contacted. Without it, tests that need it are
 * skipped, or fail where {@code MIGCTL_REQUIRE_TOOLS=1} (CI).
 */
record Kubectl(Path executable, Path home) {

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static Optional<Path> find() {
    String explicit = System.getenv("KUBECTL");
    Path p = Path.of(explicit == null || explicit.isBlank() ? "/usr/bin/kubectl" : explicit);
    return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * The kubectl to use, with {@code home} as its home; skips the test without one (fails in CI).
   */
  static Kubectl require(Path home) {
    return new Kubectl(
        RequiredTools.fromEnvironment()
            .require(
                find(),
                () ->
                    "kubectl was not found ($KUBECTL, else /usr/bin/kubectl). Install it"
                        + " with 'apt-get install kubernetes-client' (Debian)"),
        home);
  }

  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("KUBECONFIG");
    pb.environment().put("HOME", home.toString());
    return run(pb);
  }

  /** Runs {@code pb} to its end, its standard error merged into the output. */
  static Result run(ProcessBuilder pb) {
    pb.redirectErrorStream(true);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("did not end: " + pb.command());
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + pb.command(), e);
    }
  }
}
