package io.migctl.cli;

import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
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
      "  MIGCTL_HOME      migctl's data folder (default ~/.local/share/migctl)",
      "",
      "Exit codes:",
      "  0  success",
      "  1  failure, or not as asserted",
      "  2  invalid input; nothing was changed",
      "  3  the daemon cannot be reached",
    })
public final class MigctlCommand implements Runnable {

  private final CliContext context;
  private MigDriver driver;

  @Spec CommandSpec spec;

  @Option(
      names = "--simulate",
      paramLabel = "SPEC",
      scope = ScopeType.INHERIT,
      description = {
        "Run on a simulated node with these GPUs, e.g. a100-40gb:2 or a100-40gb:1,h100-80gb:1.",
        "Models: a100-40gb, a100-80gb, a30-24gb, h100-80gb, h100-94gb, h200-141gb, gh200-144gb,"
            + " b200-180gb, gb200-186gb. Default: $MIGCTL_SIMULATE, else "
            + SimulatedNodeSpec.DEFAULT
            + "."
      })
  String simulate;

  public MigctlCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The environment this invocation runs in. */
  CliContext context() {
    return context;
  }

  /**
   * The driver for this invocation, made on first use: the simulated node named by {@code
   * --simulate}, else by {@code MIGCTL_SIMULATE}, else the default node. Its state lives under
   * {@code $MIGCTL_HOME/sim}.
   */
  MigDriver driver() {
    if (driver == null) {
      driver = SimulatedMigDriver.persistent(simulatedSpec(), context.home().resolve("sim"));
    }
    return driver;
  }

  /** The simulated node's spec for this invocation. */
  SimulatedNodeSpec simulatedSpec() {
    String text = simulate;
    String source = "--simulate";
    if (text == null) {
      text = context.environment().get("MIGCTL_SIMULATE");
      source = "MIGCTL_SIMULATE";
      if (text == null || text.isBlank()) {
        return SimulatedNodeSpec.parse(SimulatedNodeSpec.DEFAULT);
      }
    }
    try {
      return SimulatedNodeSpec.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(source + ": " + e.getMessage(), e);
    }
  }
}
