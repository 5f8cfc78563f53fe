package io.migctl.replay;

import static java.util.stream.Collectors.toList;

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

  /** The columns of Alibaba's pod list that the mapping always reads. */
  private static final List<String> ALIBABA_COLUMNS = List.of("num_gpu", "gpu_milli");

  /**
   * The columns with a pod's phase and times; {@code openb_pod_list_multigpu50.csv} has none of
   * them, and then {@link TimeSynthesis} must supply the times.
   */
  private static final List<String> ALIBABA_TIME_COLUMNS =
      List.of("pod_phase", "creation_time", "deletion_time", "scheduled_time");

  /**
   * How arrival times and durations are drawn for a pod list that has none (Alibaba's {@code
   * openb_pod_list_multigpu50.csv} has only {@code name, cpu_milli, memory_mib, num_gpu,
   * gpu_milli}, its multi-GPU pods gathered at its end): the pods are drawn at random without
   * replacement (the list is a resample, not a time order), the {@code i}-th drawn arrives at the
   * {@code i}-th event of a Poisson process of one arrival a second (stretched or compressed later
   * by {@link #stretchToLoad} to the offered load asked for), and runs for a log-normal duration
   * with median {@link #MEDIAN_SECONDS} and 90th percentile {@link #P90_SECONDS}: the lifetimes of
   * the GPU pods of {@code openb_pod_list_default.csv} that ended before its end. The same seed
   * gives the same times.
   *
   * @param seed the random seed
   */
  public record TimeSynthesis(long seed) {

    /** Median duration, seconds. */
    public static final double MEDIAN_SECONDS = 540;

    /** 90th percentile duration, seconds. */
    public static final double P90_SECONDS = 5757;

    /** The 90th percentile of the standard normal distribution. */
    private static final double Z90 = 1.2815515655446004;

    /** One sentence for reports: what was drawn and from which seed. */
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "times synthesised (the list has none), seed %d: Poisson arrivals, log-normal durations"
              + " (median %.0f s, p90 %.0f s)",
          seed,
          MEDIAN_SECONDS,
          P90_SECONDS);
    }

    /** Up to {@code n} of {@code pods}, drawn at random without replacement. */
    <T> List<T> sample(List<T> pods, int n) {
      List<T> out = new ArrayList<>(pods);
      java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
      int k = Math.min(n, out.size());
      for (int i = 0; i < k; i++) {
        java.util.Collections.swap(out, i, i + random.nextInt(out.size() - i));
      }
      return List.copyOf(out.subList(0, k));
    }

    /** Arrival and duration of each of {@code n} pods, in the order drawn. */
    double[][] draw(int n) {
      java.util.SplittableRandom random = new java.util.SplittableRandom(~seed);
      double sigma = Math.log(P90_SECONDS / MEDIAN_SECONDS) / Z90;
      double[][] out = new double[n][2];
      double t = 0;
      for (int i = 0; i < n; i++) {
        t += -Math.log(1 - random.nextDouble());
        double z = gaussian(random);
        out[i][0] = t;
        out[i][1] = Math.max(1, MEDIAN_SECONDS * Math.exp(sigma * z));
      }
      return out;
    }

    /** A standard normal draw (Box-Muller), so that the result depends on the seed alone. */
    private static double gaussian(java.util.SplittableRandom random) {
      double u = 1 - random.nextDouble();
      double v = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }

  /**
   * The header names a tenant column may have, in the order they are looked for: {@code tenant},
   * then {@code user} (Alibaba v2020, Helios), {@code user_name}, {@code organization} (Alibaba's
   * spot-GPU v2026), {@code group}.
   */
  public static final List<String> TENANT_COLUMNS =
      List.of("tenant", "user", "user_name", "organization", "group");

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

  /** {@link #alibaba(Path, GpuModel, double, int, TimeSynthesis)} of a list with its own times. */
  public static List<SimJob> alibaba(Path file, GpuModel model, double windowDays, int limit)
      throws IOException {
    return alibaba(file, model, windowDays, limit, null);
  }

  /**
   * Alibaba {@code openb_pod_list_*.csv}: pods asking for a share of one GPU ({@code num_gpu == 1},
   * {@code gpu_milli < 1000}; need = {@code gpu_milli / 1000}), and gang jobs ({@link SimJob#gang})
   * on whole GPUs: {@code num_gpu > 1}, or {@code num_gpu == 1} with {@code gpu_milli == 1000}.
   * Arrival = {@code creation_time} minus the window start; duration = {@code deletion_time −
   * scheduled_time} (the time it held the GPUs). Left out: CPU-only pods, pods still {@code
   * Running} at the end (censored), pods whose duration is not positive or unknown (never
   * scheduled), and rows with fewer fields than the header. Only pods created in the last {@code
   * windowDays} days of the trace are kept (the list is a snapshot; most pods are in its last 30
   * days), and at most {@code limit} of them (the earliest).
   *
   * <p>A list without the phase and time columns (only {@code openb_pod_list_multigpu50.csv}) is
   * read only with {@code synthesis}, which draws {@code limit} of its GPU pods at random and their
   * times; {@code windowDays} does not apply.
   *
   * @param synthesis how to draw times for a list that has none; null for a list with its times
   * @throws io.migctl.core.input.InvalidTextException naming the line and the value when the file
   *     is not such a list or exceeds the bounds of {@link TraceLines}, naming the option when a
   *     list without times comes without {@code synthesis} or one with times comes with it
   * @throws IOException when it cannot be read
   */
  public static List<SimJob> alibaba(
      Path file, GpuModel model, double windowDays, int limit, TimeSynthesis synthesis)
      throws IOException {
    record Pod(double created, double duration, double need, int gpus) {}
    List<Pod> pods = new ArrayList<>();
    double end = 0;
    boolean synthesise;
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
      List<String> timeless =
          ALIBABA_TIME_COLUMNS.stream().filter(c -> !col.containsKey(c)).toList();
      synthesise = timeless.size() == ALIBABA_TIME_COLUMNS.size();
      if (synthesise && synthesis == null) {
        throw new InvalidTextException(
            file
                + ": Alibaba's pod list without times (no "
                + String.join(", ", ALIBABA_TIME_COLUMNS)
                + "); give a seed to draw them (migctl replay --synthesize-times SEED)");
      }
      if (!synthesise && synthesis != null) {
        throw new InvalidTextException(
            file + ": the pod list has its own times; leave out the time synthesis");
      }
      List<String> missing =
          ALIBABA_COLUMNS.stream().filter(c -> !col.containsKey(c)).collect(toList());
      if (!synthesise) {
        missing.addAll(timeless);
      }
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
        double gpus = lines.number(f[col.get("num_gpu")], "num_gpu");
        double milli = lines.optionalNumber(f[col.get("gpu_milli")], "gpu_milli");
        int whole = gangGpus(lines, gpus, milli);
        if (synthesise) {
          if (gpus >= 1 && (whole > 0 || milli > 0)) {
            lines.checkRows(pods.size() + 1);
            pods.add(new Pod(pods.size(), 1, Math.min(1.0, milli / 1000.0), whole));
          }
          continue;
        }
        double created = lines.optionalNumber(f[col.get("creation_time")], "creation_time");
        double deleted = lines.optionalNumber(f[col.get("deletion_time")], "deletion_time");
        if (deleted > end) {
          end = deleted;
        }
        if (gpus < 1
            || (whole == 0 && !(milli > 0))
            || Double.isNaN(created)
            || f[col.get("pod_phase")].equals("Running")) {
          continue;
        }
        double duration =
            deleted - lines.optionalNumber(f[col.get("scheduled_time")], "scheduled_time");
        if (!(duration > 0)) {
          continue;
        }
        lines.checkRows(pods.size() + 1);
        pods.add(new Pod(created, duration, Math.min(1.0, milli / 1000.0), whole));
      }
    }
    if (synthesise) {
      List<Pod> kept = synthesis.sample(pods, limit);
      double[][] times = synthesis.draw(kept.size());
      List<SimJob> jobs = new ArrayList<>();
      for (int i = 0; i < kept.size(); i++) {
        Pod p = kept.get(i);
        jobs.add(job(jobs.size(), times[i][0], times[i][1], p.need(), p.gpus(), model));
      }
      return jobs;
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
      jobs.add(job(jobs.size(), p.created() - t0, p.duration(), p.need(), p.gpus(), model));
    }
    return jobs;
  }

  /** A gang job on {@code gpus} whole GPUs, or a job of fractional {@code need} when 0. */
  private static SimJob job(
      int id, double arrival, double duration, double need, int gpus, GpuModel model) {
    return gpus > 0
        ? SimJob.gang(id, arrival, duration, gpus, model)
        : SimJob.fractional(id, arrival, duration, need, model);
  }

  /**
   * Whole GPUs of a pod: {@code num_gpu} when it is more than 1, 1 for one whole GPU ({@code
   * gpu_milli} of 1000), else 0 (a share of one GPU, or no GPU).
   */
  private static int gangGpus(TraceLines lines, double gpus, double milli) {
    if (gpus != Math.rint(gpus) || gpus < 0 || gpus > MAX_POD_GPUS) {
      throw new InvalidTextException(
          lines.where()
              + ": num_gpu "
              + gpus
              + " is not a whole number of GPUs from 0 to "
              + MAX_POD_GPUS);
    }
    return gpus > 1 || (gpus == 1 && milli >= 1000) ? (int) gpus : 0;
  }

  /** The most GPUs one pod may ask for: a node of Alibaba's cluster has at most 8. */
  static final int MAX_POD_GPUS = 64;

  /** Jobs with arrivals scaled by {@code scale}; {@code offeredLoad} in whole GPUs. */
  public record Scaled(List<SimJob> jobs, double scale, double offeredLoad) {}

  /**
   * Scales arrival times down uniformly (order and relative gaps kept, never up) until the offered
   * load, the sum of durations on whole GPUs (times the GPUs of a gang job) over the arrival span,
   * is {@code load} × {@code gpus}. Alibaba's snapshot offers about one whole GPU of work, which
   * would leave a cluster idle.
   */
  public static Scaled scaleToLoad(List<SimJob> raw, double load, int gpus) {
    return scale(raw, load, gpus, 1.0);
  }

  /**
   * Scales arrival times uniformly, up or down, until the offered load is {@code load} × {@code
   * gpus}: for times drawn by {@link TimeSynthesis}, whose one arrival a second has no meaning.
   */
  public static Scaled stretchToLoad(List<SimJob> raw, double load, int gpus) {
    return scale(raw, load, gpus, Double.POSITIVE_INFINITY);
  }

  private static Scaled scale(List<SimJob> raw, double load, int gpus, double most) {
    double work = raw.stream().mapToDouble(j -> j.duration() * j.wholeGpus()).sum();
    double rawSpan = raw.stream().mapToDouble(SimJob::arrival).max().orElse(0);
    if (!(rawSpan > 0)) {
      return new Scaled(raw, 1.0, Double.POSITIVE_INFINITY);
    }
    double scale = Math.min(most, work / rawSpan / (load * gpus));
    List<SimJob> jobs = raw.stream().map(j -> j.withArrival(j.arrival() * scale)).toList();
    return new Scaled(jobs, scale, work / (rawSpan * scale));
  }
}
