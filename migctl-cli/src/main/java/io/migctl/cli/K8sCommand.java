package io.migctl.cli;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.cdi.CdiSpec;
import io.migctl.core.job.Durations;
import io.migctl.core.k8s.MigConfigState;
import io.migctl.daemon.GpuEndpoints;
import io.migctl.k8s.AgentLoop;
import io.migctl.k8s.AgentSettings;
import io.migctl.k8s.ConfigSource;
import io.migctl.k8s.MigManagerAgent;
import io.migctl.k8s.Pause;
import io.migctl.k8s.Reconciled;
import io.migctl.k8s.kubelet.PodResourcesAllocations;
import io.migctl.k8s.node.Fabric8ClusterNode;
import io.migctl.nvidia.GpuNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl k8s}: migctl in a Kubernetes cluster. */
@Command(
    name = "k8s",
    mixinStandardHelpOptions = true,
    description = {
      "migctl in Kubernetes clusters with NVIDIA's GPU Operator.",
      "",
      "'k8s agent' replaces the operator's MIG manager on a node: the same nvidia.com/mig.config",
      "label, the same mig-parted ConfigMap, the same nvidia.com/mig.config.state values — but",
      "busy-safe (a device a process holds or the kubelet gave to a pod is never taken) and",
      "minimal (only the GPUs that change are touched, only those whose MIG mode changes reset)."
    },
    subcommands = K8sCommand.Agent.class)
final class K8sCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code migctl k8s agent}. */
  @Command(
      name = "agent",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Run the MIG manager for this node (a DaemonSet runs one per GPU node).",
        "",
        "Watches the node's nvidia.com/mig.config label and reconciles on every change and every",
        "--resync until the state is success. Already as desired: state=success, nothing paused.",
        "A change: state=pending, the operator's GPU clients paused (nvidia.com/gpu.deploy.* set",
        "to paused-for-mig-change, never one that is false), their pods awaited, the plan",
        "applied through the journal, the CDI spec rewritten, the clients back, state=success;",
        "on error state=failed with the clients back. Blocked by busy devices: state=pending,",
        "an Event and the migctl.io/reason annotation name the pods; failed after",
        "--pending-deadline. Serves /healthz, /readyz and /metrics (DCGM names) on --listen."
      },
      footer = {
        "",
        "Environment: NODE_NAME, CONFIG_FILE, OPERATOR_NAMESPACE, KUBELET_SOCKET, CDI_SPEC (as the",
        "options); MIGCTL_HOME holds the apply journal (mount it from the host so that a restarted",
        "agent finishes or undoes an interrupted change); the API server is found in-cluster or",
        "from $KUBECONFIG."
      })
  static final class Agent implements Callable<Integer> {
    private static final String DEFAULT_CONFIG = "/mig-parted-config/config.yaml";
    private static final String DEFAULT_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

    @ParentCommand K8sCommand k8s;

    @Option(
        names = "--node",
        paramLabel = "NAME",
        description = "This node's name (default $NODE_NAME).")
    String nodeName;

    @Option(
        names = "--config-file",
        paramLabel = "FILE",
        description = "The mig-parted file (default $CONFIG_FILE, else " + DEFAULT_CONFIG + ").")
    String configFile;

    @Option(
        names = "--operator-namespace",
        paramLabel = "NS",
        description =
            "The GPU Operator's namespace, where its client pods run (default $OPERATOR_NAMESPACE,"
                + " else gpu-operator).")
    String operatorNamespace;

    @Option(
        names = "--kubelet-socket",
        paramLabel = "PATH",
        description =
            "The kubelet's PodResources socket (default $KUBELET_SOCKET, else "
                + DEFAULT_SOCKET
                + ").")
    String kubeletSocket;

    @Option(
        names = "--listen",
        paramLabel = "HOST:PORT",
        description =
            "Where /healthz, /readyz and /metrics are served (default ${DEFAULT-VALUE}; port 0"
                + " picks one; the DaemonSet uses 0.0.0.0:9410).")
    String listen = "127.0.0.1:9410";

    @Option(
        names = "--resync",
        paramLabel = "DURATION",
        description = "Reconcile at least this often (default ${DEFAULT-VALUE}).")
    String resync = "30s";

    @Option(
        names = "--pending-deadline",
        paramLabel = "DURATION",
        description =
            "How long a change blocked by busy devices stays pending before it is failed"
                + " (default ${DEFAULT-VALUE}).")
    String pendingDeadline = "30m";

    @Option(
        names = "--pods-gone-timeout",
        paramLabel = "DURATION",
        description =
            "How long to wait for the paused clients' pods to stop (default ${DEFAULT-VALUE}).")
    String podsGoneTimeout = "5m";

    @Option(
        names = "--cdi-spec",
        paramLabel = "PATH",
        description =
            "Rewrite this CDI spec after every change (default $CDI_SPEC; none when unset).")
    String cdiSpec;

    @Option(names = "--once", description = "Reconcile once, print what was done, and exit.")
    boolean once;

    @Option(
        names = "--dry-run",
        description = "Decide and print what would be done; change nothing (implies --once).")
    boolean dryRun;

    @Option(names = "--json", description = "With --once or --dry-run: print JSON.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
      Map<String, String> env = k8s.root.context().environment();
      String node = first(nodeName, env.get("NODE_NAME"));
      if (node == null) {
        throw new InvalidInputException(
            "no node name: give --node NAME or set NODE_NAME (the DaemonSet sets it from"
                + " spec.nodeName)");
      }
      Path config = Path.of(first(configFile, env.get("CONFIG_FILE"), DEFAULT_CONFIG));
      String namespace = first(operatorNamespace, env.get("OPERATOR_NAMESPACE"), "gpu-operator");
      Path socket = Path.of(first(kubeletSocket, env.get("KUBELET_SOCKET"), DEFAULT_SOCKET));
      Optional<Path> cdi = Optional.ofNullable(first(cdiSpec, env.get("CDI_SPEC"))).map(Path::of);
      AgentSettings settings =
          new AgentSettings(
              duration("--pending-deadline", pendingDeadline),
              duration("--pods-gone-timeout", podsGoneTimeout),
              Duration.ofSeconds(1),
              dryRun);
      Duration every = duration("--resync", resync);
      HostPort where = HostPort.parse(listen);
      PrintWriter out = k8s.spec.commandLine().getOut();
      PrintWriter err = k8s.spec.commandLine().getErr();
      GpuNode gpus = k8s.root.node();
      try (Fabric8ClusterNode cluster = Fabric8ClusterNode.connect(node, namespace);
          PodResourcesAllocations kubelet = new PodResourcesAllocations(socket)) {
        MigManagerAgent agent =
            new MigManagerAgent(
                cluster,
                kubelet,
                gpus.driver(),
                ConfigSource.file(config),
                new ApplyJournal(k8s.root.context().home().journal(), Clock.systemUTC()),
                ApplyHooks.NONE,
                () -> UUID.randomUUID().toString(),
                Clock.systemUTC(),
                Pause.SLEEP,
                () -> cdi.ifPresent(path -> writeCdi(gpus, path)),
                line -> {
                  err.println(Instant.now() + " " + line);
                  err.flush();
                },
                settings);
        if (once || dryRun) {
          Reconciled r = agent.reconcile();
          print(out, r);
          return r.converged() || dryRun ? ExitCode.OK : ExitCode.FAILURE;
        }
        AgentMetrics metrics = new AgentMetrics();
        try (AgentLoop loop =
                new AgentLoop(
                    agent,
                    cluster,
                    every,
                    Clock.systemUTC(),
                    metrics::add,
                    line -> {
                      err.println(Instant.now() + " " + line);
                      err.flush();
                    });
            GpuEndpoints endpoints =
                GpuEndpoints.start(
                    gpus.telemetry(),
                    node,
                    () -> loop.status().notReady(),
                    List.of(metrics.collector(loop.status())),
                    where.host(),
                    where.port(),
                    GpuEndpoints.DEFAULT_SAMPLE_INTERVAL)) {
          err.println(
              "migctl k8s agent: node "
                  + node
                  + ", config "
                  + config
                  + ", operator namespace "
                  + namespace
                  + ", "
                  + gpus.description()
                  + "; /healthz /readyz /metrics on "
                  + where.host()
                  + ":"
                  + endpoints.port());
          err.flush();
          loop.start();
          CountDownLatch stopped = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
          stopped.await();
        }
        return ExitCode.OK;
      }
    }

    private void print(PrintWriter out, Reconciled r) {
      if (json) {
        Json.print(
            out,
            new ReconciledJson(
                r.config().orElse(null),
                r.state().map(MigConfigState::value).orElse(null),
                r.action(),
                r.message(),
                r.plan(),
                r.operations(),
                r.resetGpus(),
                r.paused().toMillis() / 1000.0,
                r.pausedClients(),
                r.dryRun()));
        return;
      }
      out.println(
          (r.dryRun() ? "dry run: " : "")
              + r.message()
              + r.state().map(s -> " (state " + s.value() + ")").orElse(""));
      for (String line : r.plan()) {
        out.println("  " + line);
      }
      if (!r.dryRun() && r.action().equals("applied")) {
        out.printf(
            Locale.ROOT,
            "%d operation(s); reset GPU(s) %s; clients paused %.1f s%n",
            r.operations(),
            r.resetGpus(),
            r.paused().toMillis() / 1000.0);
      }
      if (r.dryRun()) {
        out.println("dry run: nothing was changed");
      }
      out.flush();
    }

    private static void writeCdi(GpuNode gpus, Path path) {
      try {
        CdiSpec.write(path, CdiSpec.of(gpus.driver(), gpus.deviceNodes()).yaml());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write the CDI spec " + path + ": " + e.getMessage(), e);
      }
    }

    private static String first(String... values) {
      for (String v : values) {
        if (v != null && !v.isBlank()) {
          return v;
        }
      }
      return null;
    }

    private static Duration duration(String option, String text) {
      try {
        Duration d = Durations.parse(text);
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("it must be positive");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            option + " " + text + ": " + e.getMessage() + "; write e.g. 30s, 5m or 1h", e);
      }
    }
  }

  /** {@code k8s agent --once --json}: what one reconcile did. */
  record ReconciledJson(
      String config,
      String state,
      String action,
      String message,
      List<String> plan,
      int operations,
      List<Integer> resetGpus,
      double pausedSeconds,
      List<String> pausedClients,
      boolean dryRun) {}

  /** {@code HOST:PORT}. */
  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      String problem = null;
      int port = -1;
      if (colon <= 0) {
        problem = "no host";
      } else {
        try {
          port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
          problem = "the port is not a number";
        }
        if (problem == null && (port < 0 || port > 65535)) {
          problem = "the port is not 0 to 65535";
        }
      }
      if (problem != null) {
        throw new InvalidInputException(
            "--listen " + text + ": " + problem + "; write HOST:PORT, e.g. 0.0.0.0:9410");
      }
      return new HostPort(text.substring(0, colon), port);
    }
  }
}
