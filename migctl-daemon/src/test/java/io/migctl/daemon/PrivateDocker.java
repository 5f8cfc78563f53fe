package io.migctl.daemon;

import io.migctl.daemon.container.ContainerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of a test's own: {@code dockerd} on a private socket, data and exec folders
 * (never the system's engine), without iptables or a bridge. {@link #close} stops it and removes
 * its folders.
 */
final class PrivateDocker extends PrivateEngine {

  private final Process dockerd;

  private PrivateDocker(Path dir, Process dockerd, Path docker) {
    super(dir, List.of(docker.toString(), "--host=" + host(dir)));
    this.dockerd = dockerd;
  }

  /**
   * Starts the engine and imports the image; skips the test (fails under {@code
   * MIGCTL_REQUIRE_TOOLS=1}) when root, {@code dockerd}, {@code docker} or a static busybox is
   * missing.
   */
  static PrivateDocker start() throws IOException, InterruptedException {
    Path dockerd = program("dockerd", "docker.io");
    Path docker = program("docker", "docker.io");
    Path dir = privateDir("docker");
    Process p =
        new ProcessBuilder(
                dockerd.toString(),
                "--iptables=false",
                "--bridge=none",
                "--data-root=" + dir.resolve("data"),
                "--exec-root=" + dir.resolve("exec"),
                "--pidfile=" + dir.resolve("pid"),
                "--host=" + host(dir))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dockerd.log").toFile())
            .start();
    PrivateDocker d = new PrivateDocker(dir, p, docker);
    try {
      TestDaemon.await(
          "dockerd to answer (" + dir.resolve("dockerd.log") + ")",
          Duration.ofSeconds(60),
          () -> d.run("version").isPresent());
      d.importBusybox();
      return d;
    } catch (RuntimeException | IOException | InterruptedException e) {
      d.close();
      throw e;
    }
  }

  private static String host(Path dir) {
    return "unix://" + dir.resolve("docker.sock");
  }

  @Override
  ContainerOptions options() {
    return new ContainerOptions(
        ContainerOptions.Engine.DOCKER,
        Optional.of(host(dir)),
        "none",
        Optional.empty(),
        Optional.empty());
  }

  @Override
  public void close() throws IOException {
    removeContainers();
    dockerd.destroy();
    try {
      if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
        dockerd.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted stopping dockerd", e);
    }
    deleteDir();
  }
}
