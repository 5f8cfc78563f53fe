package io.migctl.daemon;

import io.migctl.daemon.container.ContainerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Podman with a store of a test's own: the daemon and the test reach it through {@code
 * --podman-root} (its storage, run and tmp folders in a private folder), so the host's Podman store
 * is never touched. {@link #close} removes its containers and images, then its folder.
 */
final class PrivatePodman extends PrivateEngine {

  private final ContainerOptions options;

  private PrivatePodman(Path dir, Path podman, ContainerOptions options) {
    super(dir, client(podman, options));
    this.options = options;
  }

  private static List<String> client(Path podman, ContainerOptions options) {
    List<String> client = new ArrayList<>(List.of(podman.toString()));
    client.addAll(options.podmanStoreOptions());
    return client;
  }

  /**
   * Makes the store and imports the image; skips the test (fails under {@code
   * MIGCTL_REQUIRE_TOOLS=1}) when root, {@code podman} or a static busybox is missing.
   */
  static PrivatePodman start() throws IOException, InterruptedException {
    Path podman = program("podman", "podman runc");
    Path dir = privateDir("podman");
    PrivatePodman p =
        new PrivatePodman(
            dir,
            podman,
            new ContainerOptions(
                ContainerOptions.Engine.PODMAN,
                Optional.empty(),
                "none",
                Optional.empty(),
                Optional.of(dir.resolve("podman"))));
    try {
      p.importBusybox();
      return p;
    } catch (RuntimeException | IOException | InterruptedException e) {
      p.close();
      throw e;
    }
  }

  @Override
  ContainerOptions options() {
    return options;
  }

  @Override
  public void close() throws IOException {
    removeContainers();
    run("rmi", "--all", "--force");
    deleteDir();
  }
}
