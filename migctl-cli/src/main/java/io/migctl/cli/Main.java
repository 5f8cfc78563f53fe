package io.migctl.cli;

import io.migctl.apply.HookRunner;
import io.migctl.core.mig.MigDriverException;
import io.migctl.env.BuildFailedException;
import io.migctl.k8s.kubelet.KubeletUnavailableException;
import io.migctl.k8s.node.ClusterException;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolRunner;
import io.migctl.slurm.SlurmControlException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The composition root of the command line: builds the command tree and maps outcomes to exit
 * codes.
 *
 * <p>An exception ends an invocation with one line on standard error: {@code migctl: } and its
 * message, for the failures migctl words itself (exit 2 for invalid input, 3 when the daemon cannot
 * be reached, 1 otherwise). Anything else is a bug: one line that says so (exit 1), never Java's
 * text or a stack trace, which {@code MIGCTL_DEBUG=1} adds. With {@code --json} the same outcome is
 * also an error document on standard output ({@link Json.ErrorDocument}).
 */
public final class Main {

  /** The environment variable that adds stack traces to failures. */
  static final String DEBUG = "MIGCTL_DEBUG";

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

  /**
   * The names of {@code migctl}'s subcommands, in the order {@code --help} lists them. Each is made
   * ({@link #subcommand}) only when an invocation needs it: picocli reads a command's annotations
   * when it is added, and doing that for every command is most of a short command's start-up.
   */
  static final List<String> SUBCOMMANDS =
      List.of(
          "gpus",
          "profiles",
          "mig",
          "env",
          "sim",
          "cdi",
          "k8s",
          "slurm",
          "replay",
          "serve",
          "submit",
          "jobs",
          "job",
          "logs",
          "cancel",
          "tenant",
          "audit",
          "up",
          "top",
          "dmon");

  /** A new instance of the subcommand {@code name}, one of {@link #SUBCOMMANDS}. */
  static Object subcommand(String name) {
    return switch (name) {
      case "gpus" -> new GpusCommand();
      case "profiles" -> new ProfilesCommand();
      case "mig" -> new MigCommand();
      case "env" -> new EnvCommand();
      case "sim" -> new SimCommand();
      case "cdi" -> new CdiCommand();
      case "k8s" -> new K8sCommand();
      case "slurm" -> new SlurmCommand();
      case "replay" -> new ReplayCommand();
      case "serve" -> new ServeCommand();
      case "submit" -> new SubmitCommand();
      case "jobs" -> new JobsCommand();
      case "job" -> new JobCommand();
      case "logs" -> new LogsCommand();
      case "cancel" -> new CancelCommand();
      case "tenant" -> new TenantCommand();
      case "audit" -> new AuditCommand();
      case "up" -> new UpCommand();
      case "top" -> new TopCommand();
      case "dmon" -> new DmonCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  /** Runs one invocation with the given environment and streams; returns its exit code. */
  public static int execute(CliContext context, String[] args, PrintWriter out, PrintWriter err) {
    String[] named = SimCommand.withTraceSubcommand(args);
    return execute(commandLine(context, new SystemToolRunner(), out, err, named), args);
  }

  /** Runs one invocation of a command tree made by {@link #commandLine}; returns its exit code. */
  static int execute(CommandLine cl, String[] args) {
    try {
      return cl.execute(SimCommand.withTraceSubcommand(args));
    } catch (Error e) {
      // A stack overflow or the like escapes picocli's handlers; it is still a bug to report.
      return report(cl, e, Outcome.internal(), args);
    } finally {
      ((MigctlCommand) cl.getCommand()).closeDriver();
    }
  }

  /** The whole command tree, wired to {@code context} and real tools. */
  static CommandLine commandLine(CliContext context, PrintWriter out, PrintWriter err) {
    return commandLine(context, new SystemToolRunner(), out, err);
  }

  /** The whole command tree, wired to {@code context}, its tools run by {@code tools}. */
  static CommandLine commandLine(
      CliContext context, ToolRunner tools, PrintWriter out, PrintWriter err) {
    return commandLine(context, tools, out, err, new String[0]);
  }

  /**
   * The command tree that the arguments {@code line} need, wired to {@code context}, its tools run
   * by {@code tools}: the root and the subcommands {@link #needed} chooses.
   */
  static CommandLine commandLine(
      CliContext context, ToolRunner tools, PrintWriter out, PrintWriter err, String[] line) {
    return commandLine(context, tools, out, err, line, Main::subcommand);
  }

  /**
   * As {@link #commandLine(CliContext, ToolRunner, PrintWriter, PrintWriter, String[])}, each
   * subcommand made by {@code subcommands} (tests give one its fake clock).
   */
  static CommandLine commandLine(
      CliContext context,
      ToolRunner tools,
      PrintWriter out,
      PrintWriter err,
      String[] line,
      Function<String, Object> subcommands) {
    CommandLine cl = new CommandLine(new MigctlCommand(context, tools));
    for (String name : needed(cl.getCommandSpec(), line)) {
      cl.addSubcommand(name, subcommands.apply(name));
    }
    CommandLine sim = cl.getSubcommands().get("sim");
    if (sim != null) {
      // 'sim trace' is replay's older name: it still works, but only 'replay' is listed.
      CommandLine alias = new CommandLine(new ReplayCommand());
      alias.getCommandSpec().usageMessage().hidden(true);
      sim.addSubcommand("trace", alias);
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setAllowSubcommandsAsOptionParameters(true);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter e = ex.getCommandLine().getErr();
          e.println("migctl: " + ex.getMessage());
          e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          e.flush();
          if (wantsJson(args)) {
            Json.print(
                cl.getOut(),
                Json.ErrorDocument.of(
                    Outcome.INVALID_INPUT, ex.getMessage(), ExitCode.INVALID_INPUT));
          }
          return ExitCode.INVALID_INPUT;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) ->
            report(cl, ex, Outcome.of(ex), parseResult.originalArgs().toArray(String[]::new)));
    return cl;
  }

  /**
   * How an invocation that threw ends.
   *
   * @param code the error document's code
   * @param message what standard error says after {@code migctl: }
   */
  record Outcome(int exitCode, String code, String message) {

    static final String INVALID_INPUT = "invalid-input";

    static Outcome of(Exception ex) {
      String message = ex.getMessage();
      boolean ours = writtenByMigctl(ex);
      return switch (ex) {
        case InvalidInputException e -> new Outcome(ExitCode.INVALID_INPUT, INVALID_INPUT, message);
        case IllegalArgumentException e when ours ->
            new Outcome(ExitCode.INVALID_INPUT, INVALID_INPUT, message);
        case DaemonClient.DaemonUnreachableException e ->
            new Outcome(ExitCode.DAEMON_UNREACHABLE, "daemon-unreachable", message);
        case DaemonClient.DaemonRefusedException e -> failure(message);
        case MigDriverException e -> failure(message);
        case HookRunner.HookFailedException e -> failure(message);
        case DriverUnavailableException e -> failure(message);
        case ClusterException e -> failure(message);
        case KubeletUnavailableException e -> failure(message);
        case SlurmControlException e -> failure(message);
        case BuildFailedException e -> failure(message);
        // A state migctl cannot work with (an unreadable file, a disk error): the message says
        // what and how to recover.
        case IllegalStateException e when ours -> failure(message);
        case UncheckedIOException e when ours -> failure(message);
        default -> internal();
      };
    }

    static Outcome internal() {
      return new Outcome(
          ExitCode.FAILURE,
          "internal",
          "internal error (a bug in migctl); please report it with the command you ran; "
              + DEBUG
              + "=1 shows the stack trace");
    }

    private static Outcome failure(String message) {
      return new Outcome(ExitCode.FAILURE, "failure", message);
    }

    /**
     * Whether migctl made the exception, so its message is in migctl's words; one the JDK or a
     * library made ({@code For input string: "x"}) is not, and is a bug where it reaches a user.
     */
    private static boolean writtenByMigctl(Throwable ex) {
      StackTraceElement[] trace = ex.getStackTrace();
      return ex.getMessage() != null
          && trace.length > 0
          && trace[0].getClassName().startsWith("io.migctl.");
    }
  }

  private static int report(CommandLine cl, Throwable ex, Outcome outcome, String[] args) {
    PrintWriter err = cl.getErr();
    err.println("migctl: " + outcome.message());
    String debug = ((MigctlCommand) cl.getCommand()).context().environment().get(DEBUG);
    if (debug != null && !debug.isBlank() && !debug.equals("0")) {
      ex.printStackTrace(err);
    }
    err.flush();
    if (wantsJson(args)) {
      Json.print(
          cl.getOut(),
          Json.ErrorDocument.of(outcome.code(), outcome.message(), outcome.exitCode()));
    }
    return outcome.exitCode();
  }

  /**
   * The subcommands the arguments {@code line} need: the one the first argument that is neither a
   * root option nor its value names; none for {@code --version} before it; every one when there is
   * no such argument or it names no subcommand, so that help lists them and picocli can suggest a
   * name for a typo.
   */
  private static List<String> needed(CommandSpec root, String[] line) {
    for (int i = 0; i < line.length; i++) {
      String arg = line[i];
      if (arg.equals("--")) {
        break;
      }
      if (!arg.startsWith("-")) {
        return SUBCOMMANDS.contains(arg) ? List.of(arg) : SUBCOMMANDS;
      }
      OptionSpec option = root.findOption(arg);
      if (option != null && option.versionHelp()) {
        return List.of();
      }
      if (option != null && option.arity().max() > 0) {
        i++; // its value
      }
    }
    return SUBCOMMANDS;
  }

  /** Whether {@code --json} was given as an option (not as an argument after {@code --}). */
  private static boolean wantsJson(String[] args) {
    List<String> all = List.of(args);
    int end = all.indexOf("--");
    return (end < 0 ? all : all.subList(0, end)).contains("--json");
  }
}
