package io.migctl.daemon.container;

import io.migctl.daemon.run.HostPrograms;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the container engine that {@link ContainerOptions} ask for on this host, with what it
 * needs, and makes its adapter: the probing that {@code DaemonAssembly} does once at start.
 *
 * <p>{@code auto} takes Docker when a {@code docker} client is found and its engine answers, else
 * Podman when a {@code podman} client is found, else none. Devices go by CDI under the rule of
 * {@link DeviceAccess#choose}.
 */
public final class ContainerRuntimes {

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

  /** The process limit Podman gives itself where it cannot set {@code kernel.pid_max}. */
  private static final long PODMAN_FALLBACK_PROCESSES = 32768;

  private final ToolRunner tools;

  public ContainerRuntimes(ToolRunner tools) {
    this.tools = tools;
  }

  /**
   * The runtime {@code options} ask for, or {@link NoContainerRuntime} saying why there is none.
   */
  public ContainerRuntime choose(ContainerOptions options) {
    return switch (options.engine()) {
      case NONE ->
          new NoContainerRuntime(
              "it was started with --container-runtime none; start it with --container-runtime"
                  + " auto, docker or podman");
      case DOCKER -> docker(options).orElseGet(() -> missing("docker", options));
      case PODMAN -> podman(options).orElseGet(() -> missing("podman", options));
      case AUTO ->
          docker(options)
              .filter(d -> dockerAnswers(options))
              .or(() -> podman(options))
              .orElseGet(
                  () ->
                      new NoContainerRuntime(
                          "neither a Docker engine that answers nor podman was found; install"
                              + " docker.io or podman (or give --docker-host) and restart it"));
    };
  }

  private ContainerRuntime missing(String program, ContainerOptions options) {
    return new NoContainerRuntime(
        program
            + " was not found on PATH (--container-runtime "
            + options.engine().name().toLowerCase()
            + "); install it and restart the daemon");
  }

  private Optional<ContainerRuntime> docker(ContainerOptions options) {
    return program("docker")
        .map(
            p ->
                ContainerEngine.docker(
                    p,
                    options.dockerHost(),
                    DeviceAccess.choose(
                        program("nvidia-ctk").isPresent(),
                        dockerResolvesCdi(options),
                        options.cdiSpec().isPresent()),
                    options.network(),
                    tools));
  }

  private Optional<ContainerRuntime> podman(ContainerOptions options) {
    return program("podman")
        .map(
            p -> {
              List<String> global = new ArrayList<>(options.podmanStoreOptions());
              if (program("crun").isEmpty() && program("runc").isPresent()) {
                global.add("--runtime=runc");
              }
              return ContainerEngine.podman(
                  p,
                  global,
                  podmanRunOptions(
                      Files.isExecutable(Path.of("/usr/libexec/podman/catatonit")),
                      Stream.of("/usr/bin/docker-init", "/usr/bin/tini-static")
                          .map(Path::of)
                          .filter(Files::isExecutable)
                          .findFirst(),
                      hardLimit("Max open files"),
                      processLimit()),
                  DeviceAccess.choose(
                      program("nvidia-ctk").isPresent(), true, options.cdiSpec().isPresent()),
                  options.network(),
                  tools);
            });
  }

  /**
   * Podman's init is {@code catatonit}; where it is missing, a statically linked init that Docker
   * or tini ship does the same. As root, Podman asks runc for 1048576 open files and processes in
   * the container, which a host without {@code CAP_SYS_RESOURCE} (such as a container) cannot
   * grant: runc fails with "error setting rlimit … operation not permitted". The limits that runc
   * can set are given instead (the daemon's own hard open-files limit and {@code processes}).
   *
   * @param catatonit whether Podman's own init is installed
   * @param staticInit a statically linked init to use without it
   * @param openFiles the hard limit of open files, where known
   * @param processes the process limit, where known
   */
  static List<String> podmanRunOptions(
      boolean catatonit,
      Optional<Path> staticInit,
      Optional<Long> openFiles,
      Optional<Long> processes) {
    List<String> out = new ArrayList<>();
    if (!catatonit) {
      staticInit.ifPresent(init -> out.add("--init-path=" + init));
    }
    openFiles.ifPresent(n -> out.add("--ulimit=nofile=" + n + ":" + n));
    processes.ifPresent(n -> out.add("--ulimit=nproc=" + n + ":" + n));
    return out;
  }

  /**
   * The most processes a container may be allowed: Podman lowers its own limit (which runc
   * inherits) to {@code kernel.pid_max}, or to 32768 where it cannot set that, so the least of
   * those and the daemon's hard limit is one that runc can always set.
   */
  private static Optional<Long> processLimit() {
    Optional<Long> hard = hardLimit("Max processes");
    if (hard.isEmpty()) {
      return Optional.empty();
    }
    long limit = Math.min(hard.get(), PODMAN_FALLBACK_PROCESSES);
    try {
      String pidMax = Files.readString(Path.of("/proc/sys/kernel/pid_max")).strip();
      if (pidMax.matches("\\d{1,18}")) {
        limit = Math.min(limit, Long.parseLong(pidMax));
      }
    } catch (IOException e) {
      // pid_max unknown: the other two bounds hold.
    }
    return Optional.of(limit);
  }

  private boolean dockerAnswers(ContainerOptions options) {
    return dockerQuery(options, "{{.ServerVersion}}").isPresent();
  }

  /** Docker 25 and later resolves CDI names when CDI is enabled: then it lists spec folders. */
  private boolean dockerResolvesCdi(ContainerOptions options) {
    return dockerQuery(options, "{{json .CDISpecDirs}}")
        .filter(s -> s.startsWith("[\"") && !s.equals("[]"))
        .isPresent();
  }

  private Optional<String> dockerQuery(ContainerOptions options, String format) {
    Optional<Path> docker = program("docker");
    if (docker.isEmpty()) {
      return Optional.empty();
    }
    List<String> argv = new ArrayList<>(List.of(docker.get().toString()));
    options.dockerHost().ifPresent(h -> argv.add("--host=" + h));
    argv.addAll(List.of("info", "--format", format));
    try {
      ToolResult r = tools.run(ToolCommand.of(argv).withTimeout(PROBE_TIMEOUT));
      return r.succeeded() ? Optional.of(r.stdout().strip()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Optional<Path> program(String name) {
    return HostPrograms.findProgram(name);
  }

  /**
   * This process's hard limit named {@code name} ({@code Max open files}, {@code Max processes}),
   * from {@code /proc/self/limits}; empty if unknown or unlimited.
   */
  private static Optional<Long> hardLimit(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith(name)) {
          String[] f = line.substring(name.length()).strip().split("\\s+");
          return f.length > 1 && f[1].matches("\\d{1,18}")
              ? Optional.of(Long.parseLong(f[1]))
              : Optional.empty();
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
