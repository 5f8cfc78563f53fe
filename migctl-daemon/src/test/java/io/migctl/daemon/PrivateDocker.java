package io.migctl.daemon;

import io.migctl.testing.RequiredTools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker engine of a test's own: {@code dockerd} on a private socket, data and exec folders
 * (never the system's engine), without iptables or a bridge, with the image {@link #IMAGE} imported
 * from a tree holding a static busybox (there is no registry). {@link #close} stops it and removes
 * its folders.
 */
final class PrivateDocker implements AutoCloseable {

  /** A busybox image: {@code sh}, {@code ls}, {@code sleep}, {@code cat} and the rest. */
  static final String IMAGE = "migctl-test:busybox";

  private final Path dir;
  private final Process dockerd;
  private final Path docker;

  private PrivateDocker(Path dir, Process dockerd, Path docker) {
    this.dir = dir;
    this.dockerd = dockerd;
    this.docker = docker;
  }

  /**
   * Starts the engine and imports the image; skips the test (fails under {@code
   * MIGCTL_REQUIRE_TOOLS=1}) when root, {@code dockerd}, {@code docker} or a static busybox is
   * missing.
   */
  static PrivateDocker start() throws IOException, InterruptedException {
    RequiredTools tools = RequiredTools.fromEnvironment();
    tools.require(
        "root".equals(System.getProperty("user.name")), () -> "a private Docker engine needs root");
    Path dockerd =
        tools.require(program("dockerd"), () -> "dockerd is missing: apt-get install docker.io");
    Path docker =
        tools.require(program("docker"), () -> "docker is missing: apt-get install docker.io");
    Path busybox =
        tools.require(
            Stream.of("/usr/bin/busybox", "/bin/busybox")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst(),
            () -> "a static busybox is missing: apt-get install busybox-static");
    // Short: the socket's path must fit a sockaddr_un.
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "mdk");
    Process p =
        new ProcessBuilder(
                dockerd.toString(),
                "--iptables=false",
                "--bridge=none",
                "--data-root=" + dir.resolve("data"),
                "--exec-root=" + dir.resolve("exec"),
                "--pidfile=" + dir.resolve("pid"),
                "--host=unix://" + dir.resolve("docker.sock"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dockerd.log").toFile())
            .start();
    PrivateDocker d = new PrivateDocker(dir, p, docker);
    try {
      TestDaemon.await(
          "dockerd to answer (" + dir.resolve("dockerd.log") + ")",
          Duration.ofSeconds(60),
          () -> d.run("version").isPresent());
      d.importBusybox(busybox);
      return d;
    } catch (RuntimeException | IOException | InterruptedException e) {
      d.close();
      throw e;
    }
  }

  /** The engine's address, as {@code --docker-host} takes it. */
  String host() {
    return "unix://" + dir.resolve("docker.sock");
  }

  /** The names of the containers this engine has, running or not. */
  List<String> containers() {
    return run("ps", "--all", "--format", "{{.Names}}").orElseThrow().lines().toList();
  }

  private void importBusybox(Path busybox) throws IOException, InterruptedException {
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
      throw new IOException("docker import of " + tar + " failed");
    }
  }

  /** Runs the client against this engine; its output when it succeeded. */
  Optional<String> run(String... args) {
    List<String> argv = new ArrayList<>(List.of(docker.toString(), "--host=" + host()));
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

  @Override
  public void close() throws IOException {
    run("ps", "--all", "--quiet")
        .ifPresent(ids -> ids.lines().forEach(c -> run("rm", "--force", c)));
    dockerd.destroy();
    try {
      if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
        dockerd.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted stopping dockerd", e);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private static Optional<Path> program(String name) {
    return io.migctl.daemon.run.HostPrograms.findProgram(name);
  }
}
