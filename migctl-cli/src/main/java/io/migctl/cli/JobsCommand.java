package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl jobs}: the job table. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = "List jobs, newest first: state, MIG device, times, and why queued ones wait.")
final class JobsCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description = "Only these states, e.g. running or queued,running.")
  String state;

  @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant's jobs.")
  String tenant;

  @Option(names = "--name", paramLabel = "NAME", description = "Only jobs with this name.")
  String name;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N (default ${DEFAULT-VALUE}).")
  int limit = 100;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    List<String> query = new ArrayList<>();
    query.add("limit=" + limit);
    add(query, "state", state);
    add(query, "tenant", tenant);
    add(query, "name", name);
    JsonNode jobs = root.daemon().get("/api/v1/jobs?" + String.join("&", query));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, jobs);
      return ExitCode.OK;
    }
    out.println(table(jobs, Instant.now()));
    out.flush();
    return ExitCode.OK;
  }

  /**
   * The job table as text. The device column is as wide as its widest MIG UUID ({@code MIG-} and 36
   * characters from current drivers, {@code MIG-GPU-…/gi/ci} from old ones), shown whole: it is
   * what {@code CUDA_VISIBLE_DEVICES} takes.
   */
  static String table(JsonNode jobs, Instant now) {
    StringBuilder b = new StringBuilder();
    int deviceWidth = "DEVICE".length();
    for (JsonNode j : jobs) {
      deviceWidth = Math.max(deviceWidth, device(j).length());
    }
    String format = "%-6s %-20s %-12s %-10s %-3s %-12s %-" + deviceWidth + "s %-9s %s%n";
    b.append(
        String.format(
            Locale.ROOT,
            format,
            "ID",
            "NAME",
            "TENANT",
            "STATE",
            "GPU",
            "SLICE",
            "DEVICE",
            "TIME",
            "NOTE"));
    for (JsonNode j : jobs) {
      JsonNode d = j.get("device");
      String gpu = d == null ? "-" : gpus(j);
      String slice =
          d == null
              ? (j.hasNonNull("requiredMemoryMiB") ? "(" + j.get("gpu").asText() + ")" : "-")
              : d.get("profile").asText();
      String note =
          j.hasNonNull("waiting")
              ? j.get("waiting").asText()
              : j.hasNonNull("reason") ? j.get("reason").asText() : "";
      b.append(
          String.format(
              Locale.ROOT,
              format,
              j.get("id").asText(),
              clip(j.get("name").asText(), 20),
              j.hasNonNull("tenant") ? clip(j.get("tenant").asText(), 12) : "-",
              j.get("state").asText(),
              gpu,
              slice,
              device(j),
              elapsed(j, now),
              note));
    }
    return b.toString().stripTrailing();
  }

  /** Run time for started jobs, wait time for queued ones. */
  static String elapsed(JsonNode j, Instant now) {
    Instant from =
        Instant.parse(
            j.hasNonNull("startedAt")
                ? j.get("startedAt").asText()
                : j.get("submittedAt").asText());
    Instant to = j.hasNonNull("finishedAt") ? Instant.parse(j.get("finishedAt").asText()) : now;
    Duration d = Duration.between(from, to);
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    long s = d.toSeconds();
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /** Every device's UUID, comma-separated; "-" for none. */
  private static String device(JsonNode job) {
    JsonNode d = job.get("device");
    return d == null ? "-" : String.join(",", each(job, "uuid"));
  }

  /** The GPUs of the job's devices, each once, comma-separated. */
  private static String gpus(JsonNode job) {
    return String.join(",", each(job, "gpu").stream().distinct().toList());
  }

  /** A field of each of the job's devices; of {@code device} alone from a daemon without a list. */
  private static List<String> each(JsonNode job, String field) {
    JsonNode all = job.get("devices");
    if (all == null || all.isEmpty()) {
      return List.of(job.get("device").get(field).asText());
    }
    List<String> out = new ArrayList<>();
    all.forEach(d -> out.add(d.get(field).asText()));
    return out;
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private static void add(List<String> query, String key, String value) {
    if (value != null && !value.isBlank()) {
      query.add(key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }
}
