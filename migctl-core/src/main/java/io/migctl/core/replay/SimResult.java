package io.migctl.core.replay;

import java.util.List;

/**
 * The outcome of one simulation run.
 *
 * @param policy the placement policy's name
 * @param gpus GPUs in the cluster
 * @param jobs jobs finished
 * @param jctMean mean job completion time (arrival to finish), seconds
 * @param jctP50 median job completion time
 * @param jctP99 99th percentile job completion time
 * @param queueMean mean queueing delay (arrival to start), seconds
 * @param queueP50 median queueing delay
 * @param queueP99 99th percentile queueing delay
 * @param sliceUtilisation busy compute-slice-seconds / (compute slices × GPUs × makespan)
 * @param gpuUtilisation GPU-seconds with any job running / (GPUs × makespan)
 * @param makespan time of the last completion, seconds from the trace start
 * @param reconfigurations reshapes applied
 * @param finished per job, in order of job id
 * @param samples the time series
 * @param reshapes every reshape
 * @param events events the simulation processed (arrivals, completions, instances ready)
 * @param fairness the fairness policy's name ({@link Fairness#name()})
 * @param tenants per tenant, by name
 * @param jain Jain's fairness index over the tenants' mean slowdowns ({@link TenantResult#jain})
 */
public record SimResult(
    String policy,
    int gpus,
    int jobs,
    double jctMean,
    double jctP50,
    double jctP99,
    double queueMean,
    double queueP50,
    double queueP99,
    double sliceUtilisation,
    double gpuUtilisation,
    double makespan,
    int reconfigurations,
    List<Finished> finished,
    List<Sample> samples,
    List<Reconfiguration> reshapes,
    long events,
    String fairness,
    List<TenantResult> tenants,
    double jain) {

  public SimResult {
    finished = List.copyOf(finished);
    samples = List.copyOf(samples);
    reshapes = List.copyOf(reshapes);
    tenants = List.copyOf(tenants);
  }

  /** The figures of the gang jobs (whole GPUs, {@link SimJob#isGang()}) alone. */
  public JobGroup gangJobs() {
    return JobGroup.of(finished.stream().filter(f -> f.gpus() > 0).toList());
  }

  /** The figures of the jobs that ran on one slice alone. */
  public JobGroup sliceJobs() {
    return JobGroup.of(finished.stream().filter(f -> f.gpus() == 0).toList());
  }

  /**
   * Figures of one kind of job, so that a report can show gang jobs beside slice jobs: a policy
   * that slices GPUs may serve small jobs well while big ones wait for whole GPUs.
   *
   * @param jobs jobs of the kind finished
   * @param waitMean their mean queueing delay, seconds (0 when there are none)
   * @param jctMean their mean job completion time, seconds
   * @param jctP95 their 95th percentile job completion time, seconds
   */
  public record JobGroup(int jobs, double waitMean, double jctMean, double jctP95) {

    /** The figures of {@code finished}. */
    public static JobGroup of(List<Finished> finished) {
      double[] jct = finished.stream().mapToDouble(Finished::jct).toArray();
      double[] wait = finished.stream().mapToDouble(Finished::queueing).toArray();
      return new JobGroup(
          finished.size(),
          Simulation.mean(wait),
          Simulation.mean(jct),
          Simulation.percentile(jct, 95));
    }
  }

  /**
   * One finished job.
   *
   * @param id job id
   * @param arrival arrival time
   * @param start start time
   * @param finish finish time
   * @param gpu the GPU it ran on
   * @param slices compute slices of its slice
   * @param tenant who submitted it
   * @param duration its running time alone on a whole GPU ({@link SimJob#duration()})
   * @param gpus whole GPUs of a gang job ({@link SimJob#gpus()}), 0 for a slice job; {@code gpu} is
   *     then the lowest of them and {@code slices} counts all of them
   */
  public record Finished(
      int id,
      double arrival,
      double start,
      double finish,
      int gpu,
      int slices,
      String tenant,
      double duration,
      int gpus) {

    /**
     * Jobs shorter than this count as this long in {@link #slowdown()}, so that a few seconds' wait
     * of a one-second job does not outweigh everything else (Feitelson's bounded slowdown).
     */
    public static final double SLOWDOWN_BOUND_SECONDS = 10;

    /**
     * Bounded slowdown: completion time over the job's time alone on a whole GPU (at least {@link
     * #SLOWDOWN_BOUND_SECONDS}), at least 1. It grows with the wait, and with a slice slower than
     * the whole GPU.
     */
    public double slowdown() {
      return Math.max(1, jct() / Math.max(duration, SLOWDOWN_BOUND_SECONDS));
    }

    /** Job completion time. */
    public double jct() {
      return finish - arrival;
    }

    /** Queueing delay. */
    public double queueing() {
      return start - arrival;
    }
  }

  /**
   * The cluster at one sampled instant.
   *
   * @param time seconds from the trace start
   * @param sliceUtilisation busy compute slices / all compute slices
   * @param gpuUtilisation GPUs with any job / GPUs
   * @param queueLength jobs waiting (queued or reserved for an instance being created)
   */
  public record Sample(
      double time, double sliceUtilisation, double gpuUtilisation, int queueLength) {}
}
