package io.migctl.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.daemon.run.ProcessLauncher.ExitRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading what a supervisor wrote, and what it is given; no processes. */
class AttemptFilesTest {

  @TempDir Path dir;

  private final JobProcesses processes = new JobProcesses(Optional.empty(), Path.of("/bin/sh"));

  @Test
  void readsAnExitRecord() throws Exception {
    Files.writeString(dir.resolve("exit"), "status=137\nfinished=1700000000\n");
    assertThat(processes.readExit(dir))
        .contains(new ExitRecord(137, Instant.ofEpochSecond(1700000000)));
  }

  @Test
  void anExitRecordTakesItsTimeFromTheFile() throws Exception {
    Path exit = Files.writeString(dir.resolve("exit"), "status=3\n");
    Instant mtime = Instant.ofEpochSecond(1600000000, 123_456_789);
    Files.setLastModifiedTime(exit, FileTime.from(mtime));
    assertThat(processes.readExit(dir)).contains(new ExitRecord(3, mtime));
  }

  @Test
  void anExitRecordWithAnEmptyTimeTakesTheFileTime() throws Exception {
    Path exit = Files.writeString(dir.resolve("exit"), "status=0\nfinished=\n");
    Instant mtime = Instant.ofEpochSecond(1600000000);
    Files.setLastModifiedTime(exit, FileTime.from(mtime));
    assertThat(processes.readExit(dir)).contains(new ExitRecord(0, mtime));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "status=\nfinished=1\n",
        "status=abc\nfinished=1\n",
        "status=-1\nfinished=1\n",
        "status=256\nfinished=1\n",
        "status=99999999999999999999999\n",
        "finished=1700000000\n",
        "garbage",
        "\0\0\0"
      })
  void aMalformedExitRecordIsAbsent(String content) throws Exception {
    Files.writeString(dir.resolve("exit"), content);
    assertThat(processes.readExit(dir)).isEmpty();
  }

  @Test
  void aMissingOrHugeOrDirectoryExitRecordIsAbsent() throws Exception {
    assertThat(processes.readExit(dir)).isEmpty();
    Files.writeString(dir.resolve("exit"), "status=0\n" + "x".repeat(10_000));
    assertThat(processes.readExit(dir)).isEmpty();
    Files.delete(dir.resolve("exit"));
    Files.createDirectory(dir.resolve("exit"));
    assertThat(processes.readExit(dir)).isEmpty();
    assertThat(processes.readExit(dir.resolve("no-such-dir"))).isEmpty();
  }

  @Test
  void readsPids() throws Exception {
    assertThat(processes.childPid(dir)).isEmpty();
    assertThat(processes.supervisorPid(dir)).isEmpty();
    Files.writeString(dir.resolve("child.pid"), "4242\n");
    Files.writeString(dir.resolve("supervisor.pid"), "4241\n");
    assertThat(processes.childPid(dir)).hasValue(4242);
    assertThat(processes.supervisorPid(dir)).hasValue(4241);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "1\n", "0\n", "-5\n", "12 13\n", "x\n", "4242\n\n", " 4242\n"})
  void aMalformedPidIsAbsent(String content) throws Exception {
    Files.writeString(dir.resolve("child.pid"), content);
    Files.writeString(dir.resolve("supervisor.pid"), content);
    assertThat(processes.childPid(dir)).isEmpty();
    assertThat(processes.supervisorPid(dir)).isEmpty();
  }

  /** supervisor.pid is written in place: a file caught before its newline is not written yet. */
  @ParameterizedTest
  @ValueSource(strings = {"4", "42", "4241"})
  void aPidWithoutItsNewlineIsNotWrittenYet(String content) throws Exception {
    Files.writeString(dir.resolve("supervisor.pid"), content);
    Files.writeString(dir.resolve("child.pid"), content);
    assertThat(processes.supervisorPid(dir)).isEmpty();
    assertThat(processes.childPid(dir)).isEmpty();
  }

  @Test
  void neverSignalsPidOneOrItsOwnGroup() throws Exception {
    Files.writeString(dir.resolve("child.pid"), "1\n");
    assertThat(JobSignals.ownsGroup(dir, 0)).isFalse();
    assertThat(JobSignals.ownsGroup(dir, 1)).isFalse();
    assertThat(JobSignals.ownsGroup(dir, ProcessHandle.current().pid())).isFalse();
    long ownGroup = ProcStat.self().orElseThrow().pgrp();
    assertThat(JobSignals.ownsGroup(dir, ownGroup)).isFalse();
    assertThat(JobSignals.isSupervisor(ProcessHandle.current().pid(), dir)).isFalse();
  }

  @Test
  void environmentNamesAShellWouldChangeTravelThroughEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", "/home/u");
    env.put("PATH", "/usr/bin");
    env.put("a.b", "1");
    env.put("_migctl_dir", "mine");
    Map<String, String> sup = SupervisorEnvironment.of(env);
    assertThat(sup)
        .containsEntry("HOME", "/home/u")
        .doesNotContainKeys("PATH", "a.b", "_migctl_dir")
        .containsEntry("MIGCTL_SUPERVISOR_SET", "3")
        .containsEntry("MIGCTL_SUPERVISOR_SET_0", "PATH=/usr/bin")
        .containsEntry("MIGCTL_SUPERVISOR_SET_1", "a.b=1")
        .containsEntry("MIGCTL_SUPERVISOR_SET_2", "_migctl_dir=mine");
    assertThat(sup.get("MIGCTL_SUPERVISOR_UNSET").split(" "))
        .contains("PWD", "SHLVL", "_", "OLDPWD")
        .doesNotContain("PATH", "HOME");
  }

  @Test
  void rejectsVariablesNoProcessCanHave() {
    assertThatThrownBy(() -> SupervisorEnvironment.of(Map.of("A=B", "1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SupervisorEnvironment.of(Map.of("A", "x\0y")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesProcStatWithAwkwardCommandNames() {
    String fields = " S 10 20 30 0 -1 4194304 1 2 3 4 5 6 7 8 20 0 1 0 987654 100 200";
    assertThat(ProcStat.parse("123 (a) b (c)" + fields + "\n"))
        .contains(new ProcStat(123, 'S', 10, 20, 30, 987654));
    assertThat(ProcStat.parse("123 (sh)")).isEmpty();
    assertThat(ProcStat.parse("garbage")).isEmpty();
  }
}
