package io.migctl.daemon;

import io.migctl.daemon.container.ContainerOptions;
import io.migctl.daemon.run.HostPrograms;
import io.migctl.testing.RequiredTools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A container engine of a test's own, kept in a private folder (never the host's engine or store),
 * with the image {@link #IMAGE} imported from a tree holding a static busybox (there is no
 * registry). Docker and Podman take the same client commands ({@code import}, {@code ps}, {@code
 * logs}, {@code rm}), which {@link #run} sends with the engine's global options.
 */
abstract class PrivateEngine implements AutoCloseable {

  /** A busybox image: {@code sh}, {@code ls}, {@code sleep}, {@code cat} and the rest. */
  static final String IMAGE = "migctl-test:busybox";

  /** The engine's folder. */
  final Path dir;

  private final List<String> client;

  /**
   * @param client the client and its global options, which reach this engine only
   */
  PrivateEngine(Path dir, List<String> client) {
    this.dir = dir;
    this.client = List.copyOf(client);
  }

  /** How the daemon is to reach this engine. */
  abstract ContainerOptions options();

  /** Stops the engine, removing its containers, images and folder. */
  @Override
  public abstract void close() throws IOException;

  /**
   * The engine's folder, short (a socket's path must fit a sockaddr_un); skips the test (fails
   * under {@code MIGCTL_REQUIRE_TOOLS=1}) when not root.
   */
  static Path privateDir(String engine) throws IOException {
    RequiredTools.fromEnvironment()
        .require(
            "root".equals(System.getProperty("user.name")),
            () -> "a private " + engine + " engine needs root");
    return Files.createTempDirectory(Path.of("/tmp"), "m" + engine.substring(0, 2).toLowerCase());
  }

  /**
   * {@code name} on PATH; skips the test (fails under {@code MIGCTL_REQUIRE_TOOLS=1}) without it.
   */
  static Path program(String name, String installHint) {
    return RequiredTools.fromEnvironment()
        .require(
            HostPrograms.findProgram(name),
            () -> name + " is missing: apt-get install " + installHint);
  }

  /** Imports {@link #IMAGE} from a tree with a static busybox and its applets. */
  void importBusybox() throws IOException, InterruptedException {
    Path busybox =
        RequiredTools.fromEnvironment()
            .require(
                Stream.of("/usr/bin/busybox", "/bin/busybox")
                    .map(Path::of)
                    .filter(Files::isExecutable)
                    .findFirst(),
                () -> "a static busybox is missing: apt-get install busybox-static");
    Path tree = dir.resolve("rootfs");
    Files.createDirectories(tree.resolve("bin"));
    Files.createDirectories(tree.resolve("tmp"));
    Files.copy(busybox, tree.resolve("bin/busybox"));
    for (String applet : List.of("sh", "ls", "cat", "echo", "sleep", "env", "id")) {
      Files.createSymbolicLink(tree.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Path tar = dir.resolve("rootfs.tar");
    Process t =
        new ProcessBuilder("tar", "-C", tree.toString(), "-cf", tar.toString(), ".")
            .redirectErrorStream(true)
            .start();
    if (!t.waitFor(60, TimeUnit.SECONDS) || t.exitValue() != 0) {
      throw new IOException(
          "tar of the busybox tree failed: " + new String(t.getInputStream().readAllBytes()));
    }
    if (run("import", tar.toString(), IMAGE).isEmpty()) {
      throw new IOException(client.getFirst() + " import of " + tar + " failed");
    }
  }

  /** The names of the containers this engine has, running or not. */
  List<String> containers() {
    return run("ps", "--all", "--format", "{{.Names}}").orElseThrow().lines().toList();
  }

  /** Runs the client against this engine; its output when it succeeded. */
  Optional<String> run(String... args) {
    List<String> argv = new ArrayList<>(client);
    argv.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0
          ? Optional.of(out)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Removes what the tests left: every container, running or not. */
  void removeContainers() {
    run("ps", "--all", "--quiet")
        .ifPresent(ids -> ids.lines().forEach(c -> run("rm", "--force", c)));
  }

  /** Deletes the engine's folder. */
  void deleteDir() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
