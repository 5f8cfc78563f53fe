package io.migctl.process;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ToolRunner} that runs nothing: it answers each command from a script of rules ("when
 * argv starts with X, print Y, exit Z") and records every command it was given. Output is delivered
 * as {@link SystemToolRunner} delivers it — to the listener in chunks, to the transcript, into the
 * result up to the capture limit — so the code under test sees the same thing.
 *
 * <p>Rules are tried in the order they were added; the first whose prefix matches and that has uses
 * left answers. A command no rule answers cannot be started ({@link IOException}), as a program
 * that is not installed. Thread-safe.
 *
 * <pre>{@code
 * ScriptedToolRunner tools = new ScriptedToolRunner();
 * tools.when("getconf", "ARG_MAX").prints("2097152\n");
 * tools.when("nvidia-smi", "-r").once().printsError("GPU is busy\n").exits(1);
 * }</pre>
 */
public final class ScriptedToolRunner implements ToolRunner {

  /** Something a rule does when it answers, before its output, such as making a file. */
  @FunctionalInterface
  public interface Effect {
    void apply(ToolCommand command) throws IOException;
  }

  private final List<Rule> rules = new ArrayList<>();
  private final List<ToolCommand> calls = new ArrayList<>();

  /**
   * A new rule for commands whose argv starts with {@code prefix} (every command when empty); it
   * exits 0 having printed nothing until told otherwise.
   */
  public synchronized Rule when(String... prefix) {
    Rule rule = new Rule(List.of(prefix));
    rules.add(rule);
    return rule;
  }

  /** Every command run so far, oldest first. */
  public synchronized List<ToolCommand> calls() {
    return List.copyOf(calls);
  }

  /** The argument lists run so far, oldest first. */
  public synchronized List<List<String>> argvs() {
    return calls.stream().map(ToolCommand::argv).toList();
  }

  @Override
  public ToolResult run(ToolCommand command, ToolOutput output) throws IOException {
    Rule rule;
    synchronized (this) {
      calls.add(command);
      rule = rules.stream().filter(r -> r.answers(command)).findFirst().orElse(null);
      if (rule == null) {
        throw new IOException(
            "Cannot run program \""
                + command.argv().getFirst()
                + "\": nothing is scripted for '"
                + command.display()
                + "'");
      }
      rule.usesLeft--;
    }
    if (rule.cannotStart != null) {
      throw new IOException(rule.cannotStart);
    }
    if (rule.effect != null) {
      rule.effect.apply(command);
    }
    ToolResult.Ending ending =
        rule.timesOut
            ? new ToolResult.TimedOut(
                command
                    .timeout()
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                "a rule times out '"
                                    + command.display()
                                    + "', which has no limit")))
            : new ToolResult.Exited(rule.status);
    try (OutputSink sink = new OutputSink(command, output)) {
      switch (command.output()) {
        case TERMINAL -> {}
        case MERGED -> {
          sink.stdout().write(rule.stdout + rule.stderr);
          sink.stdout().end();
        }
        case SEPARATE -> {
          sink.stdout().write(rule.stdout);
          sink.stdout().end();
          sink.stderr().write(rule.stderr);
          sink.stderr().end();
        }
      }
      return sink.result(ending);
    }
  }

  /** One answer of the script. Its setters return the rule, to be chained. */
  public static final class Rule {
    private final List<String> prefix;
    private volatile int usesLeft = Integer.MAX_VALUE;
    private volatile String stdout = "";
    private volatile String stderr = "";
    private volatile int status;
    private volatile boolean timesOut;
    private volatile String cannotStart;
    private volatile Effect effect;

    private Rule(List<String> prefix) {
      this.prefix = prefix;
    }

    private boolean answers(ToolCommand command) {
      List<String> argv = command.argv();
      return usesLeft > 0
          && argv.size() >= prefix.size()
          && argv.subList(0, prefix.size()).equals(prefix);
    }

    /** Answers only the next {@code n} matching commands; later ones go to later rules. */
    public Rule times(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("a rule answers at least once, not " + n + " times");
      }
      usesLeft = n;
      return this;
    }

    /** Answers only the next matching command. */
    public Rule once() {
      return times(1);
    }

    /** Prints {@code text} on standard output. */
    public Rule prints(String text) {
      stdout = text;
      return this;
    }

    /** Prints {@code text} on standard error. */
    public Rule printsError(String text) {
      stderr = text;
      return this;
    }

    /** Exits with {@code exitStatus} (0 unless told). */
    public Rule exits(int exitStatus) {
      status = exitStatus;
      return this;
    }

    /** Runs until the command's time limit and is killed. */
    public Rule timesOut() {
      timesOut = true;
      return this;
    }

    /** Cannot be started: the run throws {@link IOException} with {@code message}. */
    public Rule cannotStart(String message) {
      cannotStart = message;
      return this;
    }

    /** Does {@code what} before printing, e.g. makes the folder a real run would make. */
    public Rule does(Effect what) {
      effect = what;
      return this;
    }
  }
}
