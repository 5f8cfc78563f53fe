package io.migctl.process;

import java.time.Duration;
import java.util.Objects;

/**
 * How a tool run ended and what it printed.
 *
 * @param ending whether it exited (with which status) or was killed at its time limit
 * @param stdout standard output as captured (with {@link ToolCommand.Output#MERGED}, standard error
 *     too, interleaved as printed); empty for {@link ToolCommand.Output#TERMINAL}
 * @param stderr standard error as captured; empty when merged or on the terminal
 * @param truncated whether either stream printed more than the command's capture limit, so that
 *     {@code stdout} or {@code stderr} holds only its beginning
 */
public record ToolResult(Ending ending, String stdout, String stderr, boolean truncated) {

  public ToolResult {
    Objects.requireNonNull(ending, "ending");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  /** How a run ended. */
  public sealed interface Ending permits Exited, TimedOut {}

  /**
   * The program exited by itself (or was ended by a signal from elsewhere).
   *
   * @param status its exit status; 128+n when a signal n ended it
   */
  public record Exited(int status) implements Ending {}

  /** The program ran past its time limit and was killed, with its descendants. */
  public record TimedOut(Duration limit) implements Ending {
    public TimedOut {
      Objects.requireNonNull(limit, "limit");
    }
  }

  /** A run that exited with {@code status}, having printed what is given. */
  public static ToolResult exited(int status, String stdout, String stderr) {
    return new ToolResult(new Exited(status), stdout, stderr, false);
  }

  /** Whether the program exited with status 0. */
  public boolean succeeded() {
    return ending instanceof Exited(int status) && status == 0;
  }

  /** Whether it was killed at its time limit. */
  public boolean timedOut() {
    return ending instanceof TimedOut;
  }

  /** What it printed to both streams, standard output first. */
  public String output() {
    return stdout + stderr;
  }
}
