package io.migctl.daemon.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Whether a process recorded earlier (by pid and start instant) still lives, and waiting for one
 * that this JVM did not start to end, from {@code /proc} ({@link ProcStat}) and {@link
 * ProcessHandle}. A zombie counts as gone. Stateless; safe from any thread.
 */
final class ProcessLiveness {

  /** How far apart two readings of one process's start instant may be (whole-second boot time). */
  static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  private ProcessLiveness() {}

  /**
   * Whether process {@code pid} is alive and, when {@code processStart} is given, is the process
   * that started then (within {@link #START_TOLERANCE}) and not a later one that reuses the pid. A
   * zombie is not alive.
   */
  static boolean isAlive(long pid, Optional<Instant> processStart) {
    Optional<ProcStat> stat = ProcStat.read(pid);
    if (pid <= 0 || stat.isEmpty() || stat.get().zombie()) {
      return false;
    }
    if (processStart.isEmpty()) {
      return true;
    }
    Optional<Instant> actual = startTime(pid);
    return actual.isEmpty()
        || Duration.between(actual.get(), processStart.get()).abs().compareTo(START_TOLERANCE) <= 0;
  }

  /** When process {@code pid} started, where that can be told; empty when it is gone. */
  static Optional<Instant> startTime(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
  }

  /**
   * Completes when process {@code pid} has exited (or become a zombie); at once when it is not
   * alive. A virtual thread polls {@code /proc}, backing off from 20 ms to 1 s; a new process that
   * reuses the pid (another start time) counts as the end of the old one.
   */
  static CompletableFuture<Void> onExit(long pid) {
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
}
