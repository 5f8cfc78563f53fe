package io.migctl.slurm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal of Slurm reshapes: one JSON line when each step begins and one when it ends ({@code
 * {"reshape":…,"step":"drain","phase":"begin","detail":…,"at":…}}), appended and forced to disk
 * before the step acts, so that after a crash it says where a reshape stopped (the GPU changes
 * themselves are in the apply journal).
 */
public final class ReshapeLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private final List<Map<String, String>> memory;

  private ReshapeLog(Path file, Clock clock, List<Map<String, String>> memory) {
    this.file = file;
    this.clock = clock;
    this.memory = memory;
  }

  /** A journal in {@code file} (made with its folder when missing). */
  public static ReshapeLog file(Path file, Clock clock) {
    return new ReshapeLog(file, clock, null);
  }

  /** A journal kept in memory (tests, dry runs). */
  public static ReshapeLog inMemory(Clock clock) {
    return new ReshapeLog(null, clock, new ArrayList<>());
  }

  void begin(String reshape, String step, String detail) {
    append(reshape, step, "begin", detail);
  }

  void end(String reshape, String step, String detail) {
    append(reshape, step, "end", detail);
  }

  /** Every line so far, oldest first, as field maps. */
  public synchronized List<Map<String, String>> read() {
    if (memory != null) {
      return List.copyOf(memory);
    }
    try {
      if (!Files.exists(file)) {
        return List.of();
      }
      List<Map<String, String>> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          @SuppressWarnings("unchecked")
          Map<String, String> m = JSON.readValue(line, Map.class);
          out.add(m);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the reshape journal " + file, e);
    }
  }

  private synchronized void append(String reshape, String step, String phase, String detail) {
    Map<String, String> line = new LinkedHashMap<>();
    line.put("reshape", reshape);
    line.put("step", step);
    line.put("phase", phase);
    line.put("detail", detail);
    line.put("at", clock.instant().toString());
    if (memory != null) {
      memory.add(line);
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reshape journal " + file, e);
    }
  }
}
