package io.migctl.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SystemToolRunner} with real processes ({@code /bin/sh}). */
class SystemToolRunnerIT {

  private final SystemToolRunner tools = new SystemToolRunner();

  private static ToolCommand sh(String script) {
    return ToolCommand.of("/bin/sh", "-c", script);
  }

  @Test
  void reportsTheExitStatusAndBothStreamsApart() throws Exception {
    ToolResult r = tools.run(sh("echo out; echo err >&2; exit 3"));

    assertThat(r.ending()).isEqualTo(new ToolResult.Exited(3));
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
    assertThat(r.truncated()).isFalse();
  }

  @Test
  void mergedOutputInterleavesAsPrinted() throws Exception {
    ToolResult r =
        tools.run(sh("echo one; echo two >&2; echo three").withOutput(ToolCommand.Output.MERGED));

    assertThat(r.stdout()).isEqualTo("one\ntwo\nthree\n");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void deliversChunksSplitAtNewlineAndNulWithTheLastUnterminatedOne() throws Exception {
    List<String> chunks = Collections.synchronizedList(new ArrayList<>());

    tools.run(sh("printf 'a\\0b\\nc'"), ToolOutput.stdout(chunks::add));

    assertThat(chunks).containsExactly("a", "b", "c");
  }

  @Test
  void standardInputIsEmpty() throws Exception {
    assertThat(tools.run(sh("cat; echo done")).stdout()).isEqualTo("done\n");
  }

  @Test
  void anExactEnvironmentIsAllTheProgramGets() throws Exception {
    ToolResult exact =
        tools.run(ToolCommand.of("/usr/bin/env").withExactEnvironment(Map.of("ONLY", "this")));
    ToolResult added =
        tools.run(ToolCommand.of("/usr/bin/env").withAddedEnvironment(Map.of("EXTRA", "1")));

    assertThat(exact.stdout()).isEqualTo("ONLY=this\n");
    assertThat(added.stdout()).contains("EXTRA=1\n").contains("PATH=");
  }

  @Test
  void runsInItsWorkdirAndRefusesOneThatDoesNotExist(@TempDir Path dir) throws Exception {
    assertThat(tools.run(sh("pwd").withWorkdir(dir)).stdout()).isEqualTo(dir.toRealPath() + "\n");
    assertThatThrownBy(() -> tools.run(sh("pwd").withWorkdir(dir.resolve("gone"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("gone")
        .hasMessageContaining("does not exist");
  }

  @Test
  void aMissingProgramCannotStart() {
    assertThatThrownBy(() -> tools.run(ToolCommand.of("/no/such/program")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/no/such/program");
  }

  @Test
  void appendsEverythingToAPrivateTranscript(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("logs/build.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, "before\n");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-------"));

    tools.run(sh("echo out; echo err >&2").withTranscript(log));
    Path fresh = dir.resolve("new/t.log");
    tools.run(sh("echo x").withTranscript(fresh));

    assertThat(Files.readAllLines(log)).containsExactlyInAnyOrder("before", "out", "err");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void keepsTheCaptureLimitButDeliversEverything() throws Exception {
    List<String> chunks = Collections.synchronizedList(new ArrayList<>());

    ToolResult r =
        tools.run(
            sh("printf '0123456789\\nabc\\n'").withCaptureLimit(5), ToolOutput.stdout(chunks::add));

    assertThat(r.stdout()).isEqualTo("01234");
    assertThat(r.truncated()).isTrue();
    assertThat(chunks).containsExactly("0123456789", "abc");
  }

  @Test
  void killsAProgramAndItsChildrenAtTheTimeLimit(@TempDir Path dir) throws Exception {
    Path pid = dir.resolve("child.pid");
    // The child keeps the output pipe open: the run must still end at the limit.
    ToolResult r =
        tools.run(
            sh("sleep 300 & echo $! > " + pid + "; wait").withTimeout(Duration.ofMillis(500)));

    assertThat(r.ending()).isEqualTo(new ToolResult.TimedOut(Duration.ofMillis(500)));
    assertGone(Long.parseLong(Files.readString(pid).strip()));
  }

  @Test
  void anInterruptCancelsTheRunAndKillsTheProgram(@TempDir Path dir) throws Exception {
    Path started = dir.resolve("started");
    AtomicReference<Thread> caller = new AtomicReference<>();
    CompletableFuture<Throwable> outcome =
        CompletableFuture.supplyAsync(
            () -> {
              caller.set(Thread.currentThread());
              try {
                tools.run(sh("echo $$ > " + started + "; exec sleep 300"));
                return null;
              } catch (IOException | InterruptedException e) {
                return e;
              }
            });
    long pid = awaitPid(started);

    caller.get().interrupt();

    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    assertGone(pid);
  }

  /**
   * Asserts that a killed process goes away; one no longer our child is reaped by init, so its end
   * is awaited (bounded).
   */
  private static void assertGone(long pid) throws Exception {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  /** Waits (bounded) for the program to write its pid. */
  private static long awaitPid(Path file) throws IOException, InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (Files.exists(file) && Files.readString(file).endsWith("\n")) {
        return Long.parseLong(Files.readString(file).strip());
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the program did not start within 10 s");
  }

  @Test
  void aRunCanBeWaitedForFromAnotherThread() throws InterruptedException, ExecutionException {
    assertThat(
            CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return tools.run(sh("exit 0")).succeeded();
                      } catch (IOException | InterruptedException e) {
                        return false;
                      }
                    })
                .get())
        .isTrue();
  }
}
