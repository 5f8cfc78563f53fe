package io.migctl.daemon.run;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Runs each job's command under a small POSIX {@code sh} supervisor ({@code supervisor.sh} beside
 * this class), so that the command outlives a crash of the daemon and its outcome is recorded in
 * the attempt's directory, never lost.
 *
 * <p>The supervisor is started as an argument list, {@code setsid /bin/sh -c SCRIPT
 * migctl-supervisor ATTEMPT_DIR COMMAND ARG...}: the command and its arguments reach it as
 * positional parameters and are never parsed by a shell. It leads its own session (so that signals
 * for the daemon's terminal or process group do not reach it), its output goes to {@code
 * supervisor.log} (never a pipe to this JVM), and it starts the command in a session and process
 * group of its own, with standard input {@code /dev/null} and standard output and error appended to
 * {@code stdout.log} and {@code stderr.log}. What the attempt's directory then holds, and how it is
 * read, is {@link AttemptFiles}; the supervisor's environment is {@link SupervisorEnvironment};
 * signals go through {@link JobSignals}, liveness through {@link ProcessLiveness}.
 *
 * <p>Without {@code setsid} (util-linux) the supervisor shares this JVM's process group and ignores
 * INT and HUP; if the script finds no {@code setsid} either, the command shares that group too, and
 * signals then reach the command only, not its children.
 *
 * <p>Instances hold no state but their configuration and may be shared between threads.
 */
public final class JobProcesses implements ProcessLauncher {

  /** The supervisor's {@code $0}: how it shows in {@code ps}. */
  static final String SUPERVISOR_NAME = "migctl-supervisor";

  private static final Logger LOG = Logger.getLogger(JobProcesses.class.getName());

  private static final String SCRIPT = loadScript();

  private final Optional<Path> setsid;
  private final Path shell;
  private final JobSignals signals;

  /** Uses {@code setsid} from this process's {@code PATH} (or the system directories). */
  public JobProcesses() {
    this(HostPrograms.findProgram("setsid"), Path.of("/bin/sh"));
    if (setsid.isEmpty()) {
      LOG.warning(
          "setsid (util-linux) was not found: job supervisors will share the daemon's process"
              + " group, and jobs the supervisors' group");
    }
  }

  /**
   * @param setsid the {@code setsid} program, or empty to start supervisors without it
   * @param shell the POSIX shell that runs the supervisor script
   */
  JobProcesses(Optional<Path> setsid, Path shell) {
    this.setsid = Objects.requireNonNull(setsid, "setsid");
    this.shell = Objects.requireNonNull(shell, "shell");
    this.signals = new JobSignals(shell);
  }

  /** The supervisor script. */
  static String script() {
    return SCRIPT;
  }

  // ------------------------------------------------------------------------------ launching

  /**
   * Starts {@code command} under a new supervisor.
   *
   * @param attemptDir the attempt's directory: created (mode 0700) if missing; it must not have
   *     been used by another supervisor
   * @param command the program (looked up on the {@code PATH} of {@code environment} when it has no
   *     slash) and its arguments, passed verbatim
   * @param environment the command's complete environment (nothing is inherited from this JVM)
   * @param workdir the command's working directory, which must exist
   * @throws IOException when the directory cannot be prepared, the working directory is missing or
   *     the supervisor cannot be started
   * @throws IllegalArgumentException when the command is empty or a string holds a NUL, or a
   *     variable name is empty or holds {@code =}
   */
  @Override
  public Launched launch(
      Path attemptDir,
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      LaunchConfinement confinement)
      throws IOException {
    Objects.requireNonNull(attemptDir, "attemptDir");
    Objects.requireNonNull(workdir, "workdir");
    if (command.isEmpty() || command.getFirst().isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
    List<String> cmd = new ArrayList<>(confinement.commandPrefix());
    cmd.addAll(command);
    for (String arg : cmd) {
      if (arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("a command argument holds a NUL character");
      }
    }
    Path dir = attemptDir.toAbsolutePath().normalize();
    Exec exec = supervisorExec(dir, cmd, environment);
    if (!Files.isDirectory(workdir)) {
      throw new NoSuchFileException(
          workdir.toString(), null, "the job's working directory does not exist");
    }
    AttemptFiles.prepare(dir);
    if (confinement.owner().isPresent()) {
      AttemptFiles.giveLogs(dir, confinement.owner().get());
    }
    Map<String, String> supervisorEnv = new LinkedHashMap<>(exec.environment());
    if (!confinement.joinCgroups().isEmpty()) {
      supervisorEnv.put(
          SupervisorEnvironment.CGROUPS,
          String.join(" ", confinement.joinCgroups().stream().map(Path::toString).toList()));
    }
    List<String> argv = exec.arguments();
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(workdir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve(AttemptFiles.SUPERVISOR_LOG).toFile()))
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(supervisorEnv);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IOException(
          "cannot start the job supervisor ("
              + String.join(" ", argv.subList(0, setsid.isPresent() ? 2 : 1))
              + "): "
              + e.getMessage(),
          e);
    }
    return new Launched(
        process.pid(), process.info().startInstant(), process.onExit().thenApply(p -> (Void) null));
  }

  /**
   * The {@code execve(2)} that {@link #launch} would make for this command, without making it: to
   * check its size before a job is accepted.
   *
   * @throws IllegalArgumentException as {@link #launch} does for a string it cannot pass
   */
  @Override
  public Exec supervisorExec(
      Path attemptDir, List<String> command, Map<String, String> environment) {
    Map<String, String> supervisorEnv = SupervisorEnvironment.forCommand(environment);
    List<String> argv = new ArrayList<>();
    setsid.ifPresent(p -> argv.add(p.toString()));
    argv.addAll(
        List.of(
            shell.toString(),
            "-c",
            SCRIPT,
            SUPERVISOR_NAME,
            attemptDir.toAbsolutePath().normalize().toString()));
    int commandFrom = argv.size();
    argv.addAll(command);
    return new Exec(argv, commandFrom, supervisorEnv);
  }

  /**
   * The name under which {@code environment} carries {@code name} to the command when it is not
   * passed through directly: the variable it is the value of, as {@code NAME=VALUE}.
   */
  public static Optional<String> carriedVariable(String name, String value) {
    return SupervisorEnvironment.carriedVariable(name, value);
  }

  // ------------------------------------------------------------------------------ reading state

  /**
   * The exit record, once the supervisor has written it; empty before, and for a file that is
   * missing, unreadable or malformed. Never throws for the file's content. The time is the file's
   * modification time, or the {@code finished=} line that supervisors of earlier versions wrote.
   */
  @Override
  public Optional<ExitRecord> readExit(Path attemptDir) {
    return AttemptFiles.readExit(attemptDir);
  }

  /** The supervisor's pid as it recorded it; empty until it has. */
  @Override
  public OptionalLong supervisorPid(Path attemptDir) {
    return AttemptFiles.supervisorPid(attemptDir);
  }

  /** The command's pid (also its process group id) as the supervisor recorded it. */
  public OptionalLong childPid(Path attemptDir) {
    return AttemptFiles.childPid(attemptDir);
  }

  // ------------------------------------------------------------------------------ liveness

  /**
   * Whether process {@code pid} is alive and, when {@code processStart} is given, is the process
   * that started then (within {@link ProcessLiveness#START_TOLERANCE}) and not a later one that
   * reuses the pid. A zombie is not alive.
   */
  @Override
  public boolean isAlive(long pid, Optional<Instant> processStart) {
    return ProcessLiveness.isAlive(pid, processStart);
  }

  @Override
  public Optional<Instant> startTime(long pid) {
    return ProcessLiveness.startTime(pid);
  }

  /**
   * Completes when process {@code pid} has exited (or become a zombie); at once when it is not
   * alive. For re-adopting a supervisor that this JVM did not start.
   */
  @Override
  public CompletableFuture<Void> onExit(long pid) {
    return ProcessLiveness.onExit(pid);
  }

  // ------------------------------------------------------------------------------ signals

  /** As {@link JobSignals#signal}: the command's group, or its supervisor before it started. */
  @Override
  public void signal(Path attemptDir, long supervisorPid, Signal sig) {
    signals.signal(attemptDir, supervisorPid, sig);
  }

  /** As {@link JobSignals#killGroup}. Best effort: never throws. */
  @Override
  public void killGroup(Path attemptDir) {
    signals.killGroup(attemptDir);
  }

  private static String loadScript() {
    try (InputStream in = JobProcesses.class.getResourceAsStream("supervisor.sh")) {
      if (in == null) {
        throw new IllegalStateException(
            "the resource io/migctl/daemon/run/supervisor.sh is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read io/migctl/daemon/run/supervisor.sh", e);
    }
  }
}
