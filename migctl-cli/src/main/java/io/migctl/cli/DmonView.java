package io.migctl.cli;

import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.TelemetrySample;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table of {@code migctl dmon}: the columns, header lines and units of {@code nvidia-smi dmon}
 * as drivers from R535 on print them (jpg and ofa under {@code u}, ccpm under {@code m}), one row
 * per GPU and one per MIG device. Pure: a sample and the chosen groups in, lines out.
 *
 * <p>Layout, as nvidia-smi's: each column right-aligned in its width and followed by one blank;
 * metric columns are 6 wide; the date and time columns 12, left-aligned; the device column 3 (4
 * when it is the first). The first column carries the {@code #} of the header lines, or a blank on
 * a data row. A device name longer than its column ({@code 0/13/0}) takes room from the blanks on
 * its left (that first blank included), so the columns after it stay aligned.
 *
 * <p>A MIG device is named GPU/GI/CI, as {@code nvidia-smi}'s MIG device table numbers it. Its row
 * has what NVML reports per GPU instance: {@code sm} is its graphics engine activity (GPM, which
 * {@code nvidia-smi dmon --gpm-metrics 1} calls {@code gract} and documents as the same as {@code
 * sm}), {@code mem} its DRAM activity, {@code fb} its framebuffer in use; power, temperature and
 * clocks belong to the GPU's row. A value not reported is {@code -}, never 0.
 */
final class DmonView {

  private DmonView() {}

  /** The metric groups of {@code -s}, by letter. */
  enum Group {
    POWER('p', "power and temperature"),
    UTILIZATION('u', "utilization"),
    CLOCKS('c', "processor and memory clocks"),
    VIOLATIONS('v', "power and thermal violations"),
    MEMORY('m', "framebuffer, BAR1 and CC protected memory"),
    ECC('e', "ECC and PCIe replay errors"),
    THROUGHPUT('t', "PCIe receive and transmit throughput");

    private final char letter;
    private final String words;

    Group(char letter, String words) {
      this.letter = letter;
      this.words = words;
    }

    /** {@code nvidia-smi dmon}'s groups when {@code -s} is not given. */
    static final String DEFAULT = "puc";

    /**
     * The groups {@code select} names, in its order (which is the order of the columns), each once.
     *
     * @throws InvalidInputException for a letter that names no group, or none at all
     */
    static List<Group> parse(String select) {
      Set<Group> groups = new LinkedHashSet<>();
      for (char c : select.strip().toCharArray()) {
        Group g = null;
        for (Group candidate : values()) {
          if (candidate.letter == c) {
            g = candidate;
          }
        }
        if (g == null) {
          throw new InvalidInputException("-s " + select + ": '" + c + "' is no group; " + help());
        }
        groups.add(g);
      }
      if (groups.isEmpty()) {
        throw new InvalidInputException("-s needs at least one group; " + help());
      }
      return List.copyOf(groups);
    }

    private static String help() {
      return Arrays.stream(values())
          .map(g -> g.letter + " " + g.words)
          .collect(Collectors.joining(", ", "use letters of pucvmet (", "), e.g. -s pucvmet"));
    }
  }

  /** The date and time columns of {@code -o}. */
  record Stamp(boolean date, boolean time) {

    /** Neither column. */
    static final Stamp NONE = new Stamp(false, false);

    /**
     * The columns {@code options} names: {@code D} the date, {@code T} the time, in any order.
     *
     * @throws InvalidInputException for any other letter
     */
    static Stamp parse(String options) {
      boolean d = false;
      boolean t = false;
      for (char c : options.strip().toCharArray()) {
        switch (Character.toUpperCase(c)) {
          case 'D' -> d = true;
          case 'T' -> t = true;
          default ->
              throw new InvalidInputException(
                  "-o " + options + ": '" + c + "' is no option; use D (date), T (time) or DT");
        }
      }
      if (!d && !t) {
        throw new InvalidInputException("-o needs D (date), T (time) or DT");
      }
      return new Stamp(d, t);
    }
  }

  /** One column: its name and unit as the header lines print them, and its values. */
  private record Column(
      String name,
      String unit,
      Function<GpuTelemetry, OptionalLong> gpu,
      BiFunction<GpuTelemetry, MigTelemetry, OptionalLong> mig) {

    static Column of(String name, String unit, Function<GpuTelemetry, OptionalLong> gpu) {
      return new Column(name, unit, gpu, (g, m) -> OptionalLong.empty());
    }

    static Column absent(String name, String unit) {
      return of(name, unit, g -> OptionalLong.empty());
    }
  }

  private static final double MB = 1_000_000;

  private static List<Column> columns(Group group) {
    return switch (group) {
      case POWER ->
          List.of(
              Column.of("pwr", "W", g -> rounded(g.powerW())),
              Column.of("gtemp", "C", g -> rounded(g.temperatureC())),
              Column.absent("mtemp", "C"));
      case UTILIZATION ->
          List.of(
              new Column(
                  "sm",
                  "%",
                  g -> rounded(g.utilization().gpuPercent()),
                  (g, m) -> percent(m.activity().grEngineActive())),
              new Column(
                  "mem",
                  "%",
                  g -> rounded(g.utilization().memCopyPercent()),
                  (g, m) -> percent(m.activity().dramActive())),
              Column.of("enc", "%", g -> rounded(g.utilization().encoderPercent())),
              Column.of("dec", "%", g -> rounded(g.utilization().decoderPercent())),
              Column.absent("jpg", "%"),
              Column.absent("ofa", "%"));
      case CLOCKS ->
          List.of(
              Column.of("mclk", "MHz", g -> whole(g.memClockMHz())),
              Column.of("pclk", "MHz", g -> whole(g.smClockMHz())));
      case VIOLATIONS -> List.of(Column.absent("pviol", "%"), Column.absent("tviol", "bool"));
      case MEMORY ->
          List.of(
              new Column(
                  "fb", "MB", GpuTelemetry::fbUsedMiB, (g, m) -> OptionalLong.of(m.fbUsedMiB())),
              Column.absent("bar1", "MB"),
              Column.absent("ccpm", "MB"));
      case ECC ->
          List.of(
              Column.absent("sbecc", "errs"),
              Column.absent("dbecc", "errs"),
              Column.absent("pci", "errs"));
      case THROUGHPUT ->
          List.of(
              Column.of("rxpci", "MB/s", g -> perMb(g.utilization().pcieRxBytesPerSecond())),
              Column.of("txpci", "MB/s", g -> perMb(g.utilization().pcieTxBytesPerSecond())));
    };
  }

  /** The two header lines: the column names, then their units. */
  static List<String> header(List<Group> groups, Stamp stamp) {
    List<Cell> names = new ArrayList<>();
    List<Cell> units = new ArrayList<>();
    if (stamp.date()) {
      names.add(Cell.left("Date", DATE_WIDTH));
      units.add(Cell.left("YYYYMMDD", DATE_WIDTH));
    }
    if (stamp.time()) {
      names.add(Cell.left("Time", DATE_WIDTH));
      units.add(Cell.left("HH:MM:SS", DATE_WIDTH));
    }
    names.add(Cell.right("gpu", DEVICE_WIDTH));
    units.add(Cell.right("Idx", DEVICE_WIDTH));
    for (Group g : groups) {
      for (Column c : columns(g)) {
        names.add(Cell.right(c.name(), METRIC_WIDTH));
        units.add(Cell.right(c.unit(), METRIC_WIDTH));
      }
    }
    return List.of(line('#', names), line('#', units));
  }

  /** One row: the device as dmon names it and each column's value, empty where not reported. */
  record Row(
      String device,
      int gpuIndex,
      Integer gpuInstanceId,
      Integer computeInstanceId,
      String uuid,
      Map<String, OptionalLong> values) {}

  /**
   * The rows of one sample: for each GPU {@code gpus} keeps (all when empty) its own row, then one
   * per MIG device in placement order.
   */
  static List<Row> rows(TelemetrySample sample, List<Group> groups, Set<Integer> gpus) {
    List<Column> columns = groups.stream().flatMap(g -> columns(g).stream()).toList();
    List<Row> rows = new ArrayList<>();
    for (GpuTelemetry g : sample.gpus()) {
      if (!gpus.isEmpty() && !gpus.contains(g.index())) {
        continue;
      }
      Map<String, OptionalLong> own = new LinkedHashMap<>();
      columns.forEach(c -> own.put(c.name(), c.gpu().apply(g)));
      rows.add(new Row(Integer.toString(g.index()), g.index(), null, null, g.uuid(), own));
      for (MigTelemetry m : g.instances()) {
        Map<String, OptionalLong> values = new LinkedHashMap<>();
        columns.forEach(c -> values.put(c.name(), c.mig().apply(g, m)));
        rows.add(
            new Row(
                g.index() + "/" + m.gpuInstanceId() + "/" + m.computeInstanceId(),
                g.index(),
                m.gpuInstanceId(),
                m.computeInstanceId(),
                m.uuid(),
                values));
      }
    }
    return rows;
  }

  /** The lines of one sample, one per row, stamped with {@code at} where {@code stamp} asks. */
  static List<String> lines(List<Row> rows, Stamp stamp, ZonedDateTime at) {
    List<String> lines = new ArrayList<>();
    for (Row r : rows) {
      List<Cell> cells = new ArrayList<>();
      if (stamp.date()) {
        cells.add(Cell.left(date(at), DATE_WIDTH));
      }
      if (stamp.time()) {
        cells.add(Cell.left(time(at), DATE_WIDTH));
      }
      cells.add(Cell.right(r.device(), DEVICE_WIDTH));
      r.values()
          .values()
          .forEach(
              v ->
                  cells.add(
                      Cell.right(
                          v.isPresent() ? Long.toString(v.getAsLong()) : "-", METRIC_WIDTH)));
      lines.add(line(' ', cells));
    }
    return lines;
  }

  /** {@code yyyyMMdd}, as the date column prints it. */
  static String date(ZonedDateTime at) {
    return at.format(DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT));
  }

  /** {@code HH:mm:ss}, as the time column prints it. */
  static String time(ZonedDateTime at) {
    return at.format(DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT));
  }

  private static final int DATE_WIDTH = 12;
  private static final int DEVICE_WIDTH = 3;
  private static final int METRIC_WIDTH = 6;

  private record Cell(String text, int width, boolean left) {
    static Cell left(String text, int width) {
      return new Cell(text, width, true);
    }

    static Cell right(String text, int width) {
      return new Cell(text, width, false);
    }
  }

  /**
   * One line: {@code prefix} in the first column's first place (the first column is one wider when
   * it is the device column, as nvidia-smi prints {@code # gpu}), each cell in its columns and a
   * blank after it.
   */
  private static String line(char prefix, List<Cell> cells) {
    // A data row's blank prefix is room a long device name may take.
    StringBuilder b = new StringBuilder();
    if (prefix != ' ') {
      b.append(prefix);
    }
    int start = 1;
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      int width = i == 0 && !c.left() ? c.width() + 1 : i == 0 ? c.width() - 1 : c.width();
      int wanted = c.left() ? start : start + width - c.text().length();
      int earliest = i == 0 ? b.length() : b.length() + 1;
      pad(b, Math.max(wanted, earliest));
      b.append(c.text());
      start += width + 1;
    }
    pad(b, start - 1);
    return b.append(' ').toString();
  }

  private static void pad(StringBuilder b, int length) {
    while (b.length() < length) {
      b.append(' ');
    }
  }

  private static OptionalLong rounded(OptionalDouble v) {
    return v.isPresent() ? OptionalLong.of(Math.round(v.getAsDouble())) : OptionalLong.empty();
  }

  private static OptionalLong percent(OptionalDouble ratio) {
    return ratio.isPresent()
        ? OptionalLong.of(Math.round(ratio.getAsDouble() * 100))
        : OptionalLong.empty();
  }

  private static OptionalLong perMb(OptionalDouble bytesPerSecond) {
    return bytesPerSecond.isPresent()
        ? OptionalLong.of(Math.round(bytesPerSecond.getAsDouble() / MB))
        : OptionalLong.empty();
  }

  private static OptionalLong whole(OptionalInt v) {
    return v.isPresent() ? OptionalLong.of(v.getAsInt()) : OptionalLong.empty();
  }
}
