package io.migctl.bench.scale;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import io.migctl.core.job.Scheduler.Policy;
import io.migctl.core.job.TenantLoad;
import io.migctl.core.job.WaitingReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's decision as it was first written: sort the queue with a comparator that works out
 * starvation on every comparison, scan every free device for each job's best fit, and describe
 * every waiting job's missing device from the whole layout; between tenants, scan them all for the
 * lowest dominant share before each job. The oracle that {@link Scheduler}'s indexed version must
 * agree with, and the baseline of {@link SchedulerScaleBenchmark}.
 */
public final class StraightforwardScheduler {
  private StraightforwardScheduler() {}

  /** The same contract as {@link Scheduler#decide(List, List, List, Instant, Policy)}. */
  public static Decision decide(
      List<Job> queued, List<MigSlot> free, List<MigSlot> all, Instant now, Policy policy) {
    return decide(queued, free, all, 0, now, policy);
  }

  /** The same contract as {@link Scheduler#decide(List, List, List, int, Instant, Policy)}. */
  public static Decision decide(
      List<Job> queued,
      List<MigSlot> free,
      List<MigSlot> all,
      int runningWithoutGpu,
      Instant now,
      Policy policy) {
    List<Job> order = new ArrayList<>(queued);
    order.sort(order(now, policy));
    List<MigSlot> available = new ArrayList<>(free.stream().filter(s -> !s.foreignBusy()).toList());
    List<Assignment> assignments = new ArrayList<>();
    Map<Long, WaitingReason> waiting = new LinkedHashMap<>();
    List<Long> cpuWaiting = new ArrayList<>();
    Map<Long, Requirement> gpuWaiting = new LinkedHashMap<>();
    int cpuInUse = runningWithoutGpu;
    // Between tenants, each job comes from the one with the lowest dominant share (all weigh 1).
    Map<String, ArrayDeque<Job>> byTenant = new TreeMap<>();
    for (Job job : order) {
      byTenant.computeIfAbsent(job.spec().tenant(), t -> new ArrayDeque<>()).add(job);
    }
    Map<String, TenantLoad> held = new HashMap<>();
    TenantLoad capacity = capacity(all, free);
    while (!byTenant.isEmpty()) {
      String tenant = lowestShare(byTenant, held, capacity);
      Job job = byTenant.get(tenant).poll();
      requireQueued(job);
      boolean placed;
      if (job.requirement().isEmpty()) {
        placed = cpuInUse < policy.cpuJobLimit();
        if (placed) {
          cpuInUse++;
          assignments.add(new Assignment(job.id(), Optional.empty()));
        }
      } else {
        Optional<MigSlot> best =
            available.stream().filter(job.requirement().get()::fits).min(BEST_FIT);
        placed = best.isPresent();
        if (placed) {
          available.remove(best.get());
          assignments.add(new Assignment(job.id(), best));
          held.merge(
              tenant,
              TenantLoad.ofDevice(best.get().computeSlices(), best.get().memoryMiB()),
              TenantLoad::plus);
        }
      }
      if (!placed) {
        // Nothing freed this round: the tenant's other jobs of the same need wait too, and no
        // longer stand for the tenant when shares tie.
        List<Job> same = new ArrayList<>(List.of(job));
        byTenant
            .get(tenant)
            .removeIf(j -> j.requirement().equals(job.requirement()) && same.add(j));
        for (Job w : same) {
          requireQueued(w);
          waiting.put(w.id(), null); // known once every job is decided
          if (w.requirement().isEmpty()) {
            cpuWaiting.add(w.id());
          } else {
            gpuWaiting.put(w.id(), w.requirement().get());
          }
        }
      }
      if (byTenant.get(tenant).isEmpty()) {
        byTenant.remove(tenant);
      }
    }
    gpuWaiting.forEach((id, need) -> waiting.put(id, whyNoDevice(need, all, available)));
    WaitingReason slots = new WaitingReason.CpuJobSlots(cpuInUse, policy.cpuJobLimit());
    cpuWaiting.forEach(id -> waiting.put(id, slots));
    return new Decision(assignments, nextOffered(order, waiting, held, capacity));
  }

  /**
   * The waiting jobs in the order the next decision would offer them devices, each taking its need:
   * tenants by dominant share of what they hold and what they would take before, then by whose next
   * job is older, then by name.
   */
  private static Map<Long, WaitingReason> nextOffered(
      List<Job> order,
      Map<Long, WaitingReason> waiting,
      Map<String, TenantLoad> held,
      TenantLoad capacity) {
    Map<String, ArrayDeque<Job>> byTenant = new TreeMap<>();
    for (Job job : order) {
      if (waiting.containsKey(job.id())) {
        byTenant.computeIfAbsent(job.spec().tenant(), t -> new ArrayDeque<>()).add(job);
      }
    }
    Map<String, TenantLoad> load = new HashMap<>(held);
    Map<Long, WaitingReason> out = new LinkedHashMap<>();
    while (!byTenant.isEmpty()) {
      String tenant = lowestShare(byTenant, load, capacity);
      Job job = byTenant.get(tenant).poll();
      if (byTenant.get(tenant).isEmpty()) {
        byTenant.remove(tenant);
      }
      out.put(job.id(), waiting.get(job.id()));
      load.merge(tenant, TenantLoad.atLeast(job.requirement()), TenantLoad::plus);
    }
    return out;
  }

  private static void requireQueued(Job job) {
    if (job.state() != JobState.QUEUED) {
      throw new IllegalArgumentException(
          "job " + job.id() + " is " + job.state().wireName() + ", not queued");
    }
  }

  /** Lowest share; equal shares to the tenant whose next job is older, then by name. */
  private static String lowestShare(
      Map<String, ArrayDeque<Job>> byTenant, Map<String, TenantLoad> load, TenantLoad capacity) {
    return byTenant.keySet().stream()
        .min(
            Comparator.comparingDouble(
                    (String t) -> load.getOrDefault(t, TenantLoad.ZERO).dominantShareOf(capacity))
                .thenComparing(
                    t -> byTenant.get(t).peek(),
                    Comparator.comparing(Job::submittedAt).thenComparingLong(Job::id)))
        .orElseThrow();
  }

  private static final Comparator<MigSlot> BEST_FIT =
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

  /** The compute slices and memory of every device of the layout. */
  private static TenantLoad capacity(List<MigSlot> all, List<MigSlot> free) {
    Map<String, MigSlot> layout = new HashMap<>();
    all.forEach(d -> layout.put(d.uuid(), d));
    free.forEach(d -> layout.putIfAbsent(d.uuid(), d));
    TenantLoad sum = TenantLoad.ZERO;
    for (MigSlot d : layout.values()) {
      sum = sum.plus(new TenantLoad(d.computeSlices(), d.memoryMiB(), 0));
    }
    return sum;
  }

  private static WaitingReason.NoFreeDevice whyNoDevice(
      Requirement need, List<MigSlot> all, List<MigSlot> free) {
    return new WaitingReason.NoFreeDevice(
        need, byProfile(all.stream().filter(need::fits).toList()), byProfile(free));
  }

  private static TreeMap<String, Integer> byProfile(List<MigSlot> slots) {
    TreeMap<String, Integer> out = new TreeMap<>();
    for (MigSlot s : slots) {
      out.merge(s.profile(), 1, Integer::sum);
    }
    return out;
  }
}
