package io.migctl.daemon.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} that process supervision needs.
 *
 * @param pid the process
 * @param state its state letter ({@code R}, {@code S}, {@code Z} for a zombie, ...)
 * @param ppid its parent
 * @param pgrp its process group
 * @param session its session
 * @param startTicks when it started, in clock ticks since boot (immune to changes of the clock)
 */
record ProcStat(long pid, char state, long ppid, long pgrp, long session, long startTicks) {

  /** Whether the process has exited and only waits to be reaped. */
  boolean zombie() {
    return state == 'Z' || state == 'X';
  }

  /** Reads {@code /proc/PID/stat}; empty when the process does not exist or it cannot be read. */
  static Optional<ProcStat> read(long pid) {
    return read(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** This JVM's own entry. */
  static Optional<ProcStat> self() {
    return read(ProcessHandle.current().pid());
  }

  static Optional<ProcStat> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return parse(text);
  }

  /** Parses one stat line; the command name may hold spaces and parentheses. */
  static Optional<ProcStat> parse(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open < 1 || close < open) {
      return Optional.empty();
    }
    String[] rest = text.substring(close + 1).strip().split(" +");
    // rest[0] state, [1] ppid, [2] pgrp, [3] session, ..., [19] starttime (field 22)
    if (rest.length < 20 || rest[0].length() != 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new ProcStat(
              Long.parseLong(text.substring(0, open).strip()),
              rest[0].charAt(0),
              Long.parseLong(rest[1]),
              Long.parseLong(rest[2]),
              Long.parseLong(rest[3]),
              Long.parseLong(rest[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
