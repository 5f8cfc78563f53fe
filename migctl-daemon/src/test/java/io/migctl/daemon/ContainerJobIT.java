package io.migctl.daemon;

/** {@link ContainerJobScenarios} in a private Docker engine. */
class ContainerJobIT extends ContainerJobScenarios {

  @Override
  PrivateEngine start() throws Exception {
    return PrivateDocker.start();
  }
}
