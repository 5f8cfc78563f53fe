package io.migctl.daemon.run;

import io.migctl.daemon.run.ProcessLauncher.Signal;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Signals to the job of an attempt, sent so that they reach this attempt's processes and no other:
 * the command's process group once it has one, its supervisor before that, never pid 0 or 1, this
 * JVM or its group, nor a later process that reuses a recorded pid. Signals go out with the shell's
 * {@code kill}, run as an argument list.
 *
 * <p>Instances hold only the shell and may be shared between threads.
 */
final class JobSignals {

  private static final Logger LOG = Logger.getLogger(JobSignals.class.getName());

  // "kill -SIG -PGID" is what dash, bash and busybox all read as a group: dash needs "--" after
  // "-s SIG" (not after "-SIG"), busybox rejects "--".
  private static final String KILL_SCRIPT = "kill \"-$1\" \"$2\"";

  private final Path shell;

  /**
   * @param shell the POSIX shell whose {@code kill} sends the signals
   */
  JobSignals(Path shell) {
    this.shell = Objects.requireNonNull(shell, "shell");
  }

  /**
   * Sends {@code sig} to the job of an attempt. Once the command has started ({@code child.pid}
   * exists) it goes to the command's process group (to the command alone in the instant before it
   * has its group); before that, TERM or KILL alike become a TERM to the supervisor, whose trap
   * then keeps the command from starting. The supervisor itself is never killed: it records the
   * exit. Nothing is sent once the exit is recorded, nor to a process that is not this attempt's (a
   * reused pid). A process that is already gone is not an error.
   *
   * @throws UncheckedIOException when a signal cannot be sent for another reason
   */
  void signal(Path attemptDir, long supervisorPid, Signal sig) {
    Objects.requireNonNull(sig, "sig");
    Path dir = attemptDir.toAbsolutePath().normalize();
    if (AttemptFiles.readExit(dir).isPresent()) {
      return;
    }
    // The command resets TERM to its default and then checks for this file before it starts:
    // a TERM that would come while it still ignores TERM finds the file written first.
    AttemptFiles.requestStop(dir);
    OptionalLong child = AttemptFiles.childPid(dir);
    if (child.isPresent()) {
      long pgid = child.getAsLong();
      if (!ownsGroup(dir, pgid)) {
        LOG.warning("not signalling " + pgid + ": it is no longer the command of " + dir);
        return;
      }
      if (!kill(sig, -pgid)) {
        // The command has not called setsid yet: signal it alone.
        ProcessHandle.of(pgid).ifPresent(h -> destroy(h, sig));
      }
      return;
    }
    if (isSupervisor(supervisorPid, dir)) {
      kill(Signal.TERM, supervisorPid);
    } else {
      LOG.fine(() -> "no supervisor " + supervisorPid + " of " + dir + " to signal");
    }
  }

  /**
   * Kills (SIGKILL) whatever is left of the command's process group: for when its supervisor
   * vanished, or to clear processes the command left behind. Best effort: never throws.
   */
  void killGroup(Path attemptDir) {
    Path dir = attemptDir.toAbsolutePath().normalize();
    OptionalLong child = AttemptFiles.childPid(dir);
    if (child.isEmpty() || !ownsGroup(dir, child.getAsLong())) {
      return;
    }
    try {
      if (!kill(Signal.KILL, -child.getAsLong())) {
        // The command has not called setsid yet: kill it alone.
        ProcessHandle.of(child.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (UncheckedIOException e) {
      LOG.log(Level.WARNING, "could not kill the process group " + child.getAsLong(), e);
    }
  }

  /**
   * Whether process group {@code pgid} is still the one of the command in {@code dir}: never pid 0,
   * 1, this JVM or its own group; when a process {@code pgid} is alive it must have started before
   * {@code child.pid} was written (a later one reuses the pid). When it is gone, processes left in
   * its group keep the id from being reused, so the group is still the command's.
   */
  static boolean ownsGroup(Path dir, long pgid) {
    if (pgid <= 1 || pgid == ProcessHandle.current().pid()) {
      return false;
    }
    if (ProcStat.self().map(s -> s.pgrp() == pgid || s.session() == pgid).orElse(false)) {
      return false;
    }
    Optional<ProcessHandle> leader = ProcessHandle.of(pgid);
    if (leader.isEmpty()) {
      return true;
    }
    Optional<Instant> start = leader.get().info().startInstant();
    try {
      Instant written = Files.getLastModifiedTime(dir.resolve(AttemptFiles.CHILD_PID)).toInstant();
      return start.isEmpty() || !start.get().isAfter(written.plus(ProcessLiveness.START_TOLERANCE));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code pid} is the supervisor of {@code dir}, by its recorded pid and its argv. */
  static boolean isSupervisor(long pid, Path dir) {
    if (pid <= 1 || pid == ProcessHandle.current().pid()) {
      return false;
    }
    OptionalLong recorded = AttemptFiles.supervisorPid(dir);
    if (recorded.isPresent() && recorded.getAsLong() != pid) {
      return false;
    }
    List<String> args = cmdline(pid);
    int at = args.indexOf(JobProcesses.SUPERVISOR_NAME);
    return at >= 1 && at + 1 < args.size() && args.get(at + 1).equals(dir.toString());
  }

  private static List<String> cmdline(long pid) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    List<String> args = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        args.add(new String(bytes, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    return args;
  }

  private static void destroy(ProcessHandle h, Signal sig) {
    if (sig == Signal.KILL) {
      h.destroyForcibly();
    } else {
      h.destroy();
    }
  }

  /**
   * Sends {@code sig} to {@code target} (a negative one: a process group) with the shell's {@code
   * kill}, run as an argument list.
   *
   * @return false when there is no such process
   */
  private boolean kill(Signal sig, long target) {
    if (target >= -1 && target <= 1) {
      throw new IllegalArgumentException("refusing to signal " + target);
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                shell.toString(),
                "-c",
                KILL_SCRIPT,
                "migctl-kill",
                sig.name(),
                Long.toString(target))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("LC_ALL", "C");
    try {
      Process p = pb.start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("kill did not finish");
      }
      if (p.exitValue() == 0) {
        return true;
      }
      if (out.contains("No such process")) {
        return false;
      }
      throw new IOException("kill -" + sig + " " + target + " failed: " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("interrupted while signalling"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
