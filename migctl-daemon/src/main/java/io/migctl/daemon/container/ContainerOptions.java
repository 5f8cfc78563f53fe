package io.migctl.daemon.container;

import java.nio.file.Path;
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
 */
public record ContainerOptions(
    Engine engine, Optional<String> dockerHost, String network, Optional<Path> cdiSpec) {

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
      new ContainerOptions(Engine.AUTO, Optional.empty(), "none", Optional.empty());

  public ContainerOptions {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(cdiSpec, "cdiSpec");
    if (network == null || !network.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException(
          "'" + network + "' is no network name; use none, host, bridge or a network's name");
    }
  }
}
