package io.migctl.daemon.container;

import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Docker or Podman, through its command-line client: {@code docker|podman [GLOBAL…] run …} in the
 * foreground. The clients take the same {@code run} options ({@link RunArguments}); they forward
 * SIGTERM to the container (they proxy signals without a terminal), where the init process passes
 * it on to the command. {@link #remove} is {@code rm --force}, run through the {@link ToolRunner}
 * on a virtual thread of its own, so that the job thread never waits for an engine.
 *
 * <p>Podman needs more than Docker on some hosts, which {@link #podman}'s options carry: the OCI
 * runtime ({@code --runtime=runc} where {@code crun} is missing), the init program where its own
 * ({@code catatonit}) is missing, explicit open-files and process limits where its defaults exceed
 * what runc may set on the host (runc then cannot start the container), and the folders of a store
 * of the daemon's own ({@link ContainerOptions#podmanStoreOptions}).
 */
public final class ContainerEngine implements ContainerRuntime {

  private static final Logger LOG = Logger.getLogger(ContainerEngine.class.getName());

  /** How long one {@code rm -f} may take before it is given up (the engine may hang). */
  static final Duration REMOVE_TIMEOUT = Duration.ofMinutes(1);

  private final String name;
  private final Path program;
  private final List<String> globalOptions;
  private final List<String> initOptions;
  private final DeviceAccess access;
  private final String network;
  private final ToolRunner tools;

  private ContainerEngine(
      String name,
      Path program,
      List<String> globalOptions,
      List<String> initOptions,
      DeviceAccess access,
      String network,
      ToolRunner tools) {
    this.name = name;
    this.program = Objects.requireNonNull(program, "program");
    this.globalOptions = List.copyOf(globalOptions);
    this.initOptions = List.copyOf(initOptions);
    this.access = Objects.requireNonNull(access, "access");
    this.network = Objects.requireNonNull(network, "network");
    this.tools = Objects.requireNonNull(tools, "tools");
  }

  /**
   * Docker.
   *
   * @param program the {@code docker} client
   * @param host the engine's address ({@code --host}), or empty for the client's default ({@code
   *     DOCKER_HOST} does not reach the client: it gets the container's variables only)
   * @param access how containers get their MIG device
   * @param network the network containers join ({@code none}: no network)
   */
  public static ContainerEngine docker(
      Path program, Optional<String> host, DeviceAccess access, String network, ToolRunner tools) {
    return new ContainerEngine(
        "docker",
        program,
        host.map(h -> List.of("--host=" + h)).orElse(List.of()),
        List.of(),
        access,
        network,
        tools);
  }

  /**
   * Podman.
   *
   * @param globalOptions options before {@code run}, e.g. {@code --root=…}, {@code --runtime=runc}
   * @param runOptions options of {@code run} after {@code --init}, e.g. {@code
   *     --init-path=/usr/bin/docker-init}, {@code --ulimit=nofile=20000:20000}, {@code
   *     --ulimit=nproc=32768:32768}
   */
  public static ContainerEngine podman(
      Path program,
      List<String> globalOptions,
      List<String> runOptions,
      DeviceAccess access,
      String network,
      ToolRunner tools) {
    return new ContainerEngine(
        "podman", program, globalOptions, runOptions, access, network, tools);
  }

  @Override
  public String description() {
    return name
        + " ("
        + String.join(" ", argv(List.of()))
        + ", devices by "
        + access.name().toLowerCase(Locale.ROOT)
        + ", network "
        + network
        + ")";
  }

  @Override
  public Optional<String> unavailable() {
    return Optional.empty();
  }

  @Override
  public Invocation run(ContainerJob job) {
    return new Invocation(
        argv(RunArguments.of(job, access, network, initOptions)), job.variables());
  }

  /** {@code rm --force NAME} in the background; a container that is gone is not an error. */
  @Override
  public void remove(String container) {
    List<String> argv = argv(List.of("rm", "--force", container));
    Thread.ofVirtual().name("migctl-rm-" + container).start(() -> remove(argv, container));
  }

  /** The client, its global options, then {@code arguments}. */
  private List<String> argv(List<String> arguments) {
    List<String> argv = new ArrayList<>();
    argv.add(program.toString());
    argv.addAll(globalOptions);
    argv.addAll(arguments);
    return argv;
  }

  private void remove(List<String> argv, String container) {
    try {
      ToolResult r = tools.run(ToolCommand.of(argv).withTimeout(REMOVE_TIMEOUT));
      if (!r.succeeded() && !r.output().toLowerCase(Locale.ROOT).contains("no such")) {
        LOG.warning("could not remove container " + container + ": " + r.output().strip());
      }
    } catch (IOException e) {
      LOG.warning("could not remove container " + container + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
