package io.migctl.replay;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Trace files of fractional GPU needs: Alibaba's v2023 GPU-sharing pod list and a plain CSV.
 *
 * <p>Both map a job's need {@code f} (a fraction of one GPU) by {@link SimJob#fractional}: the job
 * fits every slice with at least {@code f} of the GPU's compute slices and of its memory, and runs
 * there at its trace speed (speed 1.0 on every fitting slice), since the trace gave it only {@code
 * f} of a GPU. On A100-40GB: f ≤ 1/8 fits 1g.5gb and up; f ≤ 2/7 fits 2g.10gb; f ≤ 3/7 fits
 * 3g.20gb; f ≤ 1/2 fits 4g.20gb; larger needs a whole GPU.
 */
public final class CsvTrace {

  private CsvTrace() {}

  /** The columns of Alibaba's pod list that the mapping reads. */
  private static final List<String> ALIBABA_COLUMNS =
      List.of(
          "num_gpu", "gpu_milli", "pod_phase", "creation_time", "deletion_time", "scheduled_time");

  /**
   * The header names a plain CSV's tenant column may have, in the order they are looked for: {@code
   * tenant}, then Alibaba v2020's {@code user}, then {@code user_name}, then {@code group}.
   */
  public static final List<String> TENANT_COLUMNS = List.of("tenant", "user", "user_name", "group");

  /**
   * Plain CSV {@code arrival_s,duration_s,need} (a header line is skipped when it does not start
   * with a number); job ids are line numbers from 0. When the header names a tenant column (one of
   * {@link #TENANT_COLUMNS}, in any position after the first three), that field is the job's tenant
   * (a {@link io.migctl.core.tenant.Tenant} name); without one every job is {@link
   * SimJob#DEFAULT_TENANT}'s.
   *
   * @throws io.migctl.core.input.InvalidTextException naming the line and the value when the file
   *     is not such a CSV or exceeds the bounds of {@link TraceLines}
   * @throws IOException when it cannot be read
   */
  public static List<SimJob> plain(Path file, GpuModel model) throws IOException {
    List<SimJob> jobs = new ArrayList<>();
    int tenantColumn = -1;
    String tenantName = null;
    try (TraceLines lines = TraceLines.open(file)) {
      for (String line = lines.next(); line != null; line = lines.next()) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        if (!Character.isDigit(l.charAt(0))) {
          if (jobs.isEmpty() && tenantColumn < 0) {
            List<String> header = List.of(l.split(",", -1)).stream().map(String::strip).toList();
            for (String name : TENANT_COLUMNS) {
              if (header.indexOf(name) >= 3) {
                tenantColumn = header.indexOf(name);
                tenantName = name;
                break;
              }
            }
          }
          continue;
        }
        String[] f = lines.fields(l, "arrival_s,duration_s,need");
        lines.checkRows(jobs.size() + 1);
        SimJob j =
            job(
                lines,
                jobs.size(),
                lines.number(f[0], "arrival_s"),
                lines.number(f[1], "duration_s"),
                lines.number(f[2], "need"),
                model);
        jobs.add(tenantColumn < 0 ? j : withTenant(lines, j, f, tenantColumn, tenantName));
      }
    }
    return jobs;
  }

  /** {@code job} with the tenant in field {@code column}, a refusal naming the line and column. */
  private static SimJob withTenant(
      TraceLines lines, SimJob job, String[] fields, int column, String name) {
    if (column >= fields.length) {
      throw new InvalidTextException(
          lines.where()
              + ": no "
              + name
              + " field (column "
              + (column + 1)
              + " of the header); give every job its tenant");
    }
    try {
      return job.withTenant(fields[column].strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidTextException(
          lines.where()
              + ", column "
              + (column + 1)
              + " ("
              + name
              + "): "
              + e.getMessage().replaceFirst("^name: ", ""));
    }
  }

  /** {@link SimJob#fractional}, its refusal naming the line. */
  private static SimJob job(
      TraceLines lines, int id, double arrival, double duration, double need, GpuModel model) {
    try {
      return SimJob.fractional(id, arrival, duration, need, model);
    } catch (IllegalArgumentException e) {
      throw new InvalidTextException(lines.where() + ": " + e.getMessage());
    }
  }

  /**
   * Alibaba {@code openb_pod_list_*.csv}: pods asking for one GPU ({@code num_gpu == 1}) or a share
   * of one ({@code gpu_milli}); need = {@code gpu_milli / 1000}; arrival = {@code creation_time}
   * minus the window start; duration = {@code deletion_time − scheduled_time} (the time it held the
   * GPU). Left out: CPU-only and multi-GPU pods (the simulation places single-GPU jobs), pods still
   * {@code Running} at the end (censored), pods whose duration is not positive or unknown (never
   * scheduled), and rows with fewer fields than the header. Only pods created in the last {@code
   * windowDays} days of the trace are kept (the list is a snapshot; most pods are in its last 30
   * days), and at most {@code limit} of them (the earliest).
   *
   * @throws io.migctl.core.input.InvalidTextException naming the line and the value when the file
   *     is not such a list or exceeds the bounds of {@link TraceLines}
   * @throws IOException when it cannot be read
   */
  public static List<SimJob> alibaba(Path file, GpuModel model, double windowDays, int limit)
      throws IOException {
    record Pod(double created, double duration, double need) {}
    List<Pod> pods = new ArrayList<>();
    double end = 0;
    try (TraceLines lines = TraceLines.open(file)) {
      String first = lines.next();
      if (first == null) {
        throw new InvalidTextException(
            file + ": empty; expected Alibaba's pod list, starting with its header line");
      }
      Map<String, Integer> col = new HashMap<>();
      String[] header = first.split(",", -1);
      for (int i = 0; i < header.length; i++) {
        col.put(header[i].strip(), i);
      }
      List<String> missing = ALIBABA_COLUMNS.stream().filter(c -> !col.containsKey(c)).toList();
      if (!missing.isEmpty()) {
        throw new InvalidTextException(
            lines.where()
                + ": the header lacks the columns "
                + String.join(", ", missing)
                + " of Alibaba's pod list");
      }
      for (String line = lines.next(); line != null; line = lines.next()) {
        String[] f = line.split(",", -1);
        if (f.length < header.length) {
          continue;
        }
        double created = optionalNumber(lines, f[col.get("creation_time")], "creation_time");
        double deleted = optionalNumber(lines, f[col.get("deletion_time")], "deletion_time");
        if (deleted > end) {
          end = deleted;
        }
        double gpus = lines.number(f[col.get("num_gpu")], "num_gpu");
        double milli = optionalNumber(lines, f[col.get("gpu_milli")], "gpu_milli");
        if (gpus != 1
            || !(milli > 0)
            || Double.isNaN(created)
            || f[col.get("pod_phase")].equals("Running")) {
          continue;
        }
        double duration =
            deleted - optionalNumber(lines, f[col.get("scheduled_time")], "scheduled_time");
        if (!(duration > 0)) {
          continue;
        }
        lines.checkRows(pods.size() + 1);
        pods.add(new Pod(created, duration, Math.min(1.0, milli / 1000.0)));
      }
    }
    double from = end - windowDays * 86400;
    List<Pod> window = new ArrayList<>(pods.stream().filter(p -> p.created() >= from).toList());
    window.sort((a, b) -> Double.compare(a.created(), b.created()));
    if (window.size() > limit) {
      window = window.subList(0, limit);
    }
    double t0 = window.isEmpty() ? 0 : window.get(0).created();
    List<SimJob> jobs = new ArrayList<>();
    for (Pod p : window) {
      jobs.add(SimJob.fractional(jobs.size(), p.created() - t0, p.duration(), p.need(), model));
    }
    return jobs;
  }

  /** A number, or NaN for an empty field (a pod never scheduled has no scheduled_time). */
  private static double optionalNumber(TraceLines lines, String text, String column) {
    return text.isBlank() ? Double.NaN : lines.number(text, column);
  }

  /** Jobs with arrivals scaled by {@code scale}; {@code offeredLoad} in whole GPUs. */
  public record Scaled(List<SimJob> jobs, double scale, double offeredLoad) {}

  /**
   * Scales arrival times down uniformly (order and relative gaps kept, never up) until the offered
   * load, the sum of durations on whole GPUs over the arrival span, is {@code load} × {@code gpus}.
   * Alibaba's snapshot offers about one whole GPU of work, which would leave a cluster idle.
   */
  public static Scaled scaleToLoad(List<SimJob> raw, double load, int gpus) {
    double work = raw.stream().mapToDouble(SimJob::duration).sum();
    double rawSpan = raw.stream().mapToDouble(SimJob::arrival).max().orElse(0);
    if (!(rawSpan > 0)) {
      return new Scaled(raw, 1.0, Double.POSITIVE_INFINITY);
    }
    double scale = Math.min(1.0, work / rawSpan / (load * gpus));
    List<SimJob> jobs = raw.stream().map(j -> j.withArrival(j.arrival() * scale)).toList();
    return new Scaled(jobs, scale, work / (rawSpan * scale));
  }
}
