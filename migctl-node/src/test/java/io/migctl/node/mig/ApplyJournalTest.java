package io.migctl.node.mig;

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
}
