package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One frame of {@code migctl top}, as plain lines: per GPU a bar of its memory slices with each MIG
 * instance drawn where it sits and the job on it, then one line per instance with its memory use
 * and, where the GPU reports them, its SM and tensor activity (an allocated slice with idle SMs
 * marked underused), then the queue with the reason each job waits.
 */
final class TopView {

  private TopView() {}

  /** SM activity below which an allocated slice is marked underused, as the alert does. */
  static final double UNDERUSED_SM_ACTIVE = 0.10;

  /**
   * @param gpus {@code GET /api/v1/gpus}
   * @param telemetry {@code GET /api/v1/telemetry}
   * @param jobs the unfinished jobs, {@code GET /api/v1/jobs?state=…}
   * @param width the terminal's width
   */
  static List<String> render(
      JsonNode gpus, JsonNode telemetry, JsonNode jobs, int width, Instant now) {
    Map<String, JsonNode> reading = new HashMap<>();
    Map<Integer, JsonNode> gpuReading = new HashMap<>();
    for (JsonNode g : telemetry.path("gpus")) {
      gpuReading.put(g.get("index").asInt(), g);
      for (JsonNode i : g.path("instances")) {
        reading.put(i.get("uuid").asText(), i);
      }
    }
    Map<Long, JsonNode> jobsById = new HashMap<>();
    for (JsonNode j : jobs) {
      jobsById.put(j.get("id").asLong(), j);
    }
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            Locale.ROOT,
            "migctl top — %d GPU(s)%s, %d queued, %d running   %s",
            gpus.size(),
            telemetry.path("simulated").asBoolean() ? " (simulated)" : "",
            count(jobs, "queued"),
            count(jobs, "running") + count(jobs, "starting") + count(jobs, "stopping"),
            now.toString().substring(11, 19) + " UTC"));
    for (JsonNode g : gpus) {
      out.add("");
      JsonNode t = gpuReading.get(g.get("index").asInt());
      out.add(
          String.format(
              Locale.ROOT,
              "GPU %d  %s  %s%s%s",
              g.get("index").asInt(),
              g.get("model").asText(),
              shortId(g.get("uuid").asText()),
              t != null && t.has("temperatureC")
                  ? String.format(Locale.ROOT, "  %.0f °C", t.get("temperatureC").asDouble())
                  : "",
              t != null && t.has("powerW")
                  ? String.format(Locale.ROOT, "  %.0f W", t.get("powerW").asDouble())
                  : ""));
      if (!g.get("migEnabled").asBoolean()) {
        out.add("  MIG is off");
        continue;
      }
      out.addAll(bar(g, width));
      for (JsonNode i : g.get("instances")) {
        JsonNode r = reading.get(i.get("uuid").asText());
        JsonNode job = i.has("job") ? jobsById.get(i.get("job").asLong()) : null;
        String who =
            i.has("job")
                ? i.get("jobName").asText() + " #" + i.get("job").asText()
                : i.get("busy").asBoolean() ? "(a process outside migctl)" : "free";
        String state =
            job == null ? "" : job.get("state").asText() + " " + JobsCommand.elapsed(job, now);
        out.add(
            String.format(
                Locale.ROOT,
                "  %-12s %-14s %-24s %-18s %s",
                i.get("profile").asText()
                    + "@"
                    + i.get("start").asInt()
                    + ":"
                    + i.get("size").asInt(),
                shortId(i.get("uuid").asText()),
                clip(who, 24),
                state,
                memory(r) + activity(r, i.has("job"))));
      }
    }
    List<JsonNode> queued = new ArrayList<>();
    jobs.forEach(
        j -> {
          if (j.get("state").asText().equals("queued")) {
            queued.add(j);
          }
        });
    out.add("");
    out.add("QUEUE (" + queued.size() + ")");
    if (queued.isEmpty()) {
      out.add("  empty");
    }
    for (JsonNode j : queued.reversed()) {
      out.add(
          String.format(
              Locale.ROOT,
              "  #%-5s %-16s %-10s %-8s %s",
              j.get("id").asText(),
              clip(j.get("name").asText(), 16),
              j.get("gpu").asText(),
              JobsCommand.elapsed(j, now),
              j.path("waiting").asText("waiting for the scheduler")));
    }
    return out.stream()
        .map(l -> l.length() > width ? l.substring(0, Math.max(1, width - 1)) + "…" : l)
        .toList();
  }

  /** The memory-slice bar: each instance a box over the slices it occupies. */
  private static List<String> bar(JsonNode g, int width) {
    int slices = g.get("memorySlices").asInt();
    int cell = Math.max(6, Math.min(16, (width - 4) / slices));
    char[] line = " ".repeat(slices * cell).toCharArray();
    for (int s = 0; s < slices; s++) {
      line[s * cell + cell / 2] = '·';
    }
    // one box per GPU instance (compute instances share it)
    Map<Integer, JsonNode> byGi = new java.util.TreeMap<>();
    for (JsonNode i : g.get("instances")) {
      byGi.putIfAbsent(i.get("gi").asInt(), i);
    }
    for (JsonNode i : byGi.values()) {
      int from = i.get("start").asInt() * cell;
      int to = (i.get("start").asInt() + i.get("size").asInt()) * cell - 1;
      for (int k = from; k <= to; k++) {
        line[k] = ' ';
      }
      line[from] = '[';
      line[to] = ']';
      String label =
          i.get("profile").asText() + (i.has("jobName") ? " " + i.get("jobName").asText() : "");
      String fit =
          label.length() > to - from - 1 ? label.substring(0, Math.max(0, to - from - 1)) : label;
      for (int k = 0; k < fit.length(); k++) {
        line[from + 1 + k] = fit.charAt(k);
      }
    }
    StringBuilder axis = new StringBuilder();
    for (int s = 0; s < slices; s++) {
      axis.append(String.format(Locale.ROOT, "%-" + cell + "s", s));
    }
    return List.of("  " + axis.toString().stripTrailing(), "  " + new String(line).stripTrailing());
  }

  private static String memory(JsonNode r) {
    if (r == null) {
      return "";
    }
    long used = r.get("fbUsedMiB").asLong();
    long total = r.get("fbTotalMiB").asLong();
    int filled = total > 0 ? (int) Math.round(10.0 * used / total) : 0;
    return "mem "
        + "█".repeat(filled)
        + "░".repeat(10 - filled)
        + String.format(Locale.ROOT, " %d/%d MiB", used, total);
  }

  /**
   * SM and tensor activity where the GPU reports them (Hopper and later), else the engine's where
   * only that is reported, else nothing; an allocated slice whose SMs are less than {@value
   * #UNDERUSED_SM_ACTIVE} active is marked, as its job may fit a smaller one.
   */
  private static String activity(JsonNode r, boolean allocated) {
    if (r == null) {
      return "";
    }
    JsonNode a = r.path("activity");
    if (a.has("smActive")) {
      double sm = a.get("smActive").asDouble();
      return String.format(Locale.ROOT, "  SM %3.0f%%", 100 * sm)
          + (a.has("tensorActive")
              ? String.format(
                  Locale.ROOT, "  tensor %3.0f%%", 100 * a.get("tensorActive").asDouble())
              : "  tensor   —")
          + (allocated && sm < UNDERUSED_SM_ACTIVE ? "  ▼ underused" : "");
    }
    return r.has("grEngineActive")
        ? String.format(Locale.ROOT, "  active %3.0f%%", 100 * r.get("grEngineActive").asDouble())
        : "";
  }

  private static long count(JsonNode jobs, String state) {
    long n = 0;
    for (JsonNode j : jobs) {
      if (j.get("state").asText().equals(state)) {
        n++;
      }
    }
    return n;
  }

  private static String shortId(String uuid) {
    return uuid.length() > 12 ? uuid.substring(0, 12) + "…" : uuid;
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
