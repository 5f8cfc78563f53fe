package io.migctl.daemon.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The job runtime's port to processes: starts each attempt's supervisor, reads what it recorded in
 * the attempt's directory, tells whether a recorded supervisor still lives, and signals the job.
 * Crash recovery goes through it too, so that everything the runtime knows about processes comes
 * from one place.
 *
 * <p>Real side: {@link JobProcesses} (a POSIX supervisor per attempt, files in its directory).
 * Simulated side: {@link FakeProcessLauncher} (processes that start, print and exit when a test
 * says, and record the signals they get with the time they got them).
 *
 * <p>Implementations may be called from any thread.
 */
public interface ProcessLauncher {

  /** The signals the daemon sends to a job. */
  enum Signal {
    /** Asks the command's process group to stop. */
    TERM,
    /** Kills the command's process group; the supervisor survives to record the exit status. */
    KILL
  }

  /**
   * A supervisor that was just started.
   *
   * @param pid the supervisor's pid
   * @param processStart when the supervisor's process started; what {@link #isAlive} compares
   *     against to tell a reused pid
   * @param exited completes when the supervisor has exited (it records the exit first)
   */
  record Launched(long pid, Optional<Instant> processStart, CompletableFuture<Void> exited) {}

  /**
   * How a command ended, as its supervisor recorded it.
   *
   * @param status the exit status, 0-255 (128+n: killed by signal n)
   * @param finishedAt when the supervisor saw the command end: when it wrote the record
   */
  record ExitRecord(int status, Instant finishedAt) {

    /** Checks the status. */
    public ExitRecord {
      if (status < 0 || status > 255) {
        throw new IllegalArgumentException("exit status out of range: " + status);
      }
      Objects.requireNonNull(finishedAt, "finishedAt");
    }
  }

  /**
   * What {@link #launch} hands to {@code execve(2)} to start a supervisor.
   *
   * @param arguments the supervisor's argument list: its program and its own arguments, then the
   *     command and its arguments, in {@link #commandFrom} onwards
   * @param commandFrom the index of the command in {@code arguments}
   * @param environment the supervisor's environment
   */
  record Exec(List<String> arguments, int commandFrom, Map<String, String> environment) {
    public Exec {
      arguments = List.copyOf(arguments);
      environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }
  }

  /**
   * Starts {@code command} under a new supervisor.
   *
   * @param attemptDir the attempt's directory; it must not have been used by another supervisor
   * @param command the program and its arguments, passed verbatim
   * @param environment the command's complete environment
   * @param workdir the command's working directory, which must exist
   * @throws IOException when the supervisor cannot be started (nothing runs then)
   * @throws IllegalArgumentException when the command is empty or a string cannot be passed
   */
  default Launched launch(
      Path attemptDir, List<String> command, Map<String, String> environment, Path workdir)
      throws IOException {
    return launch(attemptDir, command, environment, workdir, LaunchConfinement.NONE);
  }

  /**
   * Starts {@code command} under a new supervisor, confined as {@code confinement} says: the
   * command joins its cgroups before it starts, runs behind its prefix, and its logs belong to its
   * owner.
   *
   * @throws IOException as {@link #launch(Path, List, Map, Path)}, and when the logs cannot be
   *     given to the owner
   */
  Launched launch(
      Path attemptDir,
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      LaunchConfinement confinement)
      throws IOException;

  /**
   * The {@code execve(2)} that {@link #launch} would make for this command, without making it: to
   * check its size before a job is accepted.
   */
  Exec supervisorExec(Path attemptDir, List<String> command, Map<String, String> environment);

  /** The exit record, once the supervisor has written it; empty before. Never throws. */
  Optional<ExitRecord> readExit(Path attemptDir);

  /** The supervisor's pid as it recorded it; empty until it has. */
  OptionalLong supervisorPid(Path attemptDir);

  /** When process {@code pid} started, where that can be told; empty when it is gone. */
  Optional<Instant> startTime(long pid);

  /**
   * Whether process {@code pid} is alive and, when {@code processStart} is given, is the process
   * that started then and not a later one that reuses the pid.
   */
  boolean isAlive(long pid, Optional<Instant> processStart);

  /**
   * Completes when process {@code pid} has exited; at once when it is not alive. For re-adopting a
   * supervisor that this runtime did not start.
   */
  CompletableFuture<Void> onExit(long pid);

  /**
   * Sends {@code sig} to the job of an attempt (its process group, or its supervisor before the
   * command started). Nothing is sent once the exit is recorded. A process that is already gone is
   * not an error.
   */
  void signal(Path attemptDir, long supervisorPid, Signal sig);

  /** Kills whatever is left of the command's process group. Best effort: never throws. */
  void killGroup(Path attemptDir);
}
