package io.migctl.apply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.home.PrivateFiles;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The apply journal: one JSON object per line, appended and forced to disk before the call returns,
 * so that what was planned, started, done and failed survives a crash. Lines, all with the apply's
 * id:
 *
 * <ul>
 *   <li>{@code plan}: a GPU's whole plan, with {@code before} (the GPU as it was, ids and MIG UUIDs
 *       included) and {@code target} (what the plan makes of it);
 *   <li>{@code step-start}, {@code step-done}, {@code step-failed} (with the driver's error);
 *   <li>after a failed step, {@code undo-plan} (the steps back to {@code before}) and per undo step
 *       {@code undo-start}, {@code undo-done}, {@code undo-failed} or {@code undo-skipped} (it
 *       needed a failed one);
 *   <li>{@code recovery}: a daemon started after a crash found this apply unfinished and says per
 *       GPU whether it finishes or undoes it (its steps follow as above);
 *   <li>{@code refused}, and last {@code finished} with the outcome in words; after a failed step
 *       also the GPU's {@code state} afterwards and what it lacks of its old layout ({@code
 *       missing}).
 * </ul>
 *
 * An apply whose last line is not {@code finished} was interrupted ({@link #interrupted}).
 * Re-running an apply does not need the journal: the planner starts from the live layout, so it
 * converges from wherever a run stopped; the journal says what happened.
 */
public final class ApplyJournal {

  /**
   * One journal line; fields a line does not need are null.
   *
   * @param before on {@code plan} lines: the GPU before the apply
   * @param target on {@code plan} lines: the GPU the plan makes
   * @param state on {@code finished} lines after a failed step: the GPU as it was left
   * @param missing with {@code state}: what of its old layout the GPU lacks (empty when undone)
   */
  public record Entry(
      String time,
      String apply,
      String event,
      Integer gpu,
      Integer step,
      StepJson detail,
      List<StepJson> plan,
      String message,
      GpuStateJson before,
      GpuStateJson target,
      GpuStateJson state,
      List<String> missing) {}

  /**
   * An apply the journal has no {@code finished} line for: a process died in the middle of it.
   *
   * @param apply its id
   * @param startedAt the time of its first line
   * @param gpus the GPUs it planned to change, in order
   */
  public record Interrupted(String apply, String startedAt, List<PlannedGpu> gpus) {
    public Interrupted {
      gpus = List.copyOf(gpus);
    }

    /** Whether any driver step was started (else nothing was changed). */
    public boolean changedAnything() {
      return gpus.stream().anyMatch(g -> g.stepsStarted() > 0);
    }
  }

  /**
   * One GPU of an interrupted apply.
   *
   * @param before the GPU before the apply (null in journals older than this field)
   * @param target what the plan makes of it (null likewise)
   * @param stepsStarted how many of its steps were started, undo and recovery steps included
   */
  public record PlannedGpu(
      int gpu, List<StepJson> plan, GpuStateJson before, GpuStateJson target, int stepsStarted) {}

  private final Path file;
  private final Clock clock;
  // Fields a line does not need are left out, so lines stay short. Thread-safe once configured,
  // and made once: tests make many journals.
  private static final ObjectMapper JSON =
      new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private final ObjectMapper json = JSON;

  /** How much of the file's end {@link #interrupted} reads first (doubling until it suffices). */
  private static final long TAIL_BYTES = 256 * 1024;

  /** The lines of a journal kept in memory; null for a journal in a file. */
  private final List<Entry> memory;

  public ApplyJournal(Path file, Clock clock) {
    this(file, clock, null);
  }

  private ApplyJournal(Path file, Clock clock, List<Entry> memory) {
    this.file = file;
    this.clock = clock;
    this.memory = memory;
  }

  /**
   * A journal kept in this process only, for tests that apply thousands of changes (a file journal
   * forces every line to disk).
   */
  public static ApplyJournal inMemory(Clock clock) {
    return new ApplyJournal(Path.of("in-memory journal"), clock, new ArrayList<>());
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
    record(new Entry(null, apply, event, gpu, step, detail, plan, message, null, null, null, null));
  }

  /** Appends {@code entry} with the clock's time. */
  void record(Entry entry) {
    Entry e =
        new Entry(
            clock.instant().toString(),
            entry.apply(),
            entry.event(),
            entry.gpu(),
            entry.step(),
            entry.detail(),
            entry.plan(),
            entry.message(),
            entry.before(),
            entry.target(),
            entry.state(),
            entry.missing());
    if (memory != null) {
      synchronized (memory) {
        memory.add(e);
      }
      return;
    }
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
    if (memory != null) {
      synchronized (memory) {
        return List.copyOf(memory);
      }
    }
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read the apply journal " + file, ex);
    }
  }

  private static List<Entry> parse(List<String> lines) throws JsonProcessingException {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(JSON.readValue(line, Entry.class));
      } catch (JsonProcessingException e) {
        // A crash while appending can leave the last line torn; every earlier line is whole.
        if (i < lines.size() - 1) {
          throw e;
        }
      }
    }
    return out;
  }

  /**
   * The lines of the journal's last apply, read from the end of the file: a journal grows for as
   * long as the node lives, and only its last apply matters here.
   */
  private List<Entry> lastApply() {
    if (memory != null || !Files.exists(file)) {
      return lastApply(read(), true);
    }
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      for (long window = TAIL_BYTES; ; window *= 2) {
        long start = Math.max(0, size - window);
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(size - start, Integer.MAX_VALUE - 8));
        in.read(bytes, start);
        List<String> lines =
            new ArrayList<>(
                new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8)
                    .lines()
                    .toList());
        if (start > 0 && !lines.isEmpty()) {
          lines.removeFirst(); // cut in the middle
        }
        List<Entry> mine = lastApply(parse(lines), start == 0);
        if (!mine.isEmpty() || start == 0) {
          return mine;
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read the apply journal " + file, ex);
    }
  }

  /**
   * The entries of the last apply among {@code entries}; empty when they may not hold its first
   * line ({@code whole} false and every entry is the last apply's).
   */
  private static List<Entry> lastApply(List<Entry> entries, boolean whole) {
    if (entries.isEmpty()) {
      return List.of();
    }
    String last = entries.getLast().apply();
    List<Entry> mine = entries.stream().filter(e -> Objects.equals(e.apply(), last)).toList();
    boolean complete = whole || !Objects.equals(entries.getFirst().apply(), last);
    return complete ? mine : List.of();
  }

  /**
   * The last apply of the journal when it did not finish: its lines stop before {@code finished}
   * because the process that ran it died.
   */
  public Optional<Interrupted> interrupted() {
    List<Entry> mine = lastApply();
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    String last = mine.getLast().apply();
    if (mine.stream().anyMatch(e -> "finished".equals(e.event()))) {
      return Optional.empty();
    }
    Map<Integer, PlannedGpu> gpus = new LinkedHashMap<>();
    for (Entry e : mine) {
      if ("plan".equals(e.event()) && e.gpu() != null) {
        gpus.put(
            e.gpu(),
            new PlannedGpu(
                e.gpu(), e.plan() == null ? List.of() : e.plan(), e.before(), e.target(), 0));
      } else if (e.event() != null && e.event().endsWith("-start") && e.gpu() != null) {
        gpus.computeIfPresent(
            e.gpu(),
            (k, g) ->
                new PlannedGpu(g.gpu(), g.plan(), g.before(), g.target(), g.stepsStarted() + 1));
      }
    }
    return Optional.of(
        new Interrupted(last, mine.getFirst().time(), new ArrayList<>(gpus.values())));
  }
}
