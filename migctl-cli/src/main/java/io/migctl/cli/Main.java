package io.migctl.cli;

import io.migctl.core.mig.MigDriverException;
import io.migctl.env.BuildFailedException;
import io.migctl.node.mig.HookRunner;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The composition root of the command line: builds the command tree and maps outcomes to exit
 * codes.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // The daemon's log lines: time, level, message; one line each.
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %5$s%6$s%n");
    System.exit(
        execute(
            CliContext.ofProcess(),
            args,
            new PrintWriter(System.out),
            new PrintWriter(System.err)));
  }

  /** Runs one invocation with the given environment and streams; returns its exit code. */
  public static int execute(CliContext context, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(context, out, err);
    try {
      return cl.execute(SimCommand.withTraceSubcommand(args));
    } finally {
      ((MigctlCommand) cl.getCommand()).closeDriver();
    }
  }

  /** The command tree for one invocation, wired to {@code context}. */
  static CommandLine commandLine(CliContext context, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new MigctlCommand(context));
    cl.addSubcommand(new GpusCommand());
    cl.addSubcommand(new ProfilesCommand());
    cl.addSubcommand(new MigCommand());
    cl.addSubcommand(new EnvCommand());
    cl.addSubcommand(new SimCommand());
    cl.addSubcommand(new ServeCommand());
    cl.addSubcommand(new SubmitCommand());
    cl.addSubcommand(new JobsCommand());
    cl.addSubcommand(new JobCommand());
    cl.addSubcommand(new LogsCommand());
    cl.addSubcommand(new CancelCommand());
    cl.addSubcommand(new UpCommand());
    cl.addSubcommand(new TopCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setAllowSubcommandsAsOptionParameters(true);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter e = ex.getCommandLine().getErr();
          e.println("migctl: " + ex.getMessage());
          e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          e.flush();
          return ExitCode.INVALID_INPUT;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter e = commandLine.getErr();
          int code;
          if (ex instanceof InvalidInputException || ex instanceof IllegalArgumentException) {
            e.println("migctl: " + ex.getMessage());
            code = ExitCode.INVALID_INPUT;
          } else if (ex instanceof DaemonClient.DaemonUnreachableException) {
            e.println("migctl: " + ex.getMessage());
            code = ExitCode.DAEMON_UNREACHABLE;
          } else if (ex instanceof DaemonClient.DaemonRefusedException
              || ex instanceof MigDriverException
              || ex instanceof HookRunner.HookFailedException
              || ex instanceof DriverUnavailableException
              || ex instanceof BuildFailedException) {
            e.println("migctl: " + ex.getMessage());
            code = ExitCode.FAILURE;
          } else if (ex instanceof IllegalStateException
              || ex instanceof java.io.UncheckedIOException) {
            // A state migctl cannot work with (an unreadable file, a disk error): the message says
            // what and how to recover.
            e.println("migctl: " + ex.getMessage());
            code = ExitCode.FAILURE;
          } else {
            e.println("migctl: internal error: " + ex);
            ex.printStackTrace(e);
            code = ExitCode.FAILURE;
          }
          e.flush();
          return code;
        });
    return cl;
  }
}
