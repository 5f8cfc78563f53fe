package io.migctl.daemon.run;

import io.migctl.home.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

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
 * {@code stdout.log} and {@code stderr.log}. The attempt's directory then holds:
 *
 * <pre>
 *   supervisor.log   the supervisor's own messages
 *   supervisor.pid   the supervisor's pid and a newline
 *   child.pid        the command's pid, which is also its process group and session id
 *   stdout.log       the command's standard output
 *   stderr.log       the command's standard error
 *   exit             "status=N", once the command is gone; the file's modification time is
 *                    when the supervisor saw it end
 *   cancel           a stop was asked for (by {@link #signal} or a TERM to the supervisor);
 *                    a command that has not started yet then never starts (status 143)
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
 * <p>Whether {@code env(1)} takes {@code --default-signal} is found out once per JVM, on the first
 * launch, and given to each supervisor (in {@code MIGCTL_SUPERVISOR_DEFAULT_SIGNAL}, which the
 * command never sees) rather than tested by each: every process the supervisor starts before the
 * command delays it.
 *
 * <p>Without {@code setsid} (util-linux) the supervisor shares this JVM's process group and ignores
 * INT and HUP; if the script finds no {@code setsid} either, the command shares that group too, and
 * signals then reach the command only, not its children.
 *
 * <p>Instances hold no state but their configuration and may be shared between threads.
 */
public final class JobProcesses implements ProcessLauncher {

  /** The supervisor's own standard output and error. */
  public static final String SUPERVISOR_LOG = "supervisor.log";

  /** The command's standard output. */
  public static final String STDOUT_LOG = "stdout.log";

  /** The command's standard error. */
  public static final String STDERR_LOG = "stderr.log";

  static final String SUPERVISOR_PID = "supervisor.pid";
  static final String CHILD_PID = "child.pid";
  static final String EXIT = "exit";
  static final String CANCEL = "cancel";

  /** The supervisor's {@code $0}: how it shows in {@code ps}. */
  static final String SUPERVISOR_NAME = "migctl-supervisor";

  /**
   * Variables that a shell sets, changes or acts on (busybox exports a default {@code PATH}, dash a
   * {@code PWD}, bash {@code SHLVL} and {@code _}): the supervisor has {@code env(1)} set them for
   * the command, so that the command sees exactly the caller's values or none.
   */
  static final List<String> SHELL_VARIABLES =
      List.of(
          "BASHOPTS",
          "BASH_ENV",
          "CDPATH",
          "ENV",
          "IFS",
          "LINENO",
          "OLDPWD",
          "OPTIND",
          "PATH",
          "PPID",
          "PWD",
          "SHELLOPTS",
          "SHLVL",
          "_");

  static final String SET_PREFIX = "MIGCTL_SUPERVISOR_SET";
  static final String UNSET = "MIGCTL_SUPERVISOR_UNSET";

  /**
   * The launcher's finding about {@code env(1)}: "yes:PATH" or "no:PATH", whether the {@code env}
   * at PATH, the first in the system directories, takes {@code --default-signal}. Unset when it is
   * not known: the supervisor then tests it itself.
   */
  static final String DEFAULT_SIGNAL = "MIGCTL_SUPERVISOR_DEFAULT_SIGNAL";

  /**
   * The umask the command gets, as {@code umask} prints it: this JVM's, read once from {@code
   * /proc/self/status}. The supervisor itself runs with umask 077, so that the files it writes into
   * the attempt's directory are 0600; without this variable it gives the command the umask it was
   * started with.
   */
  static final String UMASK = "MIGCTL_SUPERVISOR_UMASK";

  private static final Optional<String> DAEMON_UMASK = readUmask();

  private static final Logger LOG = Logger.getLogger(JobProcesses.class.getName());
  private static final Pattern SHELL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> SYSTEM_DIRS =
      List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
  // "kill -SIG -PGID" is what dash, bash and busybox all read as a group: dash needs "--" after
  // "-s SIG" (not after "-SIG"), busybox rejects "--".
  private static final String KILL_SCRIPT = "kill \"-$1\" \"$2\"";

  /** How far apart two readings of one process's start instant may be (whole-second boot time). */
  static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  private static final String SCRIPT = loadScript();

  private final Optional<Path> setsid;
  private final Path shell;

  /** Uses {@code setsid} from this process's {@code PATH} (or the system directories). */
  public JobProcesses() {
    this(findProgram("setsid"), Path.of("/bin/sh"));
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
      Path attemptDir, List<String> command, Map<String, String> environment, Path workdir)
      throws IOException {
    Objects.requireNonNull(attemptDir, "attemptDir");
    Objects.requireNonNull(workdir, "workdir");
    List<String> cmd = List.copyOf(command);
    if (cmd.isEmpty() || cmd.getFirst().isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
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
    prepare(dir);
    List<String> argv = exec.arguments();
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(workdir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(SUPERVISOR_LOG).toFile()))
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(exec.environment());
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
    Map<String, String> supervisorEnv = new LinkedHashMap<>(supervisorEnvironment(environment));
    EnvProbe.VERDICT.ifPresent(v -> supervisorEnv.put(DEFAULT_SIGNAL, v));
    DAEMON_UMASK.ifPresent(u -> supervisorEnv.put(UMASK, u));
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
    return name.startsWith(SET_PREFIX + "_") && value.indexOf('=') > 0
        ? Optional.of(value.substring(0, value.indexOf('=')))
        : Optional.empty();
  }

  private static void prepare(Path dir) throws IOException {
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
   * The supervisor's environment for a command that is to see exactly {@code environment}:
   * variables a shell would drop (names that are not shell names) or change ({@link
   * #SHELL_VARIABLES}), and names the script uses, travel as {@code MIGCTL_SUPERVISOR_SET_i}
   * ("NAME=VALUE", count in {@code MIGCTL_SUPERVISOR_SET}); shell variables the command is not to
   * see are listed in {@code MIGCTL_SUPERVISOR_UNSET}.
   */
  static Map<String, String> supervisorEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    Map<String, String> direct = new LinkedHashMap<>();
    List<String> viaEnv = new ArrayList<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "variable name");
      String value = Objects.requireNonNull(e.getValue(), () -> "value of " + name);
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid environment variable name: " + name);
      }
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("the value of " + name + " holds a NUL character");
      }
      if (passesThroughShell(name)) {
        direct.put(name, value);
      } else {
        viaEnv.add(name + "=" + value);
      }
    }
    for (int i = 0; i < viaEnv.size(); i++) {
      direct.put(SET_PREFIX + "_" + i, viaEnv.get(i));
    }
    direct.put(SET_PREFIX, Integer.toString(viaEnv.size()));
    direct.put(
        UNSET,
        String.join(
            " ", SHELL_VARIABLES.stream().filter(n -> !environment.containsKey(n)).toList()));
    return direct;
  }

  private static boolean passesThroughShell(String name) {
    return SHELL_NAME.matcher(name).matches()
        && !SHELL_VARIABLES.contains(name)
        && !name.startsWith("MIGCTL_SUPERVISOR_")
        && !name.startsWith("_migctl_");
  }

  // ------------------------------------------------------------------------------ reading state

  /**
   * The exit record, once the supervisor has written it; empty before, and for a file that is
   * missing, unreadable or malformed. Never throws for the file's content. The time is the file's
   * modification time, or the {@code finished=} line that supervisors of earlier versions wrote.
   */
  @Override
  public Optional<ExitRecord> readExit(Path attemptDir) {
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
  @Override
  public OptionalLong supervisorPid(Path attemptDir) {
    return pidFile(attemptDir.resolve(SUPERVISOR_PID));
  }

  /** The command's pid (also its process group id) as the supervisor recorded it. */
  public OptionalLong childPid(Path attemptDir) {
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

  // ------------------------------------------------------------------------------ liveness

  /**
   * Whether process {@code pid} is alive and, when {@code processStart} is given, is the process
   * that started then (within {@link #START_TOLERANCE}) and not a later one that reuses the pid. A
   * zombie is not alive.
   */
  @Override
  public boolean isAlive(long pid, Optional<Instant> processStart) {
    Optional<ProcStat> stat = ProcStat.read(pid);
    if (pid <= 0 || stat.isEmpty() || stat.get().zombie()) {
      return false;
    }
    if (processStart.isEmpty()) {
      return true;
    }
    Optional<Instant> actual = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    return actual.isEmpty()
        || Duration.between(actual.get(), processStart.get()).abs().compareTo(START_TOLERANCE) <= 0;
  }

  @Override
  public Optional<Instant> startTime(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
  }

  /**
   * Completes when process {@code pid} has exited (or become a zombie); at once when it is not
   * alive. For re-adopting a supervisor that this JVM did not start.
   */
  @Override
  public CompletableFuture<Void> onExit(long pid) {
    Optional<ProcStat> first = ProcStat.read(pid);
    if (first.isEmpty() || first.get().zombie()) {
      return CompletableFuture.completedFuture(null);
    }
    long ticks = first.get().startTicks();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("migctl-watch-" + pid)
        .start(
            () -> {
              long sleepMs = 20;
              while (true) {
                Optional<ProcStat> now = ProcStat.read(pid);
                if (now.isEmpty() || now.get().zombie() || now.get().startTicks() != ticks) {
                  done.complete(null);
                  return;
                }
                try {
                  Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                  done.completeExceptionally(e);
                  return;
                }
                sleepMs = Math.min(1000, sleepMs * 2);
              }
            });
    return done;
  }

  // ------------------------------------------------------------------------------ signals

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
  @Override
  public void signal(Path attemptDir, long supervisorPid, Signal sig) {
    Objects.requireNonNull(sig, "sig");
    Path dir = attemptDir.toAbsolutePath().normalize();
    if (readExit(dir).isPresent()) {
      return;
    }
    // The command resets TERM to its default and then checks for this file before it starts:
    // a TERM that would come while it still ignores TERM finds the file written first.
    requestStop(dir);
    OptionalLong child = childPid(dir);
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

  private static void requestStop(Path dir) {
    try {
      PrivateFiles.writeString(dir.resolve(CANCEL), "");
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write " + dir.resolve(CANCEL), e);
    }
  }

  /**
   * Kills (SIGKILL) whatever is left of the command's process group: for when its supervisor
   * vanished, or to clear processes the command left behind. Best effort: never throws.
   */
  @Override
  public void killGroup(Path attemptDir) {
    Path dir = attemptDir.toAbsolutePath().normalize();
    OptionalLong child = childPid(dir);
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
  boolean ownsGroup(Path dir, long pgid) {
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
      Instant written = Files.getLastModifiedTime(dir.resolve(CHILD_PID)).toInstant();
      return start.isEmpty() || !start.get().isAfter(written.plus(START_TOLERANCE));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code pid} is the supervisor of {@code dir}, by its recorded pid and its argv. */
  boolean isSupervisor(long pid, Path dir) {
    if (pid <= 1 || pid == ProcessHandle.current().pid()) {
      return false;
    }
    OptionalLong recorded = supervisorPid(dir);
    if (recorded.isPresent() && recorded.getAsLong() != pid) {
      return false;
    }
    List<String> args = cmdline(pid);
    int at = args.indexOf(SUPERVISOR_NAME);
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

  // ------------------------------------------------------------------------------ helpers

  /** The first executable {@code name} on this process's PATH, then in the system directories. */
  static Optional<Path> findProgram(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(SYSTEM_DIRS);
    return firstProgram(name, dirs);
  }

  /**
   * The first executable file {@code name} in the system directories: the one the supervisor script
   * finds ({@code _migctl_which}).
   */
  static Optional<Path> systemProgram(String name) {
    return firstProgram(name, SYSTEM_DIRS);
  }

  private static Optional<Path> firstProgram(String name, List<String> dirs) {
    for (String d : dirs) {
      if (d.isEmpty() || !d.startsWith("/")) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * The value of {@link #DEFAULT_SIGNAL} for every supervisor: "yes:PATH" when {@code PATH
   * --default-signal PATH} succeeds for the {@code env} at PATH (the test the script would run),
   * "no:PATH" when it fails; empty when there is no such {@code env} or it could not be run.
   */
  static Optional<String> probeDefaultSignal() {
    Optional<Path> env = systemProgram("env");
    if (env.isEmpty()) {
      return Optional.empty();
    }
    String path = env.get().toString();
    ProcessBuilder pb =
        new ProcessBuilder(path, "--default-signal", path)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().put("LC_ALL", "C");
    try {
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return Optional.of((p.exitValue() == 0 ? "yes:" : "no:") + path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "cannot run " + path, e);
      return Optional.empty();
    }
  }

  /** {@link #probeDefaultSignal()}, run once, on the first launch. */
  private static final class EnvProbe {
    static final Optional<String> VERDICT = probeDefaultSignal();

    private EnvProbe() {}
  }

  /** This process's umask ({@code 0022}), from {@code /proc/self/status} (Linux 4.7 and later). */
  private static Optional<String> readUmask() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          String octal = line.substring("Umask:".length()).strip();
          return octal.matches("[0-7]{1,4}") ? Optional.of(octal) : Optional.empty();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "cannot read this process's umask", e);
    }
    return Optional.empty();
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
