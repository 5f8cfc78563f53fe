package io.migctl.replay;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimJob;
import io.migctl.core.tenant.Tenant;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A GPU cluster's job table, read by its column names: one row a job (or a task of workers), with
 * when it was submitted, how long it ran and how much GPU it asked for. The tables of public traces
 * that name their columns this way:
 *
 * <ul>
 *   <li>SenseTime Helios ({@code cluster_log.csv}: {@code job_id, user, vc, gpu_num, cpu_num,
 *       node_num, state, submit_time, start_time, end_time, duration, queue}) and Shanghai AI Lab's
 *       AcmeTrace ({@code trace_seren.csv}, {@code trace_kalos.csv}: the same names, times with an
 *       offset): {@code gpu_num} whole GPUs for the whole job;
 *   <li>Alibaba's spot-GPU trace v2026 ({@code job_info_df.csv}: {@code job_name, organization,
 *       gpu_model, cpu_request, gpu_request, worker_num, submit_time, duration, job_type}): {@code
 *       gpu_request} GPUs (a fraction such as 0.3, or a count) for each of {@code worker_num}
 *       workers;
 *   <li>Alibaba PAI v2020's task table ({@code pai_task_table.csv}: {@code job_name, task_name,
 *       inst_num, status, start_time, end_time, plan_cpu, plan_mem, plan_gpu, gpu_type}, published
 *       without a header line, which {@link #PAI_TASK_COLUMNS} supplies): {@code plan_gpu} percent
 *       of one GPU for each of {@code inst_num} instances.
 * </ul>
 *
 * <p>What a row becomes: a worker's share below one GPU is a job of that fractional need ({@link
 * SimJob#fractional}), one per worker; whole GPUs (a share of one or more, rounded up, times the
 * workers) are one gang job on that many whole GPUs ({@link SimJob#gang}). Arrival is {@code
 * submit_time} (else {@code start_time}) minus the first kept job's; duration is {@code duration}
 * (else {@code end_time − start_time}): its time on the GPUs it asked for. Times are seconds or
 * dates ({@code 2020-04-01 00:00:09}, with or without an offset such as {@code +08:00}; without
 * one, as UTC). The tenant is the first of {@link CsvTrace#TENANT_COLUMNS} the header names (an
 * empty field: the default tenant). Left out: jobs without a GPU, still running or waiting at the
 * trace's end ({@code state}/{@code status} RUNNING, PENDING, Waiting …), without a positive
 * duration or an arrival, and jobs larger than the simulated cluster (counted in {@link
 * Read#tooLarge}, over the whole table). Only the earliest {@code limit} rows are held while the
 * table is read, so a table of millions of jobs reads in little memory.
 */
public final class JobTable {

  private JobTable() {}

  /** PAI v2020's task table columns, in order: its files have no header line. */
  public static final List<String> PAI_TASK_COLUMNS =
      List.of(
          "job_name",
          "task_name",
          "inst_num",
          "status",
          "start_time",
          "end_time",
          "plan_cpu",
          "plan_mem",
          "plan_gpu",
          "gpu_type");

  /** States of a job that had not ended when the trace was taken: its duration is unknown. */
  private static final Set<String> UNENDED =
      Set.of("running", "pending", "waiting", "queued", "queueing", "submitted", "ready");

  /** PAI's task states, which tell its headerless rows apart. */
  private static final Set<String> PAI_STATES =
      Set.of("Terminated", "Failed", "Running", "Waiting");

  /** What the GPU columns of a table say. */
  private enum GpuColumn {
    /** {@code gpu_request}: GPUs per worker. */
    PER_WORKER,
    /** {@code plan_gpu}: percent of one GPU per instance. */
    PERCENT_PER_WORKER,
    /** {@code gpu_num}: GPUs of the whole job. */
    TOTAL
  }

  /**
   * The jobs read, and how many were left out for being larger than the cluster.
   *
   * @param kind the table's kind, in words
   */
  public record Read(List<SimJob> jobs, int tooLarge, String kind) {}

  /**
   * Whether {@code firstLine} starts such a table: a header naming a GPU column ({@code
   * gpu_request}, {@code plan_gpu}, {@code gpu_num}) and a time ({@code submit_time} or {@code
   * start_time}), or a headerless row of PAI's task table.
   */
  public static boolean detect(String firstLine) {
    List<String> names = names(firstLine);
    return layout(names).isPresent() || isPaiTaskRow(firstLine);
  }

  /**
   * The first {@code limit} jobs by arrival.
   *
   * @param clusterGpus the simulated cluster's GPUs: larger gang jobs are left out and counted
   * @throws InvalidTextException naming the line, column and value of what cannot be read, or the
   *     columns a table lacks
   * @throws IOException when the file cannot be read
   */
  public static Read read(Path file, GpuModel model, int clusterGpus, int limit)
      throws IOException {
    // The earliest `limit` rows, the latest on top: a table may hold millions of jobs.
    Comparator<Row> byArrival =
        Comparator.comparingDouble(Row::arrival).thenComparingLong(Row::sequence);
    PriorityQueue<Row> rows = new PriorityQueue<>(byArrival.reversed());
    int tooLarge = 0;
    long sequence = 0;
    Layout layout;
    String kind;
    try (TraceLines lines = TraceLines.open(file)) {
      String first = lines.next();
      if (first == null) {
        throw new InvalidTextException(file + ": empty; expected a job table with a header line");
      }
      String firstRow = null;
      Optional<Layout> named = layout(names(first));
      if (named.isPresent()) {
        layout = named.get();
        kind = layout.kind();
      } else if (isPaiTaskRow(first)) {
        layout = layout(PAI_TASK_COLUMNS).orElseThrow();
        kind = "Alibaba PAI v2020 task table";
        firstRow = first;
      } else {
        throw new InvalidTextException(
            lines.where()
                + ": not a job table: the header needs a GPU column (gpu_request, plan_gpu or"
                + " gpu_num) and a time (submit_time or start_time)");
      }
      for (String line = firstRow != null ? firstRow : lines.next();
          line != null;
          line = lines.next()) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length < layout.width()) {
          continue;
        }
        if (layout.state() >= 0
            && UNENDED.contains(f[layout.state()].strip().toLowerCase(Locale.ROOT))) {
          continue;
        }
        double share = lines.optionalNumber(f[layout.gpu()], layout.gpuName());
        if (layout.gpuColumn() == GpuColumn.PERCENT_PER_WORKER) {
          share /= 100;
        }
        double workers =
            layout.workers() < 0 ? 1 : lines.optionalNumber(f[layout.workers()], "workers");
        double arrival = time(lines, f[layout.arrival()], layout.arrivalName());
        double duration =
            layout.duration() >= 0
                ? lines.optionalNumber(f[layout.duration()], "duration")
                : time(lines, f[layout.end()], "end_time")
                    - time(lines, f[layout.start()], "start_time");
        if (!(share > 0) || !(workers >= 1) || Double.isNaN(arrival) || !(duration > 0)) {
          continue;
        }
        Optional<String> tenant =
            layout.tenant() < 0
                ? Optional.empty()
                : Optional.of(f[layout.tenant()].strip()).filter(t -> !t.isEmpty());
        tenant.ifPresent(t -> checkTenant(lines, t, layout));
        int count = (int) Math.min(Math.round(workers), Integer.MAX_VALUE);
        boolean slices = share < 1 && layout.gpuColumn() != GpuColumn.TOTAL;
        double gpus =
            slices
                ? 0
                : layout.gpuColumn() == GpuColumn.TOTAL
                    ? Math.ceil(share)
                    : Math.ceil(share) * count;
        if (gpus > clusterGpus) {
          tooLarge++;
          continue;
        }
        rows.add(new Row(sequence++, arrival, duration, share, count, (int) gpus, tenant));
        if (rows.size() > limit) {
          rows.poll();
        }
        lines.checkRows(rows.size());
      }
    }
    List<Row> earliest = new ArrayList<>(rows);
    earliest.sort(byArrival);
    double t0 = earliest.isEmpty() ? 0 : earliest.getFirst().arrival();
    List<SimJob> jobs = new ArrayList<>();
    for (Row r : earliest) {
      double arrival = r.arrival() - t0;
      List<SimJob> made = new ArrayList<>();
      if (r.gpus() == 0) {
        for (int w = 0; w < r.workers() && jobs.size() + made.size() < limit; w++) {
          made.add(
              SimJob.fractional(
                  jobs.size() + made.size(), arrival, r.duration(), r.share(), model));
        }
      } else if (jobs.size() < limit) {
        made.add(SimJob.gang(jobs.size(), arrival, r.duration(), r.gpus(), model));
      }
      for (SimJob j : made) {
        jobs.add(r.tenant().map(j::withTenant).orElse(j));
      }
    }
    return new Read(jobs, tooLarge, kind);
  }

  /**
   * A row kept.
   *
   * @param sequence its place among the rows read, which orders equal arrivals as the file does
   * @param gpus whole GPUs of a gang job, 0 for slice jobs (one per worker)
   */
  private record Row(
      long sequence,
      double arrival,
      double duration,
      double share,
      int workers,
      int gpus,
      Optional<String> tenant) {}

  /** Refuses a tenant that is no tenant name, naming the line and the column. */
  private static void checkTenant(TraceLines lines, String tenant, Layout layout) {
    try {
      Tenant.named(tenant);
    } catch (IllegalArgumentException e) {
      throw new InvalidTextException(
          lines.where()
              + ", column "
              + (layout.tenant() + 1)
              + " ("
              + layout.tenantName()
              + "): "
              + e.getMessage().replaceFirst("^name: ", ""));
    }
  }

  /**
   * Where a table's columns are; -1 for one it lacks.
   *
   * @param width the fields a row needs: up to the last column read
   */
  private record Layout(
      String kind,
      int width,
      int gpu,
      String gpuName,
      GpuColumn gpuColumn,
      int workers,
      int arrival,
      String arrivalName,
      int duration,
      int start,
      int end,
      int state,
      int tenant,
      String tenantName) {}

  private static List<String> names(String header) {
    return List.of(header.split(",", -1)).stream()
        .map(n -> n.strip().replace("\"", "").toLowerCase(Locale.ROOT))
        .toList();
  }

  /** The layout of a header with a GPU column and a time, or empty. */
  private static Optional<Layout> layout(List<String> names) {
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      col.putIfAbsent(names.get(i), i);
    }
    String gpuName;
    GpuColumn gpuColumn;
    String kind;
    if (col.containsKey("gpu_request")) {
      gpuName = "gpu_request";
      gpuColumn = GpuColumn.PER_WORKER;
      kind = "job table (GPUs per worker: gpu_request × worker_num)";
    } else if (col.containsKey("plan_gpu")) {
      gpuName = "plan_gpu";
      gpuColumn = GpuColumn.PERCENT_PER_WORKER;
      kind = "Alibaba PAI v2020 task table";
    } else if (col.containsKey("gpu_num")) {
      gpuName = "gpu_num";
      gpuColumn = GpuColumn.TOTAL;
      kind = "job table (gpu_num whole GPUs per job, as Helios and AcmeTrace)";
    } else {
      return Optional.empty();
    }
    String arrivalName =
        col.containsKey("submit_time")
            ? "submit_time"
            : col.containsKey("start_time") ? "start_time" : null;
    boolean hasDuration = col.containsKey("duration");
    if (arrivalName == null
        || !hasDuration && !(col.containsKey("start_time") && col.containsKey("end_time"))) {
      return Optional.empty();
    }
    int workers =
        gpuColumn == GpuColumn.TOTAL
            ? -1
            : col.getOrDefault("worker_num", col.getOrDefault("inst_num", -1));
    int state = col.getOrDefault("state", col.getOrDefault("status", -1));
    String tenantName =
        CsvTrace.TENANT_COLUMNS.stream().filter(col::containsKey).findFirst().orElse(null);
    int tenant = tenantName == null ? -1 : col.get(tenantName);
    int duration = hasDuration ? col.get("duration") : -1;
    int start = col.getOrDefault("start_time", -1);
    int end = col.getOrDefault("end_time", -1);
    // A row needs the fields read from it, not those after them (a trailing column left empty).
    int width =
        IntStream.of(
                    col.get(gpuName),
                    workers,
                    col.get(arrivalName),
                    duration,
                    start,
                    end,
                    state,
                    tenant)
                .max()
                .orElseThrow()
            + 1;
    return Optional.of(
        new Layout(
            kind,
            width,
            col.get(gpuName),
            gpuName,
            gpuColumn,
            workers,
            col.get(arrivalName),
            arrivalName,
            duration,
            start,
            end,
            state,
            tenant,
            tenantName));
  }

  /** A row of PAI's headerless task table: ten fields, a PAI state fourth. */
  private static boolean isPaiTaskRow(String line) {
    String[] f = line.split(",", -1);
    return f.length == PAI_TASK_COLUMNS.size() && PAI_STATES.contains(f[3].strip());
  }

  /**
   * Seconds: a number as it is, a date as seconds since 1970 (UTC where it names no offset); NaN
   * for an empty field.
   */
  private static double time(TraceLines lines, String text, String column) {
    String t = text.strip();
    if (t.isEmpty()) {
      return Double.NaN;
    }
    if (t.length() >= 10 && t.charAt(4) == '-' && Character.isDigit(t.charAt(0))) {
      String iso = t.replace(' ', 'T');
      try {
        OffsetDateTime at = OffsetDateTime.parse(iso);
        return at.toEpochSecond() + at.getNano() / 1e9;
      } catch (DateTimeParseException e) {
        try {
          LocalDateTime at = LocalDateTime.parse(iso);
          return at.toEpochSecond(ZoneOffset.UTC) + at.getNano() / 1e9;
        } catch (DateTimeParseException e2) {
          throw notATime(lines, column, t);
        }
      }
    }
    try {
      return lines.number(t, column);
    } catch (InvalidTextException e) {
      throw notATime(lines, column, t);
    }
  }

  private static InvalidTextException notATime(TraceLines lines, String column, String text) {
    return new InvalidTextException(
        lines.where()
            + ": "
            + column
            + " \""
            + TraceLines.shown(text)
            + "\" is neither seconds nor a date such as 2020-04-01 00:00:09");
  }
}
