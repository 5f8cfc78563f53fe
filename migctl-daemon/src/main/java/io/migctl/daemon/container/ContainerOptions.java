package io.migctl.daemon.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the daemon runs jobs that name an image ({@code serve --container-runtime …}).
 *
 * @param engine which engine: {@code auto} (Docker when its engine answers, else Podman, else
 *     none), {@code docker}, {@code podman} or {@code none}
 * @param dockerHost the Docker engine's address ({@code --docker-host}); empty for the client's
 *     default
 * @param network the network containers join: {@code none} (the default: a job in a container
 *     reaches no network, as it reaches no other device), or a network the engine knows ({@code
 *     host}, {@code bridge}, a named one)
 * @param cdiSpec where the daemon keeps the CDI spec of the node's MIG devices ({@code serve
 *     --cdi-spec}); empty for none
 * @param podmanRoot a folder that holds all of Podman's state ({@code --podman-root}), so that the
 *     daemon's containers and images live apart from the host's Podman store; empty for Podman's
 *     default store
 */
public record ContainerOptions(
    Engine engine,
    Optional<String> dockerHost,
    String network,
    Optional<Path> cdiSpec,
    Optional<Path> podmanRoot) {

  /** The engines {@code --container-runtime} names. */
  public enum Engine {
    AUTO,
    DOCKER,
    PODMAN,
    NONE;

    /**
     * @throws IllegalArgumentException naming the choices
     */
    public static Engine parse(String s) {
      try {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'" + s + "' is no container runtime; use auto, docker, podman or none", e);
      }
    }
  }

  /** Auto, the client's default engine, no network, no CDI spec. */
  public static final ContainerOptions DEFAULTS =
      new ContainerOptions(
          Engine.AUTO, Optional.empty(), "none", Optional.empty(), Optional.empty());

  public ContainerOptions {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(cdiSpec, "cdiSpec");
    Objects.requireNonNull(podmanRoot, "podmanRoot");
    if (network == null || !network.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException(
          "'" + network + "' is no network name; use none, host, bridge or a network's name");
    }
  }

  /**
   * Podman's global options that keep its state under {@link #podmanRoot}: images and containers
   * ({@code --root DIR/storage}), run state ({@code --runroot DIR/run}) and its temporary files,
   * exit codes and events ({@code --tmpdir DIR/tmp}). None without a root.
   */
  public List<String> podmanStoreOptions() {
    return podmanRoot
        .map(
            d ->
                List.of(
                    "--root=" + d.resolve("storage"),
                    "--runroot=" + d.resolve("run"),
                    "--tmpdir=" + d.resolve("tmp")))
        .orElse(List.of());
  }
}
