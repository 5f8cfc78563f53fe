package io.migctl.cli;

import io.migctl.core.mig.DriverError;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl sim}: controls of the simulated node that a real driver does not have. */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description = {
      "Control the simulated node: hold devices, inject driver faults, start over.",
      "",
      "Make a process hold a MIG device, make the next driver calls fail, or return",
      "the node to its initial state. Works on the simulated node only.",
      "Simulating a job trace is 'migctl replay' (older name: 'sim trace')."
    },
    subcommands = {
      SimCommand.Hold.class,
      SimCommand.Release.class,
      SimCommand.FailNext.class,
      SimCommand.ResetState.class
    })
final class SimCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The arguments with {@code sim --trace FILE} (or {@code sim --trace=FILE}) spelled as the
   * subcommand it stands for, {@code sim trace FILE}; any other arguments unchanged.
   */
  static String[] withTraceSubcommand(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (!args[i].equals("sim")) {
        continue;
      }
      String next = args[i + 1];
      List<String> out = new ArrayList<>(Arrays.asList(args));
      if (next.equals("--trace")) {
        out.set(i + 1, "trace");
      } else if (next.startsWith("--trace=")) {
        out.set(i + 1, "trace");
        out.add(i + 2, next.substring("--trace=".length()));
      } else {
        return args;
      }
      return out.toArray(String[]::new);
    }
    return args;
  }

  SimulatedMigDriver simulator() {
    return root.node()
        .simulator()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "'migctl sim' works on the simulated node only; this invocation uses a real"
                        + " driver"));
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Command(
      name = "hold",
      mixinStandardHelpOptions = true,
      description = "Mark a MIG device as held by a process, as a running job would (busy).")
  static final class Hold implements Runnable {
    @ParentCommand SimCommand sim;

    @Parameters(paramLabel = "UUID", description = "The MIG device, MIG-….")
    String uuid;

    @Option(
        names = "--pid",
        paramLabel = "P",
        description = "The holding process id (default: the calling shell's).")
    Long pid;

    @Override
    public void run() {
      long holder =
          pid != null ? pid : ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
      if (holder < 1) {
        throw new InvalidInputException("--pid " + holder + ": a process id is at least 1");
      }
      int gpu = sim.simulator().hold(uuid, holder);
      sim.out().printf(Locale.ROOT, "%s on GPU %d is held by pid %d%n", uuid, gpu, holder);
      sim.out().flush();
    }
  }

  @Command(
      name = "release",
      mixinStandardHelpOptions = true,
      description = "Release a MIG device from one holder, or from all of them.")
  static final class Release implements Runnable {
    @ParentCommand SimCommand sim;

    @Parameters(paramLabel = "UUID", description = "The MIG device, MIG-….")
    String uuid;

    @Option(names = "--pid", paramLabel = "P", description = "Only this holder (default: all).")
    Long pid;

    @Override
    public void run() {
      int released = sim.simulator().release(uuid, Optional.ofNullable(pid));
      sim.out().printf(Locale.ROOT, "%s: released %d holder(s)%n", uuid, released);
      sim.out().flush();
    }
  }

  @Command(
      name = "fail-next",
      mixinStandardHelpOptions = true,
      description = {
        "Make the next call(s) of a driver operation fail, as a real driver can.",
        "",
        "--after N lets N calls of the operation through first, so that a fault hits the",
        "k-th call of an apply (--after k-1). Faults add up: each armed fault counts the calls",
        "of its operation on its own, so a second one can hit a call made while an apply",
        "undoes what the first interrupted."
      })
  static final class FailNext implements Runnable {
    @ParentCommand SimCommand sim;

    @Parameters(
        paramLabel = "OP",
        description = "create-gi, create-ci, destroy-gi, destroy-ci, set-mode or reset.")
    String operation;

    @Option(
        names = "--error",
        paramLabel = "ERROR",
        defaultValue = "unknown",
        description = {
          "The NVML error to return (default: ${DEFAULT-VALUE}): insufficient-resources,",
          "in-use, not-found, invalid-argument, not-supported, no-permission,",
          "reset-required, driver-not-loaded, unknown."
        })
    String error;

    @Option(
        names = "--times",
        paramLabel = "N",
        defaultValue = "1",
        description = "How many calls fail (default: ${DEFAULT-VALUE}).")
    int times;

    @Option(
        names = "--after",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Let this many calls of the operation through first (default: ${DEFAULT-VALUE}).")
    int after;

    @Override
    public void run() {
      SimOperation op;
      try {
        op = SimOperation.parse(operation);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      DriverError err = parseError(error);
      if (times < 1) {
        throw new InvalidInputException("--times " + times + ": give 1 or more");
      }
      if (after < 0) {
        throw new InvalidInputException("--after " + after + ": give 0 or more");
      }
      sim.simulator().failNext(op, err, times, after);
      sim.out()
          .printf(
              Locale.ROOT,
              "%s%d %s call(s) will fail with \"%s\"%n",
              after == 0 ? "the next " : "after the next " + after + ", ",
              times,
              op.cliName(),
              err.text());
      sim.out().flush();
    }

    private static DriverError parseError(String text) {
      String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      return Arrays.stream(DriverError.values())
          .filter(e -> e.name().equals(name))
          .findFirst()
          .orElseThrow(
              () ->
                  new InvalidInputException(
                      "--error "
                          + text
                          + " is not an NVML error migctl knows; use one of "
                          + String.join(
                              ", ",
                              Arrays.stream(DriverError.values())
                                  .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                  .toList())));
    }
  }

  @Command(
      name = "reset-state",
      mixinStandardHelpOptions = true,
      description =
          "Forget the simulated node's state: MIG enabled, no instances, no holders, no faults.")
  static final class ResetState implements Runnable {
    @ParentCommand SimCommand sim;

    @Override
    public void run() {
      SimulatedMigDriver s = sim.simulator();
      s.resetState();
      sim.out().println("simulated node " + s.spec() + " is back to its initial state");
      sim.out().flush();
    }
  }
}
