package io.migctl.daemon.run;

import io.migctl.daemon.run.ProcessLauncher.ExitRecord;
import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An attempt's directory, as the supervisor ({@link JobProcesses}) and this JVM share it:
 *
 * <pre>
 *   supervisor.log   the supervisor's own messages
 *   supervisor.pid   the supervisor's pid and a newline
 *   child.pid        the command's pid, which is also its process group and session id
 *   stdout.log       the command's standard output
 *   stderr.log       the command's standard error
 *   exit             "status=N", once the command is gone; the file's modification time is
 *                    when the supervisor saw it end
 *   cancel           a stop was asked for (by {@link JobSignals#signal} or a TERM to the
 *                    supervisor); a command that has not started yet then never starts (status 143)
 * </pre>
 *
 * <p>The directory is 0700 and every file in it 0600: {@code supervisor.log} is created here, the
 * others by the supervisor under umask 077. The command itself runs with this JVM's umask.
 *
 * <p>{@code child.pid} and {@code exit} are written as {@code NAME.tmp} and renamed. {@code
 * supervisor.pid} is written in place, with a single write of a few bytes, to spare the supervisor
 * a process on the way to the command (this JVM has the pid from {@link Process#pid()}; the file is
 * for reconciling a launch that the daemon did not live to record): a pid file that does not end in
 * its newline counts as not written yet, so that a reader never takes a part of a pid for one.
 * Supervisors of earlier versions also wrote a {@code started} file and a {@code finished=} line in
 * {@code exit}; the line is still read. The exit status is 0-255: 128+n when the command was killed
 * by signal n, 127 when it was not found, 126 when it could not run.
 *
 * <p>Readers never throw for what they find in a file: a file that is missing, unreadable or
 * malformed reads as not written yet.
 */
final class AttemptFiles {

  /** The supervisor's own standard output and error. */
  static final String SUPERVISOR_LOG = "supervisor.log";

  /** The command's standard output. */
  static final String STDOUT_LOG = "stdout.log";

  /** The command's standard error. */
  static final String STDERR_LOG = "stderr.log";

  static final String SUPERVISOR_PID = "supervisor.pid";
  static final String CHILD_PID = "child.pid";
  static final String EXIT = "exit";
  static final String CANCEL = "cancel";

  private static final Logger LOG = Logger.getLogger(AttemptFiles.class.getName());

  private AttemptFiles() {}

  /**
   * Makes {@code dir} ready for a new supervisor: created (mode 0700) if missing, with an empty
   * {@code supervisor.log} (0600) for the supervisor's output.
   *
   * @throws FileAlreadyExistsException when another supervisor already used it
   * @throws NotDirectoryException when it exists and is not a directory
   */
  static void prepare(Path dir) throws IOException {
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new NotDirectoryException(dir.toString());
      }
      PrivateFiles.createDirectories(dir);
    }
    Files.setPosixFilePermissions(dir, owner);
    for (String used : List.of(SUPERVISOR_PID, CHILD_PID, EXIT)) {
      if (Files.exists(dir.resolve(used), LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(
            dir.toString(), null, "the attempt directory was already used by a supervisor");
      }
    }
    // This JVM cannot set its umask: the log its supervisor's output is appended to is made 0600
    // here; what the supervisor creates itself is 0600 by its umask 077.
    if (!Files.exists(dir.resolve(SUPERVISOR_LOG), LinkOption.NOFOLLOW_LINKS)) {
      Files.createFile(dir.resolve(SUPERVISOR_LOG), PrivateFiles.fileMode());
    }
  }

  /**
   * Gives the command's logs to {@code owner} (created 0600 when missing) and lets every user enter
   * {@code dir} (0711) so that the owner reaches them by name; the supervisor's own files stay the
   * daemon's, 0600, and nobody else can list the folder.
   */
  static void giveLogs(Path dir, LaunchConfinement.FileOwner owner) throws IOException {
    for (String log : List.of(STDOUT_LOG, STDERR_LOG)) {
      Path file = dir.resolve(log);
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(file, PrivateFiles.fileMode());
      }
      Files.setAttribute(file, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(file, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  /**
   * Writes {@code cancel}, which the command checks for before it starts. Best effort: a failure is
   * logged, the signal that follows still goes out.
   */
  static void requestStop(Path dir) {
    try {
      PrivateFiles.writeString(dir.resolve(CANCEL), "");
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write " + dir.resolve(CANCEL), e);
    }
  }

  /**
   * The exit record, once the supervisor has written it; empty before, and for a file that is
   * missing, unreadable or malformed. Never throws for the file's content. The time is the file's
   * modification time, or the {@code finished=} line that supervisors of earlier versions wrote.
   */
  static Optional<ExitRecord> readExit(Path attemptDir) {
    Path file = attemptDir.resolve(EXIT);
    Optional<String> text = readSmall(file);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    OptionalLong status = OptionalLong.empty();
    OptionalLong finished = OptionalLong.empty();
    for (String line : text.get().split("\n", -1)) {
      if (line.startsWith("status=")) {
        status = number(line.substring("status=".length()));
      } else if (line.startsWith("finished=")) {
        finished = number(line.substring("finished=".length()));
      }
    }
    if (status.isEmpty() || status.getAsLong() > 255) {
      return Optional.empty();
    }
    Instant at;
    if (finished.isPresent()) {
      at = Instant.ofEpochSecond(finished.getAsLong());
    } else {
      try { // the file's own time is when it was written (renaming it kept that time)
        at = Files.getLastModifiedTime(file).toInstant();
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return Optional.of(new ExitRecord((int) status.getAsLong(), at));
  }

  /** The supervisor's pid as it recorded it; empty until it has. */
  static OptionalLong supervisorPid(Path attemptDir) {
    return pidFile(attemptDir.resolve(SUPERVISOR_PID));
  }

  /** The command's pid (also its process group id) as the supervisor recorded it. */
  static OptionalLong childPid(Path attemptDir) {
    return pidFile(attemptDir.resolve(CHILD_PID));
  }

  /**
   * A pid file: digits and a newline. Without its newline (last written) it is not all written yet:
   * {@code supervisor.pid} is written in place, and an empty or partly written file must never pass
   * for a pid.
   */
  private static OptionalLong pidFile(Path file) {
    Optional<String> text = readSmall(file);
    if (text.isEmpty() || !text.get().endsWith("\n")) {
      return OptionalLong.empty();
    }
    OptionalLong pid = number(text.get().substring(0, text.get().length() - 1));
    return pid.isPresent() && pid.getAsLong() > 1 ? pid : OptionalLong.empty();
  }

  private static Optional<String> readSmall(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
        return Optional.empty();
      }
      return Optional.of(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static OptionalLong number(String s) {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(s));
  }
}
