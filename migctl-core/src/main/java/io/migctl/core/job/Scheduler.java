package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
    List<Job> order = order(queued, now, policy);
    FreeSlots available = new FreeSlots(free);
    List<Assignment> assignments = new ArrayList<>();
    Map<Long, String> waiting = new LinkedHashMap<>();
    // The reason depends only on the need and the layout: worked out once per distinct need.
    Map<Requirement, String> reasons = new HashMap<>();
    Layout layout = new Layout(all);
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
      MigSlot best = available.takeBestFit(need);
      if (best != null) {
        assignments.add(new Assignment(job.id(), Optional.of(best)));
      } else {
        waiting.put(job.id(), reasons.computeIfAbsent(need, layout::whyNoDevice));
      }
    }
    return new Decision(assignments, waiting);
  }

  /**
   * The free devices no foreign process uses, grouped by shape (memory and compute). Shapes are few
   * — a handful of profiles per GPU model — so the best fit is the first device of the first shape,
   * in {@link #BEST_FIT} order, that offers the need: the same device a scan of every free device
   * for the {@link #BEST_FIT} minimum finds, ties going to the earlier device in {@code free}.
   */
  private static final class FreeSlots {
    /** Shapes by memory, then compute; each holds its devices in {@link #BEST_FIT} order. */
    private final List<Shape> shapes = new ArrayList<>();

    private int left;

    FreeSlots(List<MigSlot> free) {
      TreeMap<Long, TreeMap<Integer, List<MigSlot>>> byShape = new TreeMap<>();
      for (MigSlot s : free) {
        if (s.foreignBusy()) {
          continue;
        }
        byShape
            .computeIfAbsent(s.memoryMiB(), m -> new TreeMap<>())
            .computeIfAbsent(s.computeSlices(), c -> new ArrayList<>())
            .add(s);
        left++;
      }
      byShape.forEach(
          (memory, byCompute) ->
              byCompute.forEach(
                  (compute, slots) -> {
                    // A stable sort: devices that tie under BEST_FIT keep their order in free.
                    slots.sort(BEST_FIT);
                    shapes.add(new Shape(memory, compute, slots));
                  }));
    }

    /** Removes and returns the best fit for {@code need}, or null when no free device fits. */
    MigSlot takeBestFit(Requirement need) {
      if (left == 0) {
        return null;
      }
      for (Shape shape : shapes) {
        if (shape.next < shape.slots.size()
            && shape.memoryMiB >= need.memoryMiB()
            && shape.computeSlices >= need.computeSlices()) {
          left--;
          return shape.slots.get(shape.next++);
        }
      }
      return null;
    }

    private static final class Shape {
      final long memoryMiB;
      final int computeSlices;
      final List<MigSlot> slots;
      int next;

      Shape(long memoryMiB, int computeSlices, List<MigSlot> slots) {
        this.memoryMiB = memoryMiB;
        this.computeSlices = computeSlices;
        this.slots = slots;
      }
    }
  }

  /** Smallest memory first, then fewest compute slices, then GPU and placement order. */
  static final Comparator<MigSlot> BEST_FIT =
      Comparator.comparingLong(MigSlot::memoryMiB)
          .thenComparingInt(MigSlot::computeSlices)
          .thenComparingInt(MigSlot::gpu)
          .thenComparing(MigSlot::placement)
          .thenComparingInt(MigSlot::computeInstanceId);

  /**
   * The queue in decision order: starving jobs first, then by priority (highest first), then by
   * age, then by id. Whether a job starves is worked out once per job, not once per comparison.
   */
  private static List<Job> order(List<Job> queued, Instant now, Policy policy) {
    List<Ranked> ranked = new ArrayList<>(queued.size());
    for (Job j : queued) {
      boolean starving =
          Duration.between(j.submittedAt(), now).compareTo(policy.starvationAfter()) >= 0;
      ranked.add(new Ranked(j, starving ? 0 : 1, j.spec().priority()));
    }
    ranked.sort(RANK);
    List<Job> order = new ArrayList<>(ranked.size());
    for (Ranked r : ranked) {
      order.add(r.job());
    }
    return order;
  }

  private record Ranked(Job job, int starving, int priority) {}

  private static final Comparator<Ranked> RANK =
      (a, b) -> {
        int c = Integer.compare(a.starving(), b.starving());
        if (c != 0) {
          return c;
        }
        c = Integer.compare(b.priority(), a.priority());
        if (c != 0) {
          return c;
        }
        c = a.job().submittedAt().compareTo(b.job().submittedAt());
        return c != 0 ? c : Long.compare(a.job().id(), b.job().id());
      };

  /**
   * Every device of the node counted by shape and profile, built on first use: a waiting job's
   * reason then sums a few shapes instead of scanning every device.
   */
  private static final class Layout {
    private final List<MigSlot> all;
    private Map<Long, Map<Integer, Map<String, Integer>>> byShape;

    Layout(List<MigSlot> all) {
      this.all = all;
    }

    String whyNoDevice(Requirement need) {
      if (byShape == null) {
        byShape = new HashMap<>();
        for (MigSlot s : all) {
          byShape
              .computeIfAbsent(s.memoryMiB(), m -> new HashMap<>())
              .computeIfAbsent(s.computeSlices(), c -> new HashMap<>())
              .merge(s.profile(), 1, Integer::sum);
        }
      }
      Map<String, Integer> byProfile = new TreeMap<>();
      byShape.forEach(
          (memory, byCompute) ->
              byCompute.forEach(
                  (compute, profiles) -> {
                    if (memory >= need.memoryMiB() && compute >= need.computeSlices()) {
                      profiles.forEach((p, n) -> byProfile.merge(p, n, Integer::sum));
                    }
                  }));
      return Scheduler.whyNoDevice(need, byProfile);
    }
  }

  /**
   * @param byProfile how many devices of each profile offer the need
   */
  private static String whyNoDevice(Requirement need, Map<String, Integer> byProfile) {
    int fitting = 0;
    for (int n : byProfile.values()) {
      fitting += n;
    }
    if (fitting == 0) {
      return "no MIG device in the current layout offers "
          + need
          + "; apply a layout with a large enough instance";
    }
    List<String> parts = new ArrayList<>();
    byProfile.forEach((p, n) -> parts.add(n + " × " + p));
    return "all "
        + fitting
        + " device"
        + (fitting == 1 ? "" : "s")
        + " that fit ("
        + String.join(", ", parts)
        + ") are in use";
  }
}
