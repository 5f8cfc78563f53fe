package io.migctl.core.job;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Why a queued job was left in the queue, as data: what it asked for, what is free, which limit
 * blocks it. The scheduler decides the first two cases, the daemon's reshaping adds the last two;
 * the API, the command line and the web page turn them into words at the edge.
 */
public sealed interface WaitingReason {

  /**
   * No free MIG device offers what the job needs.
   *
   * @param need what a device must offer
   * @param fittingInUse the devices of the layout that would fit, by profile, every one in use;
   *     empty when no device of the layout offers the need
   * @param freeByProfile the devices free after the decision (none of which fits), by profile
   */
  record NoFreeDevice(
      Requirement need,
      SortedMap<String, Integer> fittingInUse,
      SortedMap<String, Integer> freeByProfile)
      implements WaitingReason {
    public NoFreeDevice {
      Objects.requireNonNull(need, "need");
      fittingInUse = sortedCopy(fittingInUse, "fittingInUse");
      freeByProfile = sortedCopy(freeByProfile, "freeByProfile");
    }

    /** Whether some device of the layout offers the need (then all that do are in use). */
    public boolean layoutOffers() {
      return !fittingInUse.isEmpty();
    }

    /** How many devices of the layout would fit. */
    public int fitting() {
      return fittingInUse.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * A job that asks for whole GPUs waits until that many are free at once (it never holds some
   * while it waits for the rest).
   *
   * @param need what the job asks
   * @param free how many GPUs that match it are free now (fewer than it asks, unless it waits on a
   *     reservation for an earlier gang job or was queued after the decision)
   * @param matching how many GPUs of the node could ever serve it
   * @param reserved the GPUs reserved for it: jobs that would not end before it starts stay off
   *     them
   * @param startBy when, by the timeouts of the jobs on the reserved GPUs, they will all be free;
   *     empty when some job there has no timeout or too few GPUs are reserved
   */
  record NoWholeGpus(
      GpuNeed.WholeGpus need,
      int free,
      int matching,
      java.util.List<Integer> reserved,
      java.util.Optional<java.time.Instant> startBy)
      implements WaitingReason {
    public NoWholeGpus {
      Objects.requireNonNull(need, "need");
      reserved = java.util.List.copyOf(reserved);
      Objects.requireNonNull(startBy, "startBy");
      if (free < 0 || free > matching) {
        throw new IllegalArgumentException(
            "free GPUs lie between 0 and the matching ones, were " + free + " of " + matching);
      }
    }
  }

  /**
   * Every slot for jobs without a GPU is taken.
   *
   * @param inUse jobs without a GPU that are starting, running or stopping (after the decision,
   *     counting those it placed); may exceed the limit when the limit was lowered
   * @param limit the node's limit ({@link Scheduler.Policy#cpuJobLimit()})
   */
  record CpuJobSlots(int inUse, int limit) implements WaitingReason {
    public CpuJobSlots {
      if (inUse < 0 || limit < 1) {
        throw new IllegalArgumentException(
            "CPU-job slots: in use must be at least 0 and the limit at least 1, were "
                + inUse
                + " and "
                + limit);
      }
    }
  }

  /**
   * The driver could not list the devices, so nothing was decided.
   *
   * @param message the driver's error
   */
  record DriverUnavailable(String message) implements WaitingReason {
    public DriverUnavailable {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * No free device fits, and reshaping idle instances of a GPU would make room, but that GPU was
   * reshaped less than the cooldown ago.
   *
   * @param waiting why no device fits now
   * @param gpu the GPU whose reshape would serve the job
   * @param cooldown how long a GPU is left alone after a reshape
   * @param left how much of the cooldown was left when the daemon looked
   */
  record ReshapeCooling(NoFreeDevice waiting, int gpu, Duration cooldown, Duration left)
      implements WaitingReason {
    public ReshapeCooling {
      Objects.requireNonNull(waiting, "waiting");
      requireNotNegative(cooldown, "cooldown");
      requireNotNegative(left, "left");
    }
  }

  /**
   * No free device fits, and the daemon considers reshaping idle instances for the job only once it
   * has waited the minimum wait (so that a device freed a moment later is not worth a reshape).
   *
   * @param waiting why no device fits now
   * @param minimumWait how long a job waits before a reshape is considered for it
   * @param left how much of it was left when the daemon looked
   */
  record ReshapeMinimumWait(NoFreeDevice waiting, Duration minimumWait, Duration left)
      implements WaitingReason {
    public ReshapeMinimumWait {
      Objects.requireNonNull(waiting, "waiting");
      requireNotNegative(minimumWait, "minimumWait");
      requireNotNegative(left, "left");
    }
  }

  /**
   * Running the job would take its tenant past one of its limits; it waits until the tenant's
   * running jobs give back enough (other tenants' jobs are placed meanwhile).
   *
   * @param tenant the job's tenant
   * @param limit which limit
   * @param inUse what the tenant's running jobs hold of it (and jobs placed earlier in the same
   *     round)
   * @param wouldUse what the job would add: the compute slices or memory of the device it would
   *     get, or 1 running job
   * @param max the limit's value
   */
  record QuotaReached(String tenant, QuotaLimit limit, long inUse, long wouldUse, long max)
      implements WaitingReason {
    public QuotaReached {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(limit, "limit");
      if (inUse < 0 || wouldUse < 1 || max < 0 || inUse + wouldUse <= max) {
        throw new IllegalArgumentException(
            "a quota is reached when in use plus what the job would add passes the limit, was "
                + inUse
                + " + "
                + wouldUse
                + " against "
                + max);
      }
    }
  }

  /** The limits of a tenant's quota that a queued job can wait on. */
  enum QuotaLimit {
    /** Compute slices of the tenant's running jobs' devices ({@code --max-slices}). */
    SLICES("max-slices"),
    /** Framebuffer of the tenant's running jobs' devices ({@code --max-gpu-memory}). */
    GPU_MEMORY("max-gpu-memory"),
    /** The tenant's jobs that are starting, running or stopping ({@code --max-running}). */
    RUNNING("max-running");

    private final String option;

    QuotaLimit(String option) {
      this.option = option;
    }

    /** The tenant option that sets it, e.g. {@code max-slices}. */
    public String option() {
      return option;
    }
  }

  private static SortedMap<String, Integer> sortedCopy(Map<String, Integer> counts, String name) {
    Objects.requireNonNull(counts, name);
    counts.forEach(
        (profile, n) -> {
          if (n < 1) {
            throw new IllegalArgumentException(
                name + ": each profile counts at least 1 device, " + profile + " counts " + n);
          }
        });
    return Collections.unmodifiableSortedMap(new TreeMap<>(counts));
  }

  private static void requireNotNegative(Duration d, String name) {
    if (Objects.requireNonNull(d, name).isNegative()) {
      throw new IllegalArgumentException(name + " cannot be negative, was " + d);
    }
  }
}
