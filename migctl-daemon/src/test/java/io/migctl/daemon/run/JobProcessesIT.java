package io.migctl.daemon.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.daemon.run.ProcessLauncher.ExitRecord;
import io.migctl.daemon.run.ProcessLauncher.Launched;
import io.migctl.daemon.run.ProcessLauncher.Signal;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real supervisors and commands: {@link JobProcesses} end to end. */
class JobProcessesIT {

  private static final Map<String, String> BASE = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** {@code -Dmigctl.test.shell=PATH} runs the supervisors with another POSIX shell. */
  private final JobProcesses processes =
      Optional.ofNullable(System.getProperty("migctl.test.shell"))
          .map(sh -> new JobProcesses(HostPrograms.findProgram("setsid"), Path.of(sh)))
          .orElseGet(JobProcesses::new);

  private final List<Path> attempts = new ArrayList<>();
  private Path work;
  private int counter;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createDirectory(tmp.resolve("work"));
  }

  @AfterEach
  void killLeftovers() {
    for (Path dir : attempts) {
      processes.killGroup(dir);
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private Path newAttempt() {
    Path dir = tmp.resolve("attempts").resolve("a" + counter++);
    attempts.add(dir);
    return dir;
  }

  private record Run(Path dir, Launched launched) {}

  private Run start(JobProcesses p, List<String> command, Map<String, String> env)
      throws IOException {
    Path dir = newAttempt();
    return new Run(dir, p.launch(dir, command, env, work));
  }

  private Run start(List<String> command) throws IOException {
    return start(processes, command, BASE);
  }

  private ExitRecord finish(Run run) throws Exception {
    run.launched().exited().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    Optional<ExitRecord> exit = processes.readExit(run.dir());
    assertThat(exit).as("exit record of %s", run.dir()).isPresent();
    return exit.get();
  }

  /** Polls until {@code value} is present; fails after {@link #DEADLINE}. */
  private static <T> T await(String what, Supplier<Optional<T>> value) throws InterruptedException {
    Instant end = Instant.now().plus(DEADLINE);
    while (true) {
      Optional<T> v = value.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private long awaitChild(Run run) throws InterruptedException {
    return awaitChild(run.dir());
  }

  private long awaitChild(Path dir) throws InterruptedException {
    return await(
        "child.pid",
        () -> {
          var pid = processes.childPid(dir);
          return pid.isPresent() ? Optional.of(pid.getAsLong()) : Optional.empty();
        });
  }

  private Path awaitFile(Path file) throws InterruptedException {
    return await(file.toString(), () -> Files.exists(file) ? Optional.of(file) : Optional.empty());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, UTF_8);
  }

  // ------------------------------------------------------------------------------ exit status

  @Test
  void recordsExitStatusZero() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    Run run = start(List.of("true"));
    ExitRecord exit = finish(run);
    assertThat(exit.status()).isZero();
    assertThat(exit.finishedAt()).isBetween(before, Instant.now().plusSeconds(1));
    assertThat(processes.supervisorPid(run.dir())).hasValue(run.launched().pid());
    assertThat(run.launched().processStart())
        .get()
        .satisfies(t -> assertThat(t).isAfter(before.minus(ProcessLiveness.START_TOLERANCE)));
    assertThat(processes.childPid(run.dir())).isPresent();
    assertThat(read(run.dir().resolve("exit"))).isEqualTo("status=0\n");
    try (Stream<Path> files = Files.list(run.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "supervisor.log", "supervisor.pid", "child.pid", "stdout.log", "stderr.log", "exit");
    }
  }

  // ------------------------------------------------------------------------------ confinement

  @Test
  void theCommandJoinsItsCgroupsBeforeItStartsAndTheSupervisorDoesNot() throws Exception {
    // Regular files stand in for cgroup.procs: what is written to them is what the kernel gets.
    Path first = Files.createDirectories(tmp.resolve("memory")).resolve("cgroup.procs");
    Path second = Files.createDirectories(tmp.resolve("pids")).resolve("cgroup.procs");
    Path dir = newAttempt();
    Launched launched =
        processes.launch(
            dir,
            List.of("sh", "-c", "cat \"$1\" \"$2\"", "sh", first.toString(), second.toString()),
            BASE,
            work,
            new LaunchConfinement(List.of("env", "--"), List.of(first, second), Optional.empty()));

    assertThat(finish(new Run(dir, launched)).status()).isZero();
    // "0" moves the writer: the command's subshell, before it execs; read by the command itself.
    assertThat(read(dir.resolve(AttemptFiles.STDOUT_LOG))).isEqualTo("0\n0\n");
    assertThat(read(dir.resolve(AttemptFiles.SUPERVISOR_LOG))).isEmpty();
  }

  @Test
  void aCgroupThatCannotBeJoinedKeepsTheCommandFromStarting() throws Exception {
    Path missing = tmp.resolve("no-such-cgroup").resolve("cgroup.procs");
    Path ran = tmp.resolve("ran");
    Path dir = newAttempt();
    Launched launched =
        processes.launch(
            dir,
            List.of("touch", ran.toString()),
            BASE,
            work,
            new LaunchConfinement(List.of(), List.of(missing), Optional.empty()));

    assertThat(finish(new Run(dir, launched)).status()).isEqualTo(126);
    assertThat(ran).doesNotExist();
    assertThat(read(dir.resolve(AttemptFiles.STDERR_LOG)))
        .contains("migctl-supervisor: cannot join the cgroup " + missing);
  }

  @Test
  void recordsExitStatusThree() throws Exception {
    assertThat(finish(start(List.of("sh", "-c", "exit 3"))).status()).isEqualTo(3);
  }

  @Test
  void recordsCommandNotFoundAs127() throws Exception {
    Run bare = start(List.of("no-such-command-for-migctl"));
    Run absolute = start(List.of("/nonexistent/bin/tool", "x"));
    assertThat(finish(bare).status()).isEqualTo(127);
    assertThat(finish(absolute).status()).isEqualTo(127);
    assertThat(read(bare.dir().resolve(AttemptFiles.STDERR_LOG)))
        .contains("no-such-command-for-migctl");
  }

  @Test
  void programNamesThatLookLikeOptionsOrAssignmentsAreNotInterpreted() throws Exception {
    Run dash = start(List.of("-n", "x"));
    Run assignment = start(List.of("FOO=bar", "true"));
    assertThat(finish(dash).status()).isEqualTo(127);
    assertThat(finish(assignment).status()).isEqualTo(127);
  }

  // ------------------------------------------------------------------------------ arguments

  @Test
  void argumentsArriveVerbatimAndNothingIsEvaluated() throws Exception {
    List<String> args =
        List.of(
            "two words",
            "it's",
            "\"double\"",
            "$(touch pwned)",
            "`touch pwned2`",
            "; touch pwned3",
            "&& touch pwned4 ||",
            "*",
            "line one\nline two",
            "",
            "-n",
            "--",
            "$HOME ${PATH}",
            "back\\slash",
            "   ");
    List<String> command = new ArrayList<>(List.of("printf", "%s\\0"));
    command.addAll(args);
    Run run = start(command);
    assertThat(finish(run).status()).isZero();

    byte[] out = Files.readAllBytes(run.dir().resolve(AttemptFiles.STDOUT_LOG));
    List<String> printed = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0) {
        printed.add(new String(out, from, i - from, UTF_8));
        from = i + 1;
      }
    }
    assertThat(from).as("output ends with a NUL").isEqualTo(out.length);
    assertThat(printed).containsExactlyElementsOf(args);
    for (Path dir : List.of(work, run.dir())) {
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("pwned"));
      }
    }
  }

  // ------------------------------------------------------------------------------ environment

  private Map<String, String> childEnvironment(Map<String, String> env) throws Exception {
    Run run = start(processes, List.of("/usr/bin/env", "-0"), env);
    assertThat(finish(run).status()).isZero();
    String out = read(run.dir().resolve(AttemptFiles.STDOUT_LOG));
    Map<String, String> seen = new LinkedHashMap<>();
    for (String entry : out.split("\0")) {
      if (!entry.isEmpty()) {
        int eq = entry.indexOf('=', 1);
        seen.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return seen;
  }

  @Test
  void theChildSeesExactlyTheGivenEnvironment() throws Exception {
    Map<String, String> env = new LinkedHashMap<>(BASE);
    env.put("CUDA_VISIBLE_DEVICES", "MIG-8b2a6c1e-3d4f-5a6b-9c0d-1e2f3a4b5c6d");
    env.put("NVIDIA_VISIBLE_DEVICES", "MIG-8b2a6c1e-3d4f-5a6b-9c0d-1e2f3a4b5c6d");
    env.put("SPACES", "a b  c");
    env.put("NEWLINE", "one\ntwo");
    env.put("QUOTES", "'\"$(touch pwned)`x`");
    env.put("EMPTY", "");
    env.put("PWD", "/not/the/real/one");
    env.put("IFS", "x");
    env.put("SHLVL", "7");
    env.put("OPTIND", "9");
    env.put("_", "underscore");
    env.put("SHELLOPTS", "xtrace:errexit");
    env.put("weird.name", "dots");
    env.put("1ST_DIGIT", "a digit first");
    env.put("A9_z", "digits after the first");
    env.put("ÜNÏ", "not ASCII");
    env.put("BASH_FUNC_module%%", "() {  echo module\n}");
    env.put("MIGCTL_SUPERVISOR_SET", "the user's");
    env.put("MIGCTL_SUPERVISOR_UNSET", "PATH");
    env.put("MIGCTL_SUPERVISOR_DEFAULT_SIGNAL", "no:/usr/bin/env");
    env.put("_migctl_dir", "the user's too");
    assertThat(childEnvironment(env)).containsExactlyInAnyOrderEntriesOf(env);
  }

  @Test
  void aSmallEnvironmentGainsNothing() throws Exception {
    Map<String, String> env = Map.of("CUDA_VISIBLE_DEVICES", "MIG-1234");
    assertThat(childEnvironment(env)).containsExactlyInAnyOrderEntriesOf(env);
  }

  // ------------------------------------------------------------------------------ processes

  @Test
  void theChildLeadsItsOwnSessionAndGroupAndTheSupervisorItsOwn() throws Exception {
    Run run = start(List.of("sleep", "600"));
    long child = awaitChild(run);
    long supervisor = run.launched().pid();
    ProcStat self = ProcStat.self().orElseThrow();
    ProcStat childStat =
        await("the child after setsid", () -> ProcStat.read(child).filter(s -> s.pgrp() == child));
    assertThat(childStat.session()).isEqualTo(child);
    assertThat(childStat.pgrp()).isNotEqualTo(self.pgrp());
    assertThat(childStat.session()).isNotEqualTo(self.session());

    ProcStat supStat = ProcStat.read(supervisor).orElseThrow();
    assertThat(supStat.session()).isEqualTo(supervisor);
    assertThat(supStat.pgrp()).isEqualTo(supervisor).isNotEqualTo(self.pgrp());
    assertThat(supStat.ppid()).isEqualTo(ProcessHandle.current().pid());
    // it catches (and forwards) HUP, INT and TERM
    String supStatus = read(Path.of("/proc", Long.toString(supervisor), "status"));
    long hupIntTerm = 1L | 1L << 1 | 1L << 14;
    assertThat(mask(supStatus, "SigCgt:") & hupIntTerm).isEqualTo(hupIntTerm);
    // the supervisor writes to its log file, never to a pipe into this JVM
    Path log = run.dir().resolve(AttemptFiles.SUPERVISOR_LOG).toRealPath();
    for (String fd : List.of("1", "2")) {
      assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(supervisor), "fd", fd)))
          .isEqualTo(log);
    }
    assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(child), "fd", "0")))
        .isEqualTo(Path.of("/dev/null"));
    assertThat(Files.getPosixFilePermissions(run.dir()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));

    processes.signal(run.dir(), supervisor, Signal.TERM);
    assertThat(finish(run).status()).isEqualTo(128 + 15);
  }

  @Test
  void theChildStartsWithDefaultSignalHandling() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new ProcessBuilder("env", "--default-signal", "true").start().waitFor() == 0,
        "env(1) has no --default-signal");
    Run run = start(List.of("cat", "/proc/self/status"));
    assertThat(finish(run).status()).isZero();
    String status = read(run.dir().resolve(AttemptFiles.STDOUT_LOG));
    // Signals 1-31; glibc reserves 32 and 33 for itself and sets them up in each program.
    assertThat(mask(status, "SigIgn:") & 0x7fff_ffffL).as("ignored").isZero();
    assertThat(mask(status, "SigBlk:") & 0x7fff_ffffL).as("blocked").isZero();
  }

  /**
   * The launcher's finding about env(1) is trusted when it names the env(1) the script finds, and
   * otherwise tested again; either way the command never sees it. USR1, ignored when the shell
   * starts, shows whether the command was started with env --default-signal.
   */
  @Test
  void theScriptTrustsTheLaunchersFindingAboutEnvOnlyForItsOwnEnv() throws Exception {
    Optional<String> verdict = SupervisorEnvironment.probeDefaultSignal();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        verdict.isPresent() && verdict.get().startsWith("yes:"), "env(1) has no --default-signal");
    String env = verdict.get().substring("yes:".length());
    long usr1 = 1L << 9;
    Map<String, Long> told = new LinkedHashMap<>();
    told.put("yes:" + env, 0L);
    told.put("no:" + env, usr1);
    told.put("yes:/elsewhere/env", 0L);
    told.put("no:/elsewhere/env", 0L);
    told.put("", 0L);
    told.put(null, 0L);
    Path setsid = HostPrograms.findProgram("setsid").orElseThrow();
    for (Map.Entry<String, Long> c : told.entrySet()) {
      Path dir = Files.createDirectories(newAttempt());
      List<String> argv =
          new ArrayList<>(
              List.of(
                  setsid.toString(),
                  "/bin/sh",
                  "-c",
                  "trap '' USR1; s=$1; shift; exec \"$s\" -c \"$0\" migctl-supervisor \"$@\"",
                  JobProcesses.script(),
                  System.getProperty("migctl.test.shell", "/bin/sh"),
                  dir.toString(),
                  "/bin/sh",
                  "-c",
                  "cat /proc/self/status; env"));
      ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile());
      pb.redirectOutput(dir.resolve("supervisor.log").toFile()).redirectErrorStream(true);
      pb.environment().clear();
      pb.environment().putAll(SupervisorEnvironment.of(BASE));
      if (c.getKey() != null) {
        pb.environment().put(SupervisorEnvironment.DEFAULT_SIGNAL, c.getKey());
      }
      Process supervisor = pb.start();
      assertThat(supervisor.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(supervisor.exitValue()).as("%s", c.getKey()).isZero();
      String out = read(dir.resolve(AttemptFiles.STDOUT_LOG));
      assertThat(mask(out, "SigIgn:") & usr1).as("%s", c.getKey()).isEqualTo(c.getValue());
      assertThat(out).doesNotContain("MIGCTL_SUPERVISOR");
    }
  }

  private static long mask(String procStatus, String field) {
    return procStatus
        .lines()
        .filter(l -> l.startsWith(field))
        .map(l -> Long.parseUnsignedLong(l.substring(field.length()).strip(), 16))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void termReachesGrandchildrenInTheGroup() throws Exception {
    String grandchild =
        "trap 'echo got-term > gc-term; exit 0' TERM; echo $$ > gc.tmp; mv gc.tmp gc.pid;"
            + " while :; do sleep 1; done";
    Run run = start(List.of("sh", "-c", "sh -c \"$1\" & wait", "outer", grandchild));
    awaitChild(run);
    awaitFile(work.resolve("gc.pid"));
    processes.signal(run.dir(), run.launched().pid(), Signal.TERM);
    assertThat(finish(run).status()).isEqualTo(128 + 15);
    assertThat(read(awaitFile(work.resolve("gc-term")))).isEqualTo("got-term\n");
  }

  @Test
  void aChildThatTrapsTermIsKilledByKillAndTheStatusIs137() throws Exception {
    Run run =
        start(
            List.of(
                "sh",
                "-c",
                // The trap's file appears whole (mv), so that reading it never sees it empty.
                "trap 'echo term > term.tmp; mv term.tmp term.txt' TERM; echo ready > ready.tmp;"
                    + " mv ready.tmp ready;"
                    + " while :; do sleep 1; done"));
    awaitChild(run);
    awaitFile(work.resolve("ready"));
    processes.signal(run.dir(), run.launched().pid(), Signal.TERM);
    assertThat(read(awaitFile(work.resolve("term.txt")))).startsWith("term\n");
    assertThat(processes.readExit(run.dir())).isEmpty();
    assertThat(processes.isAlive(run.launched().pid(), run.launched().processStart())).isTrue();

    processes.signal(run.dir(), run.launched().pid(), Signal.KILL);
    ExitRecord exit = finish(run);
    assertThat(exit.status()).isEqualTo(128 + 9);
    assertThat(run.launched().exited()).isCompleted();
  }

  @Test
  void termToTheSupervisorIsForwardedAndTheSupervisorStillRecords() throws Exception {
    Run run = start(List.of("sleep", "600"));
    long child = awaitChild(run);
    await("the child after setsid", () -> ProcStat.read(child).filter(s -> s.pgrp() == child));
    assertThat(ProcessHandle.of(run.launched().pid()).orElseThrow().destroy()).isTrue();
    assertThat(finish(run).status()).isEqualTo(128 + 15);
    assertThat(run.dir().resolve("cancel")).exists();
  }

  @Test
  void stdoutAndStderrGoToTheirFilesAndStdinIsEmpty() throws Exception {
    Run run = start(List.of("sh", "-c", "echo out; echo err >&2; cat; echo more"));
    assertThat(finish(run).status()).isZero();
    assertThat(read(run.dir().resolve(AttemptFiles.STDOUT_LOG))).isEqualTo("out\nmore\n");
    assertThat(read(run.dir().resolve(AttemptFiles.STDERR_LOG))).isEqualTo("err\n");

    LogFiles.Chunk first = LogFiles.read(run.dir().resolve(AttemptFiles.STDOUT_LOG), 0, 3);
    assertThat(new String(first.bytes(), UTF_8)).isEqualTo("out");
    LogFiles.Chunk rest =
        LogFiles.read(run.dir().resolve(AttemptFiles.STDOUT_LOG), first.nextOffset(), 100);
    assertThat(new String(rest.bytes(), UTF_8)).isEqualTo("\nmore\n");
    assertThat(rest.more()).isFalse();
  }

  @Test
  void aPidThatStartedAfterChildPidWasWrittenIsNotSignalled() throws Exception {
    Run run = start(List.of("sleep", "600"));
    long child = awaitChild(run);
    await("the child after setsid", () -> ProcStat.read(child).filter(s -> s.pgrp() == child));
    Path file = run.dir().resolve("child.pid");
    FileTime written = Files.getLastModifiedTime(file);
    assertThat(JobSignals.ownsGroup(run.dir(), child)).isTrue();
    // As if the command had ended and its pid been reused by a later process.
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1000)));
    assertThat(JobSignals.ownsGroup(run.dir(), child)).isFalse();
    processes.killGroup(run.dir());
    assertThat(ProcStat.read(child).map(ProcStat::zombie)).contains(false);

    Files.setLastModifiedTime(file, written);
    processes.killGroup(run.dir());
    assertThat(finish(run).status()).isEqualTo(128 + 9);
  }

  @Test
  void theJobOutlivesTheKilledLauncherAndItsOutcomeIsRecorded() throws Exception {
    Path dir = newAttempt();
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process launcher =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingLauncher.class.getName(),
                dir.toString(),
                work.toString(),
                "sh",
                "-c",
                "while [ ! -e go ]; do sleep 0.05; done; echo done; exit 7")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String line =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(launcher.getInputStream(), UTF_8))
              .readLine();
      assertThat(line).as("the launcher printed the supervisor's pid").isNotNull();
      long supervisor = Long.parseLong(line.strip());
      awaitChild(dir);
      launcher.destroyForcibly(); // SIGKILL, like kill -9 of the daemon
      launcher.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(launcher.isAlive()).isFalse();

      assertThat(processes.isAlive(supervisor, Optional.empty())).isTrue();
      assertThat(processes.readExit(dir)).isEmpty();
      var adopted = processes.onExit(supervisor);
      Files.writeString(work.resolve("go"), "");
      adopted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(processes.readExit(dir)).map(ExitRecord::status).contains(7);
      assertThat(read(dir.resolve(AttemptFiles.STDOUT_LOG))).isEqualTo("done\n");
    } finally {
      launcher.destroyForcibly();
    }
  }

  // ------------------------------------------------------------------------------ liveness

  @Test
  void isAliveTellsTheSupervisorFromADeadOrReusedPid() throws Exception {
    Run run = start(List.of("sleep", "600"));
    awaitChild(run);
    long pid = run.launched().pid();
    Optional<Instant> start = run.launched().processStart();
    assertThat(start).isPresent();
    assertThat(processes.isAlive(pid, start)).isTrue();
    assertThat(processes.isAlive(pid, Optional.empty())).isTrue();
    assertThat(processes.isAlive(pid, Optional.of(start.get().minus(Duration.ofHours(1)))))
        .isFalse();
    assertThat(processes.isAlive(pid, Optional.of(start.get().plus(Duration.ofMinutes(1)))))
        .isFalse();

    var adopted = processes.onExit(pid);
    assertThat(adopted).isNotDone();
    processes.signal(run.dir(), pid, Signal.TERM);
    adopted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    finish(run);
    assertThat(processes.isAlive(pid, Optional.empty())).isFalse();
    assertThat(processes.isAlive(pid, start)).isFalse();
    assertThat(processes.onExit(pid)).isDone();
  }

  // ------------------------------------------------------------------------------ the script

  @Test
  void theScriptParsesUnderShAndDashAndPassesShellcheck() throws Exception {
    Path script = Files.writeString(tmp.resolve("supervisor.sh"), JobProcesses.script());
    List<List<String>> checks = new ArrayList<>();
    checks.add(List.of("/bin/sh", "-n", script.toString()));
    for (String tool : List.of("dash", "shellcheck")) {
      Optional<Path> found = HostPrograms.findProgram(tool);
      if (found.isPresent()) {
        checks.add(
            tool.equals("dash")
                ? List.of(found.get().toString(), "-n", script.toString())
                : List.of(found.get().toString(), "-s", "sh", script.toString()));
      }
    }
    for (List<String> check : checks) {
      Process p = new ProcessBuilder(check).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertThat(p.waitFor()).as("%s: %s", check, out).isZero();
    }
  }

  // ------------------------------------------------------------------------------ failures

  @Test
  void aMissingWorkdirIsAClearError() {
    Path missing = tmp.resolve("no-such-dir");
    assertThatThrownBy(() -> processes.launch(newAttempt(), List.of("true"), BASE, missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("working directory");
  }

  @Test
  void anAttemptDirectoryIsUsedOnce() throws Exception {
    Run run = start(List.of("true"));
    finish(run);
    assertThatThrownBy(() -> processes.launch(run.dir(), List.of("true"), BASE, work))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("already used");
  }

  @Test
  void aSupervisorThatCannotStartIsAClearError() {
    JobProcesses noSetsid =
        new JobProcesses(Optional.of(Path.of("/nonexistent/setsid")), Path.of("/bin/sh"));
    assertThatThrownBy(() -> noSetsid.launch(newAttempt(), List.of("true"), BASE, work))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/nonexistent/setsid");
    JobProcesses noShell = new JobProcesses(Optional.empty(), Path.of("/nonexistent/sh"));
    assertThatThrownBy(() -> noShell.launch(newAttempt(), List.of("true"), BASE, work))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/nonexistent/sh");
  }

  @Test
  void invalidInputIsRejectedBeforeAnythingStarts() {
    Path dir = newAttempt();
    assertThatThrownBy(() -> processes.launch(dir, List.of(), BASE, work))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> processes.launch(dir, List.of("true", "a\0b"), BASE, work))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> processes.launch(dir, List.of("true"), Map.of("A=B", "c"), work))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> processes.launch(dir, List.of("true"), Map.of("", "c"), work))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dir).doesNotExist();
  }

  // ------------------------------------------------------------------------------ no setsid

  @Test
  void withoutSetsidTheSupervisorIgnoresIntAndHupAndTermStillStopsTheCommand() throws Exception {
    JobProcesses plain = new JobProcesses(Optional.empty(), Path.of("/bin/sh"));
    Run exits = start(plain, List.of("sh", "-c", "exit 5"), BASE);
    assertThat(finish(exits).status()).isEqualTo(5);

    Run run = start(plain, List.of("sleep", "600"), BASE);
    awaitChild(run);
    long supervisor = run.launched().pid();
    String status = read(Path.of("/proc", Long.toString(supervisor), "status"));
    assertThat(mask(status, "SigIgn:") & 0b11).as("SIGHUP and SIGINT ignored").isEqualTo(0b11);
    assertThat(ProcStat.read(supervisor).orElseThrow().pgrp())
        .isEqualTo(ProcStat.self().orElseThrow().pgrp());

    plain.signal(run.dir(), supervisor, Signal.TERM);
    assertThat(finish(run).status()).isEqualTo(128 + 15);
  }
}
