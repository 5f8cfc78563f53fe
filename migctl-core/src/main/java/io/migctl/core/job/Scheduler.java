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
 * snapshot; the daemon keeps a {@link Dispatcher} between decisions, which decides the same.
 *
 * <p>Jobs are taken in order: starving jobs first (those that waited longer than {@link
 * Policy#starvationAfter()}), then by priority, then by age. Each takes the best fit: the smallest
 * free device that offers its memory and compute. A job that finds no device waits, and jobs behind
 * it may pass it — but not on a device that a starving job ahead of them could use, so a big job's
 * wait stays bounded once it starves.
 */
public final class Scheduler {
  private Scheduler() {}

  /**
   * @param starvationAfter how long a job may be passed by jobs behind it
   */
  public record Policy(Duration starvationAfter) {
    public static final Policy DEFAULT = new Policy(Duration.ofMinutes(10));
  }

  /** A job and the device it goes to (empty for a job that needs no GPU). */
  public record Assignment(long jobId, Optional<MigSlot> slot) {}

  /**
   * @param assignments in the order they were decided
   * @param waiting for each job left in the queue, why
   */
  public record Decision(List<Assignment> assignments, Map<Long, String> waiting) {
    public Decision {
      assignments = List.copyOf(assignments);
      waiting = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(waiting));
    }
  }

  /**
   * One decision on a snapshot: a {@link Dispatcher} loaded with the queue and the free devices.
   *
   * @param queued the queued jobs, in any order
   * @param free the devices no job holds and no foreign process uses
   * @param all every device of the node, to tell "busy" from "does not exist"
   */
  public static Decision decide(
      List<Job> queued, List<MigSlot> free, List<MigSlot> all, Instant now, Policy policy) {
    Dispatcher dispatcher = new Dispatcher(policy);
    dispatcher.devices(all, free);
    for (Job job : queued) {
      dispatcher.enqueue(job);
    }
    List<Assignment> assignments = dispatcher.decide(now);
    Map<Long, String> waiting = new LinkedHashMap<>();
    for (Job job : dispatcher.inOrder()) {
      waiting.put(job.id(), dispatcher.whyWaiting(job.requirement().orElseThrow()));
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
