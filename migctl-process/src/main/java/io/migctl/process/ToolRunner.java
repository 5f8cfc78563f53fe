package io.migctl.process;

import java.io.IOException;

/**
 * Runs an external tool — conda, pip, python, a mig-parted hook, {@code nvidia-smi}, {@code
 * getconf} — as an argument list, never through a shell, and says how it ended. This is the one
 * port for every program migctl runs other than a job (jobs are started by the daemon's launcher,
 * which supervises them beyond one call). {@link SystemToolRunner} runs real processes; {@link
 * ScriptedToolRunner} answers from a script, for tests and demos. Which one is used is chosen where
 * the program is assembled.
 *
 * <p>Contract of {@link #run}:
 *
 * <ul>
 *   <li>the program gets {@link ToolCommand#argv()} exactly, in {@link ToolCommand#workdir()} (else
 *       this process's), with the environment {@link ToolCommand} describes, and empty standard
 *       input unless its output goes to the {@link ToolCommand.Output#TERMINAL terminal};
 *   <li>its output arrives at {@code output} as it is printed, in chunks split at {@code '\n'} or
 *       NUL (the separator dropped), is appended to {@link ToolCommand#transcript()} when given,
 *       and is kept in the result up to {@link ToolCommand#captureLimitChars()} characters per
 *       stream (the rest is dropped from the result only, which says so);
 *   <li>a program still running at {@link ToolCommand#timeout()} is killed with its descendants and
 *       the result says {@link ToolResult.TimedOut};
 *   <li>cancellation is the calling thread's interrupt: the program and its descendants are killed
 *       and {@link InterruptedException} is thrown once they are gone.
 * </ul>
 *
 * <p>Implementations are safe to call from several threads at once.
 */
public interface ToolRunner {

  /**
   * Runs {@code command} to its end.
   *
   * @param output receives the output as it arrives; called from threads other than the caller's
   * @throws IOException when the program cannot be started: it does not exist, is not executable,
   *     or the working directory does not exist; the message says which
   * @throws InterruptedException when the calling thread was interrupted; the program was killed
   */
  ToolResult run(ToolCommand command, ToolOutput output) throws IOException, InterruptedException;

  /** Runs {@code command} to its end, keeping its output only in the result. */
  default ToolResult run(ToolCommand command) throws IOException, InterruptedException {
    return run(command, ToolOutput.IGNORE);
  }
}
