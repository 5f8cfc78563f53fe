package io.migctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.metrics.TelemetrySource;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code migctl dmon}: {@code nvidia-smi dmon}'s scrolling table, with a row per MIG device too.
 * The reading comes from the daemon when one answers, else from the driver directly.
 */
@Command(
    name = "dmon",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Monitor the GPUs and MIG devices as nvidia-smi dmon does.",
      "",
      "One line per GPU and per MIG device (named GPU/GI/CI, e.g. 0/1/0) every -d seconds, with",
      "nvidia-smi dmon's columns, header lines and units (those of drivers from R535 on); '-'",
      "where the driver reports no value. The reading comes from the daemon when one answers,",
      "else from the driver (or the simulated node). Ctrl-C stops it."
    })
final class DmonCommand implements Callable<Integer> {

  /** Waits between samples; tests pass one that moves a fake clock instead. */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final ObjectMapper COMPACT = new ObjectMapper();

  private final Clock clock;
  private final Pause pause;

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = {"-i", "--id"},
      paramLabel = "GPU",
      description =
          "Comma-separated GPUs by index, GPU-… UUID or PCI bus id (00000000:18:00.0), e.g. 0,2"
              + " (default: every GPU); a GPU's MIG devices come with it.")
  String ids;

  @Option(
      names = {"-s", "--select"},
      paramLabel = "pucvmet",
      description = {
        "Metric groups, columns in this order (default ${DEFAULT-VALUE}): p power and",
        "temperature, u utilization, c clocks, v violations, m memory, e ECC and PCIe errors,",
        "t PCIe throughput."
      })
  String select = DmonView.Group.DEFAULT;

  @Option(
      names = {"-o", "--options"},
      paramLabel = "DT",
      description = "Add the date (D, yyyymmdd) and/or the time (T, HH:MM:SS) columns.")
  String options;

  @Option(
      names = {"-d", "--delay"},
      paramLabel = "SECONDS",
      description = "Seconds between samples, 1 to 86400 (default ${DEFAULT-VALUE}).")
  int delay = 1;

  @Option(
      names = {"-c", "--count"},
      paramLabel = "COUNT",
      description = "Stop after COUNT samples (default: run until Ctrl-C).")
  Integer count;

  @Option(
      names = "--json",
      description = "Print each sample as one JSON object on one line (values null where absent).")
  boolean json;

  DmonCommand() {
    this(Clock.systemDefaultZone(), Thread::sleep);
  }

  /** A command that reads time from {@code clock} and waits with {@code pause}. */
  DmonCommand(Clock clock, Pause pause) {
    this.clock = clock;
    this.pause = pause;
  }

  @Override
  public Integer call() throws InterruptedException {
    List<DmonView.Group> groups = DmonView.Group.parse(select);
    DmonView.Stamp stamp = options == null ? DmonView.Stamp.NONE : DmonView.Stamp.parse(options);
    if (delay < 1 || delay > 86_400) {
      throw new InvalidInputException("-d " + delay + ": use 1 to 86400 seconds");
    }
    if (count != null && count < 1) {
      throw new InvalidInputException(
          "-c " + count + ": use a count of at least 1, or leave -c out to run until Ctrl-C");
    }
    List<String> wanted = selectors(ids);
    Set<Integer> gpus = Set.of();
    Reading reading = reading();
    PrintWriter out = spec.commandLine().getOut();
    Instant start = clock.instant();
    for (long n = 0; count == null || n < count; n++) {
      Instant due = start.plus(Duration.ofSeconds(delay).multipliedBy(n));
      Duration wait = Duration.between(clock.instant(), due);
      if (wait.isPositive()) {
        pause.sleep(wait);
      }
      Instant at = clock.instant();
      TelemetrySample sample = reading.source().sample(at);
      if (n == 0) {
        gpus = resolve(wanted, sample);
        if (!json) {
          DmonView.header(groups, stamp).forEach(out::println);
        }
      }
      List<DmonView.Row> rows = DmonView.rows(sample, groups, gpus);
      ZonedDateTime local = at.atZone(clock.getZone());
      if (json) {
        out.println(toJson(reading.name(), sample, rows, local));
      } else {
        DmonView.lines(rows, stamp, local).forEach(out::println);
      }
      out.flush();
    }
    return ExitCode.OK;
  }

  /** Where the samples come from, and its name in {@code --json}. */
  private record Reading(String name, TelemetrySource source) {}

  /** The daemon's telemetry when a daemon answers, else the driver's. */
  private Reading reading() {
    DaemonClient client = root.daemon();
    try {
      client.get(TELEMETRY);
      return new Reading("daemon", at -> TelemetryJson.sample(client.get(TELEMETRY)));
    } catch (DaemonClient.DaemonUnreachableException e) {
      return new Reading("driver", root.node().telemetry());
    }
  }

  private static final String TELEMETRY = "/api/v1/telemetry";

  /** What {@code -i} lists, checked for form: indices and {@code GPU-…} UUIDs. */
  private static List<String> selectors(String ids) {
    if (ids == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String raw : ids.split(",", -1)) {
      String id = raw.strip();
      if (id.regionMatches(true, 0, "GPU-", 0, 4) || PCI_BUS_ID.matcher(id).matches()) {
        out.add(id);
        continue;
      }
      if (id.regionMatches(true, 0, "MIG-", 0, 4)) {
        throw new InvalidInputException(
            "-i "
                + ids
                + ": '"
                + id
                + "' is a MIG device; give its GPU (index or GPU-… UUID): each GPU's MIG devices"
                + " are shown with it");
      }
      try {
        if (Integer.parseInt(id) < 0) {
          throw new NumberFormatException();
        }
        out.add(id);
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            "-i "
                + ids
                + ": '"
                + id
                + "' is no GPU index, GPU-… UUID or PCI bus id; give e.g. 0, 0,1, the UUID"
                + " 'migctl gpus' shows or a bus id such as 00000000:18:00.0");
      }
    }
    return out;
  }

  /** A PCI bus id as nvidia-smi takes it: {@code [domain:]bus:device.function}, in hex. */
  private static final Pattern PCI_BUS_ID =
      Pattern.compile("(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

  /** Whether {@code id} (an index, a UUID or a bus id) names GPU {@code g}. */
  private static boolean names(String id, GpuTelemetry g) {
    if (id.regionMatches(true, 0, "GPU-", 0, 4)) {
      return g.uuid().equalsIgnoreCase(id);
    }
    Matcher wanted = PCI_BUS_ID.matcher(id);
    if (wanted.matches()) {
      return g.pciBusId()
          .map(PCI_BUS_ID::matcher)
          .filter(Matcher::matches)
          .map(DmonCommand::bus)
          .equals(Optional.of(bus(wanted)));
    }
    return g.index() == Integer.parseInt(id);
  }

  /** A bus id's domain, bus, device and function, the domain 0 when left out. */
  private static List<Long> bus(Matcher m) {
    return List.of(
        m.group(1) == null ? 0L : Long.parseLong(m.group(1), 16),
        Long.parseLong(m.group(2), 16),
        Long.parseLong(m.group(3), 16),
        Long.parseLong(m.group(4), 16));
  }

  /** The indices of the GPUs {@code wanted} names in {@code sample}; empty for every GPU. */
  private static Set<Integer> resolve(List<String> wanted, TelemetrySample sample) {
    Set<Integer> gpus = new LinkedHashSet<>();
    for (String id : wanted) {
      Optional<GpuTelemetry> found = sample.gpus().stream().filter(g -> names(id, g)).findFirst();
      if (found.isEmpty()) {
        throw new InvalidInputException(
            "-i: there is no GPU "
                + id
                + " on this node; its GPUs are "
                + sample.gpus().stream()
                    .map(
                        g ->
                            g.index()
                                + " ("
                                + g.uuid()
                                + g.pciBusId().map(b -> ", " + b).orElse("")
                                + ")")
                    .collect(Collectors.joining(", ")));
      }
      gpus.add(found.get().index());
    }
    return gpus;
  }

  /** One sample of {@code --json}. */
  record SampleJson(
      String at, String date, String time, String source, boolean simulated, List<RowJson> rows) {}

  /** One row of {@code --json}: the columns by name, null where not reported. */
  record RowJson(
      String gpu,
      int index,
      Integer gpuInstanceId,
      Integer computeInstanceId,
      String uuid,
      Map<String, Long> values) {}

  private static String toJson(
      String source, TelemetrySample sample, List<DmonView.Row> rows, ZonedDateTime at) {
    List<RowJson> out =
        rows.stream()
            .map(
                r -> {
                  Map<String, Long> values = new LinkedHashMap<>();
                  r.values().forEach((k, v) -> values.put(k, v.isPresent() ? v.getAsLong() : null));
                  return new RowJson(
                      r.device(),
                      r.gpuIndex(),
                      r.gpuInstanceId(),
                      r.computeInstanceId(),
                      r.uuid(),
                      values);
                })
            .toList();
    try {
      return COMPACT.writeValueAsString(
          new SampleJson(
              at.toInstant().toString(),
              DmonView.date(at),
              DmonView.time(at),
              source,
              sample.simulated(),
              out));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a sample as JSON", e);
    }
  }
}
