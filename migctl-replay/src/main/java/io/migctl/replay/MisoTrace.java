package io.migctl.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import io.migctl.core.input.InvalidTextException;
import io.migctl.core.replay.SimJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * MISO's 100-job workload (SoCC'22, {@code ../shared/reference/traces/miso/}).
 *
 * <p>Mapping: job {@code i}'s duration on a whole A100 is {@code trace_100.json[i]} seconds; its
 * model is {@code job_models.json[i]}; its speed on a {@code k}g slice is {@code speed_rel_7g} of
 * the row ({@code model}, {@code k}g) of {@code DERIVED_mig_slice_speed.csv}, and a slice size
 * without a row does not fit the job. Arrivals as MISO generates them: a seeded random order of the
 * jobs, the first at 0, then exponential (Poisson-process) gaps with mean {@code meanGap} seconds
 * (60), half that for the first third of the jobs.
 */
public final class MisoTrace {

  private final Map<Integer, Double> durations;
  private final Map<Integer, String> models;
  private final Map<String, Map<Integer, Double>> speeds;

  MisoTrace(
      Map<Integer, Double> durations,
      Map<Integer, String> models,
      Map<String, Map<Integer, Double>> speeds) {
    this.durations = durations;
    this.models = models;
    this.speeds = speeds;
  }

  /**
   * Reads the three files in {@code dir}.
   *
   * @throws io.migctl.core.input.InvalidTextException naming the file (and line) that is wrong
   * @throws IOException when one cannot be read
   */
  public static MisoTrace read(Path dir) throws IOException {
    Map<Integer, Double> durations =
        new TreeMap<>(
            TraceFiles.read(
                dir.resolve("trace_100.json"), new TypeReference<Map<Integer, Double>>() {}));
    Map<Integer, String> models =
        new TreeMap<>(
            TraceFiles.read(
                dir.resolve("job_models.json"), new TypeReference<Map<Integer, String>>() {}));
    Map<String, Map<Integer, Double>> speeds = new HashMap<>();
    try (TraceLines lines = TraceLines.open(dir.resolve("DERIVED_mig_slice_speed.csv"))) {
      lines.next(); // the header
      for (String line = lines.next(); line != null; line = lines.next()) {
        if (line.isBlank()) {
          continue;
        }
        String[] f =
            lines.fields(
                line, "model_batch,mig_profile,gpc_slices,mean_iter_time_s,n_samples,speed_rel_7g");
        double slices = lines.number(f[2], "gpc_slices");
        if (slices != Math.rint(slices) || slices < 1 || slices > 8) {
          throw new InvalidTextException(
              lines.where() + ": gpc_slices " + f[2].strip() + " is not a slice count (1 to 8)");
        }
        speeds
            .computeIfAbsent(f[0].strip(), k -> new TreeMap<>())
            .put((int) slices, lines.number(f[5], "speed_rel_7g"));
      }
    }
    for (Map.Entry<Integer, String> e : models.entrySet()) {
      if (!speeds.containsKey(e.getValue())) {
        throw new InvalidTextException(
            dir.resolve("job_models.json")
                + ": job "
                + e.getKey()
                + " has the model "
                + e.getValue()
                + ", which DERIVED_mig_slice_speed.csv has no speeds for");
      }
    }
    if (!durations.keySet().equals(models.keySet())) {
      throw new InvalidTextException(
          dir
              + ": trace_100.json and job_models.json name different jobs; every job needs a"
              + " duration and a model");
    }
    return new MisoTrace(durations, models, speeds);
  }

  /** Number of jobs. */
  public int size() {
    return durations.size();
  }

  /** The jobs with arrivals drawn from {@code seed}, mean gap {@code meanGap} seconds. */
  public List<SimJob> jobs(long seed, double meanGap) {
    Random random = new Random(seed);
    List<Integer> order = new ArrayList<>(durations.keySet());
    Collections.shuffle(order, random);
    double[] arrivals = arrivals(random, order.size(), meanGap);
    List<SimJob> jobs = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      int id = order.get(i);
      // MISO assumes its training jobs can be checkpointed and restarted on another slice (its
      // repartitioning moves running jobs, ~30 s each), so all of them are checkpointable.
      jobs.add(
          new SimJob(id, arrivals[i], durations.get(id), speeds.get(models.get(id)))
              .withCheckpointable(true));
    }
    return jobs;
  }

  /**
   * MISO's arrival process: the first at 0, then exponential gaps, mean {@code meanGap / 2} for the
   * first third of the jobs and {@code meanGap} after.
   */
  public static double[] arrivals(Random random, int n, double meanGap) {
    double[] a = new double[n];
    double t = 0;
    for (int i = 1; i < n; i++) {
      double mean = i < n / 3 ? meanGap / 2 : meanGap;
      t += -mean * Math.log(1 - random.nextDouble());
      a[i] = t;
    }
    return a;
  }
}
