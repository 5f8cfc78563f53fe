package io.migctl.cli;

import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.nvml.NvmlMigDriver;
import io.migctl.nvidia.nvml.NvmlProbe;
import io.migctl.nvidia.nvml.NvmlUnavailableException;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.ToolRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command: global options and the way every command reaches the GPUs. */
@Command(
    name = "migctl",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Right-sized, isolated MIG slices running jobs in reproducible environments.",
      "",
      "Without an NVIDIA GPU, migctl runs on a simulated node that behaves like the driver.",
    },
    footer = {
      "",
      "Environment:",
      "  MIGCTL_SIMULATE  a simulated node spec, as --simulate",
      "  MIGCTL_DRIVER    auto, nvml or sim, as --driver",
      "  MIGCTL_HOME      migctl's data folder (default ~/.local/share/migctl)",
      "  MIGCTL_TOKEN     the token to give the daemon (default: $MIGCTL_HOME/token)",
      "",
      "Exit codes:",
      "  0  success",
      "  1  failure, or not as asserted",
      "  2  invalid input; nothing was changed",
      "  3  the daemon cannot be reached",
    })
public final class MigctlCommand implements Runnable {

  private final CliContext context;
  private final ToolRunner tools;
  private GpuNode node;
  private DaemonClient daemon;
  private String fallbackSimulation;

  @Spec CommandSpec spec;

  @Option(
      names = "--simulate",
      paramLabel = "SPEC",
      scope = ScopeType.INHERIT,
      description = {
        "Run on a simulated node with these GPUs, e.g. a100-40gb:2 or a100-40gb:1,h100-80gb:1;"
            + " an entry ending in :mig-off starts with MIG off (a100-40gb:2,a100-40gb:2:mig-off).",
        "Models: a100-40gb, a100-80gb, a30-24gb, h100-80gb, h100-94gb, h200-141gb, gh200-144gb,"
            + " b200-180gb, gb200-186gb, h100-96gb, rtx-pro-6000, and their other boards:"
            + " a100-40gb-pcie, a100-80gb-pcie, h100-80gb-pcie, h200-141gb-nvl, a800-40gb,"
            + " a800-80gb, h800-80gb, h800-94gb, h20-96gb, gh200-96gb, rtx-pro-6000-ws"
            + " (all are in the README)."
            + " Default: $MIGCTL_SIMULATE, else "
            + SimulatedNodeSpec.DEFAULT
            + "."
      })
  String simulate;

  /** Which driver reaches the GPUs. */
  enum DriverChoice {
    auto,
    nvml,
    sim
  }

  @Option(
      names = "--driver",
      paramLabel = "auto|nvml|sim",
      scope = ScopeType.INHERIT,
      description = {
        "nvml: the GPUs through libnvidia-ml.so.1; sim: the simulated node; auto (default, or",
        "$MIGCTL_DRIVER): NVML when it loads and reports a GPU, else the simulated node, said",
        "once on standard error. $MIGCTL_NVML_LIBRARY names another NVML library file."
      })
  DriverChoice driverChoice;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = {
        "Talk to the daemon with the token in FILE, e.g. a tenant's token from 'migctl tenant",
        "token NAME'. Default: $MIGCTL_TOKEN, else the file $MIGCTL_TOKEN_FILE names, else",
        "$MIGCTL_HOME/token (the operator's)."
      })
  Path tokenFile;

  /**
   * @param tools runs every external tool the commands use (environment backends, hooks, {@code
   *     nvidia-smi})
   */
  public MigctlCommand(CliContext context, ToolRunner tools) {
    this.context = context;
    this.tools = tools;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The environment this invocation runs in; with {@code --token-file}, as if {@code
   * MIGCTL_TOKEN_FILE} named the file and {@code MIGCTL_TOKEN} were unset, so the flag wins.
   */
  CliContext context() {
    if (tokenFile == null) {
      return context;
    }
    Map<String, String> env = new HashMap<>(context.environment());
    env.remove("MIGCTL_TOKEN");
    env.put(DaemonClient.TOKEN_FILE, tokenFile.toString());
    return new CliContext(env, context.userHome(), context.stdin());
  }

  /** What runs external tools for this invocation. */
  ToolRunner tools() {
    return tools;
  }

  /**
   * The driver for this invocation, made on first use: the simulated node when {@code --simulate}
   * or {@code MIGCTL_SIMULATE} names one or {@code --driver sim} asks for it (its state lives under
   * {@code $MIGCTL_HOME/sim}); NVML for {@code --driver nvml}; otherwise NVML when it is usable,
   * else the simulated node, with a one-line notice on standard error.
   *
   * @throws DriverUnavailableException when {@code --driver nvml} cannot load NVML
   */
  MigDriver driver() {
    return node().driver();
  }

  /**
   * The node for this invocation: its driver as {@link #driver()} chooses it, with the telemetry
   * and description that go with it.
   */
  GpuNode node() {
    if (node == null) {
      node = chooseNode();
    }
    return node;
  }

  /**
   * The daemon's client for this invocation, made when first asked for and closed when the command
   * ends ({@link #closeDriver}).
   */
  DaemonClient daemon() {
    if (daemon == null) {
      daemon = DaemonClient.of(context());
    }
    return daemon;
  }

  /**
   * Releases the node (NVML's telemetry and shutdown), if one was made, and the daemon's client:
   * its HTTP selector thread waits in the kernel, and a JVM that exits with such a thread waits 0.3
   * s for it (issue 18).
   */
  void closeDriver() {
    if (daemon != null) {
      daemon.close();
      daemon = null;
    }
    if (node != null) {
      try {
        node.close();
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println("migctl: closing the driver failed: " + e.getMessage());
      }
    }
    node = null;
  }

  private GpuNode chooseNode() {
    DriverChoice choice = driverChoice;
    if (choice == null) {
      String env = context.environment().get("MIGCTL_DRIVER");
      try {
        choice =
            env == null || env.isBlank() ? DriverChoice.auto : DriverChoice.valueOf(env.strip());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("MIGCTL_DRIVER=" + env + ": use auto, nvml or sim", e);
      }
    }
    boolean simulationAsked =
        simulate != null || !context.environment().getOrDefault("MIGCTL_SIMULATE", "").isBlank();
    if (choice == DriverChoice.nvml && simulationAsked) {
      throw new InvalidInputException(
          "--driver nvml and a simulated node (--simulate or MIGCTL_SIMULATE) exclude each other");
    }
    if (choice == DriverChoice.sim || simulationAsked) {
      return simulatedNode(simulated());
    }
    Optional<Path> library =
        Optional.ofNullable(context.environment().get("MIGCTL_NVML_LIBRARY"))
            .filter(s -> !s.isBlank())
            .map(Path::of);
    if (choice == DriverChoice.nvml) {
      try {
        return GpuNode.nvml(NvmlMigDriver.open(library, tools));
      } catch (NvmlUnavailableException e) {
        throw new DriverUnavailableException("--driver nvml: " + e.getMessage());
      }
    }
    return switch (NvmlMigDriver.probe(library, tools)) {
      case NvmlProbe.Available(NvmlMigDriver nvml, int count, String version) -> GpuNode.nvml(nvml);
      case NvmlProbe.Unavailable(String reason) -> {
        SimulatedMigDriver sim = simulated();
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "migctl: no NVIDIA GPU here ("
                + reason
                + "); using the simulated node "
                + sim.spec()
                + " (choose one with --simulate, or require the GPU with --driver nvml)");
        err.flush();
        yield simulatedNode(sim);
      }
    };
  }

  private GpuNode simulatedNode(SimulatedMigDriver sim) {
    return GpuNode.simulated(sim, context.home().simulatedDevices(), tools);
  }

  private SimulatedMigDriver simulated() {
    return SimulatedMigDriver.persistent(simulatedSpec(), context.home().simulatedNode());
  }

  /**
   * The simulated node to use when neither {@code --simulate} nor {@code MIGCTL_SIMULATE} names
   * one, e.g. a workload's {@code node.simulate}; call before the driver is made.
   */
  void simulateByDefault(String spec, String source) {
    fallbackSimulation = spec;
    fallbackSource = source;
  }

  private String fallbackSource = "";

  /** The simulated node's spec for this invocation. */
  SimulatedNodeSpec simulatedSpec() {
    String text = simulate;
    String source = "--simulate";
    if (text == null) {
      text = context.environment().get("MIGCTL_SIMULATE");
      source = "MIGCTL_SIMULATE";
      if (text == null || text.isBlank()) {
        if (fallbackSimulation == null) {
          return SimulatedNodeSpec.parse(SimulatedNodeSpec.DEFAULT);
        }
        text = fallbackSimulation;
        source = fallbackSource;
      }
    }
    try {
      return SimulatedNodeSpec.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(source + ": " + e.getMessage(), e);
    }
  }
}
