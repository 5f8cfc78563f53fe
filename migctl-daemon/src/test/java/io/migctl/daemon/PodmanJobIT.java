package io.migctl.daemon;

/**
 * {@link ContainerJobScenarios} in Podman, with a store of the test's own ({@code --podman-root}):
 * the runtime, init and limits that {@code ContainerRuntimes} chooses for this host are what make
 * its containers start.
 */
class PodmanJobIT extends ContainerJobScenarios {

  @Override
  PrivateEngine start() throws Exception {
    return PrivatePodman.start();
  }
}
