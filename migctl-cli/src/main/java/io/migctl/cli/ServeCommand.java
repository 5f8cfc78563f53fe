package io.migctl.cli;

import io.migctl.core.job.Durations;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.daemon.Repartition;
import io.migctl.daemon.confine.IsolationChoice;
import io.migctl.daemon.container.ContainerOptions;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl serve}: the node daemon in the foreground, until Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the node daemon: the job queue, the REST API under /api/v1, until Ctrl-C.",
      "",
      "Jobs keep running when the daemon stops or crashes; on start it re-adopts them and",
      "records the outcome of those that ended meanwhile. Every request but health and",
      "/metrics needs the token in $MIGCTL_HOME/token (created on first start, mode 0600).",
      "$MIGCTL_HOME must be private: one that others can write, or another user's, is refused."
    })
final class ServeCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Mixin ListenOptions listen;

  @Mixin JobPolicyOptions jobPolicy;

  @Option(
      names = "--kill-grace",
      paramLabel = "DURATION",
      description =
          "How long a cancelled job has between SIGTERM and SIGKILL (default ${DEFAULT-VALUE}).")
  String killGrace = "10s";

  @Option(
      names = "--dcgm-job-mapping-dir",
      paramLabel = "DIR",
      description = {
        "Write DCGM exporter's HPC job-mapping files here (<gpu>.<GPU_I_ID> holding the job id),",
        "so that dcgm-exporter's own series carry migctl's jobs (its DCGM_HPC_JOB_MAPPING_DIR)."
      })
  Path dcgmJobMappingDir;

  @Option(
      names = "--repartition",
      description = {
        "Reshape idle MIG instances for queued jobs that fit no free device, through the same",
        "Repartitioner the trace simulator's dynamic policy runs (never a busy instance); each",
        "reshape is an event of every job it serves."
      })
  boolean repartition;

  @Option(
      names = "--repartition-cooldown",
      paramLabel = "DURATION",
      description =
          "With --repartition: the least time between two reshapes that destroy idle instances"
              + " of one GPU, lifted when the queue has grown since; room no instance takes is"
              + " filled at any time (default ${DEFAULT-VALUE}, as in trace replay).")
  String repartitionCooldown = "30s";

  @Option(
      names = "--repartition-wait",
      paramLabel = "DURATION",
      description =
          "With --repartition: how long a job waits before a GPU is reshaped for it"
              + " (default ${DEFAULT-VALUE}).")
  String repartitionWait = "2s";

  @Option(
      names = "--isolation",
      paramLabel = "MODE",
      description = {
        "How jobs are confined: auto (default: cgroup-v1 when root with the v1 controllers, else",
        "systemd on cgroup v2 when systemd runs, else none), cgroup-v1, systemd, or none. As root",
        "a job runs as its tenant's Unix user (nobody without one), limited to its MIG device's",
        "nodes and its --memory/--cpus/--max-procs; /api/v1/health says which is in force."
      })
  String isolation = "auto";

  @Option(
      names = "--container-runtime",
      paramLabel = "auto|docker|podman|none",
      description = {
        "The engine that runs jobs with an image (submit --image): auto (default) takes Docker",
        "when its engine answers, else Podman, else none (such jobs are then refused)."
      })
  String containerRuntime = "auto";

  @Option(
      names = "--docker-host",
      paramLabel = "URL",
      description =
          "The Docker engine's address, e.g. unix:///run/docker.sock (default: docker's).")
  String dockerHost;

  @Option(
      names = "--podman-root",
      paramLabel = "DIR",
      description = {
        "Keep Podman's images, containers and run state under DIR (its storage, run and tmp",
        "folders) instead of the host's Podman store (default: Podman's own)."
      })
  Path podmanRoot;

  @Option(
      names = "--container-network",
      paramLabel = "NAME",
      description = {
        "The network containers join (default ${DEFAULT-VALUE}: a job in a container reaches",
        "no network); host, bridge or a network the engine knows."
      })
  String containerNetwork = "none";

  @Option(
      names = "--cdi-spec",
      paramLabel = "FILE",
      description = {
        "Keep a CDI spec of this node's MIG devices here (e.g. /etc/cdi/migctl.yaml), written",
        "at start and after every layout change; with the NVIDIA container toolkit installed",
        "and an engine that reads CDI, containers then get their device by its CDI name."
      })
  Path cdiSpec;

  @Override
  public Integer call() throws InterruptedException {
    listen.check();
    jobPolicy.check();
    Duration grace;
    try {
      grace = Durations.parse(killGrace);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--kill-grace: " + e.getMessage(), e);
    }
    Repartition reshaping;
    try {
      reshaping =
          new Repartition(
              repartition,
              new ReshapeGate.Params(
                  Durations.parse(repartitionCooldown), Durations.parse(repartitionWait)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "--repartition-cooldown/--repartition-wait: " + e.getMessage(), e);
    }
    IsolationChoice.Mode isolationMode =
        switch (isolation) {
          case "auto" -> IsolationChoice.Mode.AUTO;
          case "cgroup-v1" -> IsolationChoice.Mode.CGROUP_V1;
          case "systemd" -> IsolationChoice.Mode.SYSTEMD;
          case "none" -> IsolationChoice.Mode.NONE;
          default ->
              throw new InvalidInputException(
                  "--isolation " + isolation + ": use auto, cgroup-v1, systemd or none");
        };
    ContainerOptions containers;
    try {
      containers =
          new ContainerOptions(
              ContainerOptions.Engine.parse(containerRuntime),
              Optional.ofNullable(dockerHost),
              containerNetwork,
              Optional.ofNullable(cdiSpec).map(p -> p.toAbsolutePath().normalize()),
              Optional.ofNullable(podmanRoot).map(p -> p.toAbsolutePath().normalize()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "--container-runtime/--container-network: " + e.getMessage(), e);
    }
    GpuNode node = root.node();
    NodeDaemon.Options options =
        jobPolicy
            .applyTo(
                listen.applyTo(
                    NodeDaemon.Options.defaults(
                        root.context().home(), root.context().environment())))
            .withKillGrace(grace)
            .withDcgmJobMappingDir(Optional.ofNullable(dcgmJobMappingDir))
            .withRepartition(reshaping)
            .withIsolation(new IsolationChoice(isolationMode, IsolationChoice.AUTO.cgroupParent()))
            .withContainers(containers);
    NodeDaemon daemon = DaemonAssembly.start(options, node);
    PrintWriter out = spec.commandLine().getOut();
    banner(daemon.listening(), daemon.home(), node.description()).forEach(out::println);
    out.flush();
    warning(daemon.listening())
        .ifPresent(
            w -> {
              PrintWriter err = spec.commandLine().getErr();
              err.println(w);
              err.flush();
            });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  daemon.close();
                  stopped.countDown();
                }));
    stopped.await();
    return ExitCode.OK;
  }

  /** What {@code serve} prints once it listens: where, for whom, and the token. */
  static List<String> banner(NodeDaemon.Listening l, MigctlHome home, String driver) {
    String where =
        l.address().startsWith("0.0.0.0:") || l.address().startsWith("[::]:")
            ? " (every address of this machine)"
            : "";
    return List.of(
        "migctl daemon listening on "
            + l.address()
            + where
            + (l.tls() ? " with TLS" : "")
            + " ("
            + driver
            + ")",
        "  clients on this machine: " + l.url() + " (in " + home.daemonFile() + ")",
        "  requests may name it as: " + String.join(", ", l.hostNames()) + " (more: --allow-host)",
        "  every request but health and /metrics needs the token in " + home.token(),
        "  stop with Ctrl-C; running jobs keep running");
  }

  /** The warning for a daemon that other machines reach without TLS. */
  static Optional<String> warning(NodeDaemon.Listening l) {
    if (!l.exposed() || l.tls()) {
      return Optional.empty();
    }
    return Optional.of(
        "WARNING: the daemon listens on "
            + l.address()
            + ", which other machines can reach, WITHOUT TLS: its token, and every job's"
            + " command, environment values and logs, cross the network in clear text. Serve"
            + " HTTPS with --tls-cert FILE --tls-key FILE, or bind to 127.0.0.1 and reach it"
            + " through an SSH tunnel.");
  }
}
