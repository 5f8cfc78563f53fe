package io.migctl.daemon.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ProcessLauncher} whose processes live in memory: they start when launched, print and
 * exit when a test says, and record every signal they get with the clock's time, so that a test
 * sees "TERM at t, KILL at t + grace". A process that gets TERM exits with 143 unless it {@link
 * FakeProcess#ignoreTerm ignores TERM}; one that gets KILL exits with 137. Processes outlive the
 * runtime that launched them, as supervisors outlive a crashed daemon: a second runtime on the same
 * launcher finds them by their attempt directory and pid.
 *
 * <p>No file is written and no process is started. Thread-safe; a process's exit completes its
 * {@link Launched#exited} future on the calling thread.
 */
public final class FakeProcessLauncher implements ProcessLauncher {

  /** A signal a fake process received, and when. */
  public record Received(Signal signal, Instant at) {}

  private final Clock clock;
  private final Map<Path, FakeProcess> byDir = new LinkedHashMap<>();
  private final Map<Long, FakeProcess> byPid = new LinkedHashMap<>();
  private long nextPid = 10_000;
  private Optional<String> failNextLaunch = Optional.empty();

  /**
   * @param clock the time signals and exits are recorded at (a virtual clock in tests)
   */
  public FakeProcessLauncher(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The next {@link #launch} fails with an {@link IOException} saying {@code message}. */
  public synchronized void failNextLaunch(String message) {
    failNextLaunch = Optional.of(message);
  }

  /** The process launched for an attempt directory, if any. */
  public synchronized Optional<FakeProcess> process(Path attemptDir) {
    return Optional.ofNullable(byDir.get(normal(attemptDir)));
  }

  /** Every process launched, in launch order. */
  public synchronized List<FakeProcess> processes() {
    return List.copyOf(byDir.values());
  }

  @Override
  public synchronized Launched launch(
      Path attemptDir,
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      LaunchConfinement confinement)
      throws IOException {
    if (command.isEmpty() || command.getFirst().isEmpty()) {
      throw new IllegalArgumentException("the command is empty");
    }
    Path dir = normal(attemptDir);
    if (failNextLaunch.isPresent()) {
      String message = failNextLaunch.get();
      failNextLaunch = Optional.empty();
      throw new IOException(message);
    }
    if (byDir.containsKey(dir)) {
      throw new IOException(dir + " was already used by supervisor " + byDir.get(dir).pid);
    }
    // What the supervisor would exec: the confinement's prefix, then the command.
    List<String> argv = new ArrayList<>(confinement.commandPrefix());
    argv.addAll(command);
    FakeProcess p = new FakeProcess(dir, nextPid++, clock.instant(), argv, environment, workdir);
    byDir.put(dir, p);
    byPid.put(p.pid, p);
    return new Launched(p.pid, Optional.of(p.startedAt), p.exited);
  }

  @Override
  public Exec supervisorExec(Path attemptDir, List<String> command, Map<String, String> env) {
    return new Exec(command, 0, env);
  }

  @Override
  public synchronized Optional<ExitRecord> readExit(Path attemptDir) {
    return process(attemptDir).flatMap(p -> p.exitRecord);
  }

  @Override
  public synchronized OptionalLong supervisorPid(Path attemptDir) {
    FakeProcess p = byDir.get(normal(attemptDir));
    return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid);
  }

  @Override
  public synchronized Optional<Instant> startTime(long pid) {
    FakeProcess p = byPid.get(pid);
    return p == null || !p.alive ? Optional.empty() : Optional.of(p.startedAt);
  }

  @Override
  public synchronized boolean isAlive(long pid, Optional<Instant> processStart) {
    FakeProcess p = byPid.get(pid);
    return p != null && p.alive && processStart.map(p.startedAt::equals).orElse(true);
  }

  @Override
  public synchronized CompletableFuture<Void> onExit(long pid) {
    FakeProcess p = byPid.get(pid);
    return p == null ? CompletableFuture.completedFuture(null) : p.exited;
  }

  @Override
  public void signal(Path attemptDir, long supervisorPid, Signal sig) {
    FakeProcess p;
    synchronized (this) {
      p = byDir.get(normal(attemptDir));
      if (p == null || p.pid != supervisorPid || p.exitRecord.isPresent()) {
        return;
      }
      p.signals.add(new Received(sig, clock.instant()));
    }
    if (sig == Signal.KILL) {
      p.exit(128 + 9);
    } else if (!p.ignoresTerm) {
      p.exit(128 + 15);
    }
  }

  @Override
  public synchronized void killGroup(Path attemptDir) {
    FakeProcess p = byDir.get(normal(attemptDir));
    if (p != null) {
      p.groupKills.add(clock.instant());
    }
  }

  private static Path normal(Path dir) {
    return dir.toAbsolutePath().normalize();
  }

  /** One fake supervisor and its command. */
  public final class FakeProcess {
    private final Path attemptDir;
    private final long pid;
    private final Instant startedAt;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workdir;
    private final List<Received> signals = new ArrayList<>();
    private final List<Instant> groupKills = new ArrayList<>();
    private final StringBuilder stdout = new StringBuilder();
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private Optional<ExitRecord> exitRecord = Optional.empty();
    private boolean alive = true;
    private boolean ignoresTerm;

    private FakeProcess(
        Path attemptDir,
        long pid,
        Instant startedAt,
        List<String> command,
        Map<String, String> environment,
        Path workdir) {
      this.attemptDir = attemptDir;
      this.pid = pid;
      this.startedAt = startedAt;
      this.command = List.copyOf(command);
      this.environment = Map.copyOf(environment);
      this.workdir = workdir;
    }

    /** The command records its exit status and its supervisor exits. */
    public void exit(int status) {
      synchronized (FakeProcessLauncher.this) {
        if (!alive) {
          return;
        }
        exitRecord = Optional.of(new ExitRecord(status, clock.instant()));
        alive = false;
      }
      exited.complete(null);
    }

    /** The supervisor dies without recording an exit (as after {@code kill -9} of it). */
    public void vanish() {
      synchronized (FakeProcessLauncher.this) {
        alive = false;
      }
      exited.complete(null);
    }

    /** From now on TERM does not end the command; KILL still does. */
    public FakeProcess ignoreTerm() {
      synchronized (FakeProcessLauncher.this) {
        ignoresTerm = true;
      }
      return this;
    }

    /** The command writes {@code text} to its standard output. */
    public void print(String text) {
      synchronized (FakeProcessLauncher.this) {
        stdout.append(text);
      }
    }

    public long pid() {
      return pid;
    }

    public Path attemptDir() {
      return attemptDir;
    }

    public Instant startedAt() {
      return startedAt;
    }

    public List<String> command() {
      return command;
    }

    public Map<String, String> environment() {
      return environment;
    }

    public Path workdir() {
      return workdir;
    }

    public boolean alive() {
      synchronized (FakeProcessLauncher.this) {
        return alive;
      }
    }

    /** The exit status recorded, if the command exited. */
    public OptionalInt exitStatus() {
      synchronized (FakeProcessLauncher.this) {
        return exitRecord.map(r -> OptionalInt.of(r.status())).orElse(OptionalInt.empty());
      }
    }

    /** The signals received, oldest first. */
    public List<Received> signals() {
      synchronized (FakeProcessLauncher.this) {
        return List.copyOf(signals);
      }
    }

    /** When the runtime killed what was left of the process group. */
    public List<Instant> groupKills() {
      synchronized (FakeProcessLauncher.this) {
        return List.copyOf(groupKills);
      }
    }

    public String stdout() {
      synchronized (FakeProcessLauncher.this) {
        return stdout.toString();
      }
    }
  }
}
