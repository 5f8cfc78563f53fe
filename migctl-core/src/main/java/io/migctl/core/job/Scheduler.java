package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which queued job goes to which free MIG device. {@link #decide} is a pure decision over a
 * snapshot; the daemon keeps a {@link IncrementalScheduler} between decisions, which decides the
 * same.
 *
 * <p>Jobs are taken in order: starving jobs first (those that waited longer than {@link
 * Policy#starvationAfter()}), then by priority, then by age. Each takes the best fit: the smallest
 * free device that offers its memory and compute. A job that finds no device waits, and jobs behind
 * it may pass it — but not on a device that a starving job ahead of them could use, so a big job's
 * wait stays bounded once it starves.
 *
 * <p>Jobs without a GPU take no device but one of {@link Policy#cpuJobLimit()} slots; when all are
 * in use they wait like a job that finds no device, and jobs with a GPU pass them.
 *
 * <p>That order holds inside a tenant. Between tenants the node is shared by weighted
 * dominant-resource fairness, and no job is placed past its tenant's limits ({@link TenantRules});
 * see {@link IncrementalScheduler}.
 */
public final class Scheduler {
  private Scheduler() {}

  /**
   * @param starvationAfter how long a job may be passed by jobs behind it
   * @param cpuJobLimit how many jobs without a GPU may hold a slot (starting, running or stopping)
   *     at once; jobs with a GPU are bounded by their devices instead
   * @param allowMigModeSwitch whether a GPU with MIG on and no MIG device held may be turned into a
   *     whole GPU for a job (its idle instances destroyed, MIG turned off: as costly as a reshape;
   *     on Ampere it needs a GPU reset)
   * @param maxReservedGpus how many GPUs, at most, the jobs that wait for whole GPUs may reserve
   *     together; 0 turns reservation off (and big jobs may then starve behind small ones)
   */
  public record Policy(
      Duration starvationAfter, int cpuJobLimit, boolean allowMigModeSwitch, int maxReservedGpus) {

    /** GPUs reserved for jobs waiting for whole GPUs, by default. */
    public static final int DEFAULT_MAX_RESERVED_GPUS = 8;

    /** No limit on jobs without a GPU. */
    public static final int NO_CPU_JOB_LIMIT = Integer.MAX_VALUE;

    /** Ten minutes to starvation, no CPU-job limit (the daemon sets one from the node's cores). */
    public static final Policy DEFAULT = new Policy(Duration.ofMinutes(10));

    public Policy {
      if (starvationAfter.isNegative()) {
        throw new IllegalArgumentException(
            "starvation time must not be negative, was " + starvationAfter);
      }
      if (cpuJobLimit < 1) {
        throw new IllegalArgumentException(
            "the limit on running jobs without a GPU must be at least 1, was " + cpuJobLimit);
      }
      if (maxReservedGpus < 0) {
        throw new IllegalArgumentException(
            "reserved GPUs must not be negative (0 turns reservation off), was " + maxReservedGpus);
      }
    }

    /** No MIG mode switch, {@link #DEFAULT_MAX_RESERVED_GPUS} reserved GPUs. */
    public Policy(Duration starvationAfter, int cpuJobLimit) {
      this(starvationAfter, cpuJobLimit, false, DEFAULT_MAX_RESERVED_GPUS);
    }

    /** A policy without a CPU-job limit. */
    public Policy(Duration starvationAfter) {
      this(starvationAfter, NO_CPU_JOB_LIMIT);
    }

    public Policy withCpuJobLimit(int limit) {
      return new Policy(starvationAfter, limit, allowMigModeSwitch, maxReservedGpus);
    }

    /** This policy with whole GPUs made from idle MIG GPUs allowed or not. */
    public Policy withMigModeSwitch(boolean allow) {
      return new Policy(starvationAfter, cpuJobLimit, allow, maxReservedGpus);
    }

    /** This policy reserving at most {@code gpus} GPUs for waiting gang jobs (0: none). */
    public Policy withMaxReservedGpus(int gpus) {
      return new Policy(starvationAfter, cpuJobLimit, allowMigModeSwitch, gpus);
    }
  }

  /**
   * A job and what it gets: its MIG devices (none for a job without a GPU or one that gets whole
   * GPUs), or its whole GPUs.
   *
   * @param slots the MIG devices, in best-fit order
   * @param gpus the whole GPUs of a gang job
   */
  public record Assignment(long jobId, List<MigSlot> slots, Optional<WholeGpuGrant> gpus) {
    public Assignment {
      slots = List.copyOf(slots);
      if (!slots.isEmpty() && gpus.isPresent()) {
        throw new IllegalArgumentException(
            "job " + jobId + " gets either MIG devices or whole GPUs, not both");
      }
    }

    /** A job and the one device it goes to (empty for a job that needs no GPU). */
    public Assignment(long jobId, Optional<MigSlot> slot) {
      this(jobId, slot.stream().toList(), Optional.empty());
    }

    /** The first (for most jobs the only) MIG device. */
    public Optional<MigSlot> slot() {
      return slots.stream().findFirst();
    }
  }

  /**
   * Whole GPUs given to a gang job, and what the node must do before the job starts.
   *
   * @param choice the GPUs and why they were chosen
   * @param turnMigOff the GPUs among them with MIG on: their idle instances destroyed, MIG turned
   *     off (a reshape; a reset on Ampere)
   * @param instancesToDestroy how many idle GPU instances those GPUs have
   */
  public record WholeGpuGrant(
      TopologyPreference.Choice choice, List<Integer> turnMigOff, int instancesToDestroy) {
    public WholeGpuGrant {
      turnMigOff = List.copyOf(turnMigOff);
    }

    /** The GPUs, in index order. */
    public List<WholeGpu> gpus() {
      return choice.gpus();
    }
  }

  /**
   * @param assignments in the order they were decided
   * @param waiting for each job left in the queue, in decision order, why
   */
  public record Decision(List<Assignment> assignments, Map<Long, WaitingReason> waiting) {
    public Decision {
      assignments = List.copyOf(assignments);
      waiting = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(waiting));
    }
  }

  /** {@link #decide(List, List, List, int, Instant, Policy)} with no job without a GPU running. */
  public static Decision decide(
      List<Job> queued, List<MigSlot> free, List<MigSlot> all, Instant now, Policy policy) {
    return decide(queued, free, all, 0, now, policy);
  }

  /**
   * One decision on a snapshot: a {@link IncrementalScheduler} loaded with the queue, the free
   * devices and the jobs without a GPU that hold a slot.
   *
   * @param queued the queued jobs, in any order
   * @param free the devices no job holds and no foreign process uses
   * @param all every device of the node, to tell "busy" from "does not exist"
   * @param runningWithoutGpu jobs without a GPU that are starting, running or stopping
   */
  public static Decision decide(
      List<Job> queued,
      List<MigSlot> free,
      List<MigSlot> all,
      int runningWithoutGpu,
      Instant now,
      Policy policy) {
    IncrementalScheduler dispatcher = new IncrementalScheduler(policy);
    dispatcher.devices(all, free);
    dispatcher.runningWithoutGpu(runningWithoutGpu);
    return decide(dispatcher, queued, now);
  }

  /**
   * One decision on a snapshot with tenants: a {@link IncrementalScheduler} loaded with the queue,
   * the free devices, the jobs that hold a device or a CPU-job slot, and the tenants' rules.
   *
   * @param active the jobs that are starting, running or stopping: what their tenants hold
   * @param tenants the tenants' weights and limits
   */
  public static Decision decide(
      List<Job> queued,
      List<MigSlot> free,
      List<MigSlot> all,
      List<Job> active,
      TenantRules tenants,
      Instant now,
      Policy policy) {
    IncrementalScheduler dispatcher = new IncrementalScheduler(policy);
    dispatcher.devices(all, free);
    dispatcher.running(active);
    dispatcher.tenants(tenants);
    return decide(dispatcher, queued, now);
  }

  private static Decision decide(IncrementalScheduler dispatcher, List<Job> queued, Instant now) {
    for (Job job : queued) {
      dispatcher.enqueue(job);
    }
    List<Assignment> assignments = dispatcher.decide(now);
    Map<Long, WaitingReason> waiting = new LinkedHashMap<>();
    for (Job job : dispatcher.inOrder()) {
      waiting.put(job.id(), dispatcher.whyWaiting(job));
    }
    return new Decision(assignments, waiting);
  }

  /** Smallest memory first, then fewest compute slices, then GPU and placement order. */
  static final Comparator<MigSlot> BEST_FIT =
      Comparator.comparingLong(MigSlot::memoryMiB)
          .thenComparingInt(MigSlot::computeSlices)
          .thenComparingInt(MigSlot::gpu)
          .thenComparing(MigSlot::placement)
          .thenComparingInt(MigSlot::computeInstanceId);
}
