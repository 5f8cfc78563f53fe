package io.migctl.cli;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.WaitingReason;
import io.migctl.daemon.WaitingText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The live view of {@code migctl up}: on a terminal a table redrawn in place (per slice: job,
 * state, elapsed); elsewhere (a log, CI) one line per change, so nothing is repeated.
 */
final class UpView {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  private static final String ROW = "%-14s %-10s %-30s %-9s %s%n";

  private final boolean terminal;
  private final Map<Long, String> lastSeen = new HashMap<>();
  private int lastLines;

  UpView(boolean terminal) {
    this.terminal = terminal;
  }

  /** What to print now: the redrawn table, or the lines for what changed since the last frame. */
  String frame(List<Job> jobs, Function<Long, Optional<WaitingReason>> waiting, Instant now) {
    return terminal ? table(jobs, waiting, now) : changes(jobs, waiting, now);
  }

  private String table(
      List<Job> jobs, Function<Long, Optional<WaitingReason>> waiting, Instant now) {
    StringBuilder b = new StringBuilder();
    if (lastLines > 0) {
      b.append("\033[").append(lastLines).append("F\033[J");
    }
    b.append(String.format(Locale.ROOT, ROW, "JOB", "STATE", "SLICE", "ELAPSED", "NOTE"));
    for (Job j : jobs) {
      b.append(
          String.format(
              Locale.ROOT,
              ROW,
              j.spec().name(),
              j.state().wireName(),
              slice(j),
              elapsed(j, now),
              note(j, waiting)));
    }
    lastLines = jobs.size() + 1;
    return b.toString();
  }

  private String changes(
      List<Job> jobs, Function<Long, Optional<WaitingReason>> waiting, Instant now) {
    StringBuilder b = new StringBuilder();
    String time = LocalTime.ofInstant(now, ZoneId.systemDefault()).format(CLOCK);
    for (Job j : jobs) {
      String note = note(j, waiting);
      String key = j.state() + "|" + j.attempt() + "|" + (j.state() == JobState.QUEUED ? note : "");
      if (key.equals(lastSeen.put(j.id(), key))) {
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%s %-14s %-10s %-30s %s%n",
              time,
              j.spec().name(),
              j.state().wireName(),
              slice(j),
              note));
    }
    return b.toString();
  }

  /** The table printed when every job has finished, with the last line each one printed. */
  static String summary(List<Job> jobs, LongFunction<Path> attemptDirOfId) {
    StringBuilder b = new StringBuilder();
    String row = "%-14s %-10s %-5s %-30s %-7s %s%n";
    b.append(
        String.format(Locale.ROOT, row, "JOB", "RESULT", "EXIT", "SLICE", "RAN", "LAST OUTPUT"));
    for (Job j : jobs) {
      b.append(
          String.format(
              Locale.ROOT,
              row,
              j.spec().name(),
              j.state().wireName(),
              j.exitStatus().isPresent() ? Integer.toString(j.exitStatus().getAsInt()) : "-",
              slice(j),
              j.startedAt().isPresent() && j.finishedAt().isPresent()
                  ? seconds(Duration.between(j.startedAt().get(), j.finishedAt().get()))
                  : "-",
              lastLine(attemptDirOfId.apply(j.id()).resolve("stdout.log"))));
    }
    return b.toString().stripTrailing();
  }

  static String slice(Job j) {
    return j.device()
        .map(
            d ->
                "GPU "
                    + d.gpu()
                    + " "
                    + d.profile()
                    + " "
                    + d.uuid().substring(0, Math.min(12, d.uuid().length())))
        .orElse(j.needsGpu() ? "(" + j.spec().gpu() + ")" : "no GPU");
  }

  private static String note(Job j, Function<Long, Optional<WaitingReason>> waiting) {
    if (j.state() == JobState.QUEUED) {
      return waiting.apply(j.id()).map(WaitingText::describe).orElse("waiting for its turn");
    }
    if (j.state().isTerminal()) {
      return j.exitStatus().isPresent()
          ? JobStateMachine.describeStatus(j.exitStatus().getAsInt())
          : j.reason().orElse("");
    }
    return j.attempt() > 1 ? "attempt " + j.attempt() : "";
  }

  private static String elapsed(Job j, Instant now) {
    Instant from = j.startedAt().orElse(j.submittedAt());
    Instant to = j.finishedAt().orElse(now);
    return seconds(Duration.between(from, to));
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", Math.max(0, d.toMillis()) / 1000.0);
  }

  private static String lastLine(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        return "";
      }
      List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
      String last = lines.isEmpty() ? "" : lines.getLast().strip();
      return last.length() > 70 ? last.substring(0, 69) + "…" : last;
    } catch (IOException e) {
      return "(cannot read " + file.getFileName() + ")";
    }
  }
}
