package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which queued job goes to which free MIG device. A pure decision over a snapshot.
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
   * @param queued the queued jobs, in any order
   * @param free the devices no job holds and no foreign process uses
   * @param all every device of the node, to tell "busy" from "does not exist"
   */
  public static Decision decide(
      List<Job> queued, List<MigSlot> free, List<MigSlot> all, Instant now, Policy policy) {
    List<Job> order = new ArrayList<>(queued);
    order.sort(order(now, policy));
    List<MigSlot> available = new ArrayList<>(free.stream().filter(s -> !s.foreignBusy()).toList());
    List<Assignment> assignments = new ArrayList<>();
    Map<Long, String> waiting = new LinkedHashMap<>();
    for (Job job : order) {
      if (job.state() != JobState.QUEUED) {
        throw new IllegalArgumentException(
            "job " + job.id() + " is " + job.state().wireName() + ", not queued");
      }
      if (job.requirement().isEmpty()) {
        assignments.add(new Assignment(job.id(), Optional.empty()));
        continue;
      }
      Requirement need = job.requirement().get();
      Optional<MigSlot> best = available.stream().filter(need::fits).min(BEST_FIT);
      if (best.isPresent()) {
        available.remove(best.get());
        assignments.add(new Assignment(job.id(), best));
      } else {
        waiting.put(job.id(), whyNoDevice(need, all));
      }
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

  private static Comparator<Job> order(Instant now, Policy policy) {
    return Comparator.<Job>comparingInt(
            j ->
                Duration.between(j.submittedAt(), now).compareTo(policy.starvationAfter()) >= 0
                    ? 0
                    : 1)
        .thenComparing(Comparator.comparingInt((Job j) -> j.spec().priority()).reversed())
        .thenComparing(Job::submittedAt)
        .thenComparingLong(Job::id);
  }

  private static String whyNoDevice(Requirement need, List<MigSlot> all) {
    List<MigSlot> fitting = all.stream().filter(need::fits).toList();
    if (fitting.isEmpty()) {
      return "no MIG device in the current layout offers "
          + need
          + "; apply a layout with a large enough instance";
    }
    Map<String, Integer> byProfile = new TreeMap<>();
    for (MigSlot s : fitting) {
      byProfile.merge(s.profile(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    byProfile.forEach((p, n) -> parts.add(n + " × " + p));
    return "all "
        + fitting.size()
        + " device"
        + (fitting.size() == 1 ? "" : "s")
        + " that fit ("
        + String.join(", ", parts)
        + ") are in use";
  }
}
