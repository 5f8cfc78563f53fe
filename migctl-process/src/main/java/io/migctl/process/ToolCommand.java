package io.migctl.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One program to run: an argument list and how to run it. Made with {@link #of} and the {@code
 * with…} methods, each of which returns a changed copy.
 *
 * @param argv the program (a path, or a name looked up on this process's {@code PATH}) and its
 *     arguments; not empty, no NUL in any
 * @param workdir where it runs; this process's working directory when empty
 * @param environment variables it gets: added to this process's environment when {@code
 *     inheritEnvironment}, else all it gets
 * @param inheritEnvironment whether it starts from this process's environment
 * @param timeout how long it may run before it is killed with its descendants; no limit when empty
 * @param output where its output goes
 * @param captureLimitChars how much of each stream the result keeps
 * @param transcript a file appended with everything it prints (created private: 0600 in a 0700
 *     folder, when missing)
 */
public record ToolCommand(
    List<String> argv,
    Optional<Path> workdir,
    Map<String, String> environment,
    boolean inheritEnvironment,
    Optional<Duration> timeout,
    Output output,
    int captureLimitChars,
    Optional<Path> transcript) {

  /** How much of each stream a result keeps unless told otherwise: 8 Mi characters. */
  public static final int DEFAULT_CAPTURE_LIMIT_CHARS = 8 * 1024 * 1024;

  /** Where a program's output goes. */
  public enum Output {
    /** Standard output and error captured apart. */
    SEPARATE,
    /** Standard error merged into standard output, interleaved as printed. */
    MERGED,
    /**
     * Both streams and standard input are this process's own (an interactive program); nothing is
     * captured or transcribed.
     */
    TERMINAL
  }

  public ToolCommand {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a tool command needs a program; argv is empty");
    }
    for (String a : argv) {
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "argument \"" + a.replace("\0", "\\0") + "\" holds a NUL, which no program can get");
      }
    }
    Objects.requireNonNull(workdir, "workdir");
    environment = Map.copyOf(environment);
    Objects.requireNonNull(timeout, "timeout");
    timeout.ifPresent(
        t -> {
          if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("a tool's timeout must be positive, was " + t);
          }
        });
    Objects.requireNonNull(output, "output");
    if (captureLimitChars < 0) {
      throw new IllegalArgumentException(
          "captureLimitChars must be 0 or more, was " + captureLimitChars);
    }
    Objects.requireNonNull(transcript, "transcript");
  }

  /**
   * {@code argv} run in this process's working directory and environment, without a time limit, its
   * streams captured apart, without a transcript.
   */
  public static ToolCommand of(List<String> argv) {
    return new ToolCommand(
        argv,
        Optional.empty(),
        Map.of(),
        true,
        Optional.empty(),
        Output.SEPARATE,
        DEFAULT_CAPTURE_LIMIT_CHARS,
        Optional.empty());
  }

  /** {@link #of(List)} for the arguments given. */
  public static ToolCommand of(String... argv) {
    return of(List.of(argv));
  }

  /** Runs in {@code dir}. */
  public ToolCommand withWorkdir(Path dir) {
    return withWorkdir(Optional.of(dir));
  }

  /** Runs in {@code dir}, or this process's working directory when empty. */
  public ToolCommand withWorkdir(Optional<Path> dir) {
    return new ToolCommand(
        argv, dir, environment, inheritEnvironment, timeout, output, captureLimitChars, transcript);
  }

  /** Starts from this process's environment with {@code variables} added (they win). */
  public ToolCommand withAddedEnvironment(Map<String, String> variables) {
    Map<String, String> all = new LinkedHashMap<>(environment);
    all.putAll(variables);
    return new ToolCommand(
        argv, workdir, all, inheritEnvironment, timeout, output, captureLimitChars, transcript);
  }

  /** Gets {@code variables} and nothing else: this process's environment is not passed on. */
  public ToolCommand withExactEnvironment(Map<String, String> variables) {
    return new ToolCommand(
        argv, workdir, variables, false, timeout, output, captureLimitChars, transcript);
  }

  /** Is killed, with its descendants, when it runs longer than {@code limit}. */
  public ToolCommand withTimeout(Duration limit) {
    return new ToolCommand(
        argv,
        workdir,
        environment,
        inheritEnvironment,
        Optional.of(limit),
        output,
        captureLimitChars,
        transcript);
  }

  /** Sends its output where {@code to} says. */
  public ToolCommand withOutput(Output to) {
    return new ToolCommand(
        argv, workdir, environment, inheritEnvironment, timeout, to, captureLimitChars, transcript);
  }

  /** Keeps at most {@code chars} characters of each stream in the result. */
  public ToolCommand withCaptureLimit(int chars) {
    return new ToolCommand(
        argv, workdir, environment, inheritEnvironment, timeout, output, chars, transcript);
  }

  /** Appends everything it prints to {@code file}. */
  public ToolCommand withTranscript(Path file) {
    return new ToolCommand(
        argv,
        workdir,
        environment,
        inheritEnvironment,
        timeout,
        output,
        captureLimitChars,
        Optional.of(file));
  }

  /** The program as people read it: the arguments joined with spaces. */
  public String display() {
    return String.join(" ", argv);
  }
}
