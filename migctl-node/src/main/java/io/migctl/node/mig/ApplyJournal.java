package io.migctl.node.mig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.node.home.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The apply journal: one JSON object per line, appended and forced to disk before the call returns,
 * so that what was planned, started, done and failed survives a crash. Lines: {@code plan} (a GPU's
 * whole plan), {@code step-start}, {@code step-done}, {@code step-failed} (with the driver's
 * error), {@code refused}, and {@code finished} with the outcome. Re-running an apply does not need
 * the journal: the planner starts from the live layout, so it converges from wherever a run
 * stopped; the journal says what happened.
 */
public final class ApplyJournal {

  /** One journal line. */
  public record Entry(
      String time,
      String apply,
      String event,
      Integer gpu,
      Integer step,
      StepJson detail,
      List<StepJson> plan,
      String message) {}

  private final Path file;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();

  public ApplyJournal(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /** The journal file. */
  public Path file() {
    return file;
  }

  void record(
      String apply,
      String event,
      Integer gpu,
      Integer step,
      StepJson detail,
      List<StepJson> plan,
      String message) {
    Entry e = new Entry(clock.instant().toString(), apply, event, gpu, step, detail, plan, message);
    try {
      PrivateFiles.createDirectories(file.getParent());
      byte[] line = (json.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel out =
          PrivateFiles.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        out.write(ByteBuffer.wrap(line));
        out.force(true);
      }
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode a journal entry", ex);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the apply journal " + file, ex);
    }
  }

  /** Every entry of the journal, oldest first (empty when there is none). */
  public List<Entry> read() {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<Entry> out = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(json.readValue(line, Entry.class));
        } catch (JsonProcessingException e) {
          // A crash while appending can leave the last line torn; every earlier line is whole.
          if (i < lines.size() - 1) {
            throw e;
          }
        }
      }
      return out;
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read the apply journal " + file, ex);
    }
  }
}
