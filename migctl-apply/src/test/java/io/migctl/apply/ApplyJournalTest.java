package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyJournalTest {

  @TempDir Path dir;

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void recordsLinesInOrderWithTheClocksTime() {
    ApplyJournal journal = new ApplyJournal(dir.resolve("mig/journal.jsonl"), clock);
    journal.record("a1", "plan", 0, null, null, List.of(), null);
    journal.record("a1", "finished", null, null, null, null, "done");
    assertThat(journal.read())
        .extracting(ApplyJournal.Entry::event, ApplyJournal.Entry::time)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("plan", "2026-11-28T12:00:00Z"),
            org.assertj.core.groups.Tuple.tuple("finished", "2026-11-28T12:00:00Z"));
  }

  @Test
  void aTornLastLineFromACrashIsIgnoredButATornMiddleLineIsNot() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    ApplyJournal journal = new ApplyJournal(file, clock);
    journal.record("a1", "step-start", 0, 3, null, null, null);
    Files.writeString(file, "{\"time\":\"2026-", StandardOpenOption.APPEND);
    assertThat(journal.read()).extracting(ApplyJournal.Entry::event).containsExactly("step-start");

    Files.writeString(file, "\n{\"event\":\"finished\"}\n", StandardOpenOption.APPEND);
    assertThatThrownBy(journal::read).hasMessageContaining(file.toString());
  }

  @Test
  void theLastApplyIsInterruptedWhenItHasNoFinishedLineHoweverLongTheJournal() throws IOException {
    Path file = dir.resolve("mig/journal.jsonl");
    ApplyJournal journal = new ApplyJournal(file, clock);
    assertThat(journal.interrupted()).isEmpty();
    // Written at once (the journal forces each line to disk): 2,000 finished applies, then one
    // whose lines are more than the first part of the file read from its end holds.
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      lines.append(line("old-" + i, "plan", 0)).append(line("old-" + i, "finished", null));
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, lines);
    assertThat(journal.interrupted()).isEmpty();
    lines.append(line("last", "plan", 0)).append(line("last", "plan", 1));
    for (int i = 0; i < 3000; i++) {
      lines.append(line("last", "step-start", 0)).append(line("last", "step-done", 0));
    }
    Files.writeString(file, lines);

    ApplyJournal.Interrupted found = journal.interrupted().orElseThrow();
    assertThat(found.apply()).isEqualTo("last");
    assertThat(found.gpus())
        .extracting(ApplyJournal.PlannedGpu::gpu, ApplyJournal.PlannedGpu::stepsStarted)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 3000),
            org.assertj.core.groups.Tuple.tuple(1, 0));
    assertThat(found.changedAnything()).isTrue();

    journal.record("last", "finished", null, null, null, null, "recovered");
    assertThat(journal.interrupted()).isEmpty();
  }

  private static String line(String apply, String event, Integer gpu) {
    return "{\"time\":\"2026-11-28T12:00:00Z\",\"apply\":\""
        + apply
        + "\",\"event\":\""
        + event
        + "\""
        + (gpu == null ? "" : ",\"gpu\":" + gpu)
        + "}\n";
  }
}
