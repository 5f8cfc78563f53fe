package io.migctl.core.replay;

import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.tenant.Tenant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One job of a trace: when it arrives, how long it runs on a whole GPU, and how fast it runs on
 * each MIG slice size relative to the whole GPU.
 *
 * @param id the job's number in the trace
 * @param arrival arrival time in seconds from the trace start
 * @param duration running time on a whole GPU (the full-GPU profile, speed 1.0), in seconds
 * @param speeds speed by compute slices of the slice (e.g. 3 → 0.63 for a 3g slice), relative to
 *     the whole GPU; a slice size without a value does not fit the job
 * @param checkpointable whether the job can be checkpointed and restarted elsewhere, so that a
 *     policy may move it while it runs (paying {@link Simulation.Config#checkpointSeconds()})
 * @param tenant who submitted it (a {@link Tenant} name); {@link #DEFAULT_TENANT} when the trace
 *     names no one, so a trace without tenants is one tenant's
 * @param gpus whole GPUs the job needs at once (a gang job, see {@link #gang}), or 0 for a job that
 *     runs on one slice
 */
public record SimJob(
    int id,
    double arrival,
    double duration,
    Map<Integer, Double> speeds,
    boolean checkpointable,
    String tenant,
    int gpus) {

  /** The tenant of a job whose trace names none: the daemon's default tenant. */
  public static final String DEFAULT_TENANT = JobSpec.DEFAULT_TENANT;

  /** A job on one slice. */
  public SimJob(
      int id,
      double arrival,
      double duration,
      Map<Integer, Double> speeds,
      boolean checkpointable,
      String tenant) {
    this(id, arrival, duration, speeds, checkpointable, tenant, 0);
  }

  /** A job of the default tenant. */
  public SimJob(
      int id,
      double arrival,
      double duration,
      Map<Integer, Double> speeds,
      boolean checkpointable) {
    this(id, arrival, duration, speeds, checkpointable, DEFAULT_TENANT);
  }

  /** A job of the default tenant that cannot be moved while it runs. */
  public SimJob(int id, double arrival, double duration, Map<Integer, Double> speeds) {
    this(id, arrival, duration, speeds, false);
  }

  /** This job, checkpointable or not. */
  public SimJob withCheckpointable(boolean value) {
    return new SimJob(id, arrival, duration, speeds, value, tenant, gpus);
  }

  /**
   * This job, submitted by {@code name}.
   *
   * @throws io.migctl.core.tenant.TenantSpecException when {@code name} is not a tenant name
   */
  public SimJob withTenant(String name) {
    return new SimJob(id, arrival, duration, speeds, checkpointable, name, gpus);
  }

  /** This job, arriving at {@code seconds} instead. */
  public SimJob withArrival(double seconds) {
    return new SimJob(id, seconds, duration, speeds, checkpointable, tenant, gpus);
  }

  public SimJob {
    tenant = tenant == null ? DEFAULT_TENANT : Tenant.named(tenant).name();
    if (arrival < 0 || duration <= 0 || Double.isNaN(arrival) || Double.isNaN(duration)) {
      throw new IllegalArgumentException(
          "job "
              + id
              + ": arrival must be >= 0 and duration > 0, was "
              + arrival
              + ", "
              + duration);
    }
    for (Map.Entry<Integer, Double> e : speeds.entrySet()) {
      if (!(e.getValue() > 0)) {
        throw new IllegalArgumentException(
            "job " + id + ": speed on " + e.getKey() + "g must be > 0, was " + e.getValue());
      }
    }
    speeds = Map.copyOf(new TreeMap<>(speeds));
    if (gpus < 0) {
      throw new IllegalArgumentException("job " + id + ": gpus must be >= 0, was " + gpus);
    }
    if (gpus > 0 && (speeds.size() != 1 || checkpointable)) {
      throw new IllegalArgumentException(
          "job "
              + id
              + ": a gang job runs on whole GPUs only (one slice size, the full GPU's) and"
              + " cannot be moved, was "
              + speeds
              + (checkpointable ? ", checkpointable" : ""));
    }
  }

  /**
   * A gang job: it needs {@code gpus} whole GPUs at once (each a GPU whose only instance is the
   * full-GPU profile, as a GPU with MIG off is), all started together and released together; it
   * never holds some of them while waiting for the rest. Alibaba's pods with {@code num_gpu > 1},
   * and those with {@code num_gpu == 1} and a whole GPU ({@code gpu_milli == 1000}).
   */
  public static SimJob gang(int id, double arrival, double duration, int gpus, GpuModel model) {
    if (gpus < 1) {
      throw new IllegalArgumentException("job " + id + ": a gang job needs >= 1 GPU, was " + gpus);
    }
    int full = SimProfiles.of(model).full().computeSlices();
    return new SimJob(id, arrival, duration, Map.of(full, 1.0), false, DEFAULT_TENANT, gpus);
  }

  /** Whether the job needs whole GPUs ({@link #gpus()} >= 1) rather than a slice. */
  public boolean isGang() {
    return gpus > 0;
  }

  /**
   * Whether the job needs more than one whole GPU at once: it is started on all of them together
   * ({@link Simulation#startGang}), never on one slice.
   */
  public boolean isMultiGpu() {
    return gpus > 1;
  }

  /** Whole GPUs the job occupies while it runs: {@link #gpus()}, at least 1. */
  public int wholeGpus() {
    return Math.max(1, gpus);
  }

  /** The job's speed on a slice of {@code computeSlices}, or 0 when it does not fit there. */
  public double speed(int computeSlices) {
    Double s = speeds.get(computeSlices);
    return s == null ? 0 : s;
  }

  /** The fewest compute slices the job fits, or 0 when it fits none. */
  public int smallestFit() {
    return speeds.isEmpty() ? 0 : Collections.min(speeds.keySet());
  }

  /** Whether the job fits a slice of {@code computeSlices}. */
  public boolean fits(int computeSlices) {
    return speeds.containsKey(computeSlices);
  }

  /** Running time on a slice of {@code computeSlices}: duration / speed. */
  public double runTime(int computeSlices) {
    double s = speed(computeSlices);
    if (s <= 0) {
      throw new IllegalArgumentException("job " + id + " does not fit a " + computeSlices + "g");
    }
    return duration / s;
  }

  /**
   * A job that asks for a fraction of one GPU (Alibaba's {@code gpu_milli} / 1000, or the plain
   * CSV's {@code need}): it fits every slice profile of {@code model} whose compute slices and
   * memory are both at least {@code need} of the whole GPU's (the full-GPU profile's memory counts
   * as 1), and it runs there at its trace speed (speed 1.0), since it was only ever given that
   * fraction.
   */
  public static SimJob fractional(
      int id, double arrival, double duration, double need, GpuModel model) {
    if (!(need > 0) || need > 1) {
      throw new IllegalArgumentException("job " + id + ": need must be in (0, 1], was " + need);
    }
    Map<Integer, Double> speeds = new TreeMap<>();
    long fullMemory = SimProfiles.of(model).full().memoryMiB();
    for (GpuInstanceProfile p : SimProfiles.of(model).profiles()) {
      double compute = (double) p.computeSlices() / model.computeSlices();
      double memory = (double) p.memoryMiB() / fullMemory;
      if (compute >= need - 1e-9 && memory >= need - 1e-9) {
        speeds.put(p.computeSlices(), 1.0);
      }
    }
    return new SimJob(id, arrival, duration, speeds);
  }
}
