package io.migctl.core.replay;

import io.migctl.core.mig.GpuModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A generated trace with a mixed demand: most jobs fit small slices and gain little from larger
 * ones, and a given fraction need a whole GPU. Each job saturates at a slice size (1, 2, 3 or 4
 * compute slices, or the whole GPU for the whole-GPU jobs): it fits that size and every larger one,
 * runs at full speed there, and on a smaller fitting slice at the share of compute it gets.
 * Arrivals are Poisson, durations exponential. Pure: the same seed gives the same jobs.
 */
public final class MixedDemandTrace {

  private static final int[] SATURATION = {1, 1, 2, 2, 3, 4};

  private MixedDemandTrace() {}

  /**
   * The jobs.
   *
   * @param seed the random seed
   * @param jobs how many
   * @param wholeFraction the fraction of jobs that need a whole GPU, in [0, 1]
   * @param meanGap mean seconds between arrivals
   * @param meanDuration mean running time on the job's saturating slice, seconds
   */
  public static List<SimJob> generate(
      GpuModel model,
      long seed,
      int jobs,
      double wholeFraction,
      double meanGap,
      double meanDuration) {
    return generate(model, seed, jobs, wholeFraction, 0, 2, meanGap, meanDuration);
  }

  /**
   * The jobs, a fraction of them gang jobs ({@link SimJob#gang}) on {@code gangGpus} whole GPUs at
   * once, drawn after the rest of each job so that a fraction of 0 gives the jobs of {@link
   * #generate(GpuModel, long, int, double, double, double)} with the same seed.
   *
   * @param gangFraction the fraction of jobs that need {@code gangGpus} whole GPUs, in [0, 1]
   * @param gangGpus whole GPUs of a gang job, at least 2
   */
  public static List<SimJob> generate(
      GpuModel model,
      long seed,
      int jobs,
      double wholeFraction,
      double gangFraction,
      int gangGpus,
      double meanGap,
      double meanDuration) {
    if (gangFraction < 0 || gangFraction > 1 || gangGpus < 2) {
      throw new IllegalArgumentException(
          "need a gang fraction in [0, 1] and gang jobs of 2 or more GPUs");
    }
    if (jobs < 1 || wholeFraction < 0 || wholeFraction > 1 || !(meanGap > 0)) {
      throw new IllegalArgumentException(
          "need jobs >= 1, a whole-GPU fraction in [0, 1] and a mean gap > 0");
    }
    SimProfiles profiles = SimProfiles.of(model);
    SplittableRandom random = new SplittableRandom(seed);
    int full = profiles.full().computeSlices();
    List<SimJob> out = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < jobs; i++) {
      t += -meanGap * Math.log(1 - random.nextDouble());
      boolean whole = random.nextDouble() < wholeFraction;
      int saturation = whole ? full : SATURATION[random.nextInt(SATURATION.length)];
      int need = whole ? full : 1 + random.nextInt(saturation);
      Map<Integer, Double> speeds = new TreeMap<>();
      for (var p : profiles.profiles()) {
        int s = p.computeSlices();
        if (s >= need) {
          speeds.put(s, Math.min(1.0, (double) s / saturation));
        }
      }
      double duration = Math.max(1, -meanDuration * Math.log(1 - random.nextDouble()));
      boolean gang = gangFraction > 0 && random.nextDouble() < gangFraction;
      out.add(
          gang ? SimJob.gang(i, t, duration, gangGpus, model) : new SimJob(i, t, duration, speeds));
    }
    return List.copyOf(out);
  }
}
