package io.migctl.core.sim;

import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * migctl's dynamic repartitioning: reshape only idle instances to fit the queue.
 *
 * <p>After every batch of events, GPUs with free room (compute slices not held by a busy or
 * reserved instance) are visited, most free room first. Each GPU takes a share of the queue
 * proportional to its free room (its quota), in arrival order. Two options are scored by the sum of
 * the speeds the assigned jobs get (throughput in whole-GPU units): keep the GPU's free instances
 * as they are, or reshape its free room to any valid set of instances beside the held ones (every
 * multiset of the model's slice profiles that {@code PlacementSearch} can place there); each job
 * goes to the fitting instance where it runs fastest. A reshape must serve the first queued job
 * that could fit the free room (no starving a large job), must beat keeping by {@link
 * Params#gain()}, and is allowed on a GPU at most once per {@link Params#hysteresisSeconds()}
 * unless the queue has grown since its last reshape. Created instances are usable after the
 * reconfiguration time; the jobs chosen for them are reserved. Busy instances are never touched:
 * the engine checks it.
 */
public final class DynamicPolicy implements Policy {

  /**
   * Tuning.
   *
   * @param gain a reshape must score at least {@code (1 + gain)} × keeping
   * @param hysteresisSeconds least time between two reshapes of one GPU unless the queue grew
   * @param minSpeed a job is placed only on a slice where its speed is at least this (relative to
   *     the whole GPU), or on the largest slice it fits; without migration a job keeps its slice
   *     for its whole run, so a very slow slice costs more completion time than the queueing it
   *     saves
   */
  public record Params(double gain, double hysteresisSeconds, double minSpeed) {
    /** Defaults: 10% gain, 30 s, minimum speed 0.45 (tuned on MISO's workload). */
    public static Params defaults() {
      return new Params(0.10, 30, 0.45);
    }
  }

  private final Params params;
  private final Map<List<PlacedInstance>, List<List<PlacedInstance>>> additions = new HashMap<>();
  private double[] lastReshape;
  private int[] queueAtReshape;

  public DynamicPolicy(Params params) {
    this.params = params;
  }

  public DynamicPolicy() {
    this(Params.defaults());
  }

  /** The tuning. */
  public Params params() {
    return params;
  }

  @Override
  public String name() {
    return "dynamic";
  }

  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles) {
    return profiles.layout(List.of(profiles.full().computeSlices()));
  }

  private record Assignment(List<SimJob> jobs, List<Integer> slots, double score) {}

  @Override
  public void schedule(Simulation sim) {
    if (lastReshape == null) {
      lastReshape = new double[sim.gpuCount()];
      Arrays.fill(lastReshape, Double.NEGATIVE_INFINITY);
      queueAtReshape = new int[sim.gpuCount()];
    }
    if (sim.queue().isEmpty()) {
      return;
    }
    int total = sim.config().model().computeSlices();
    List<Integer> order = new ArrayList<>();
    int[] free = new int[sim.gpuCount()];
    int freeSum = 0;
    for (int g = 0; g < sim.gpuCount(); g++) {
      int held = 0;
      for (SimSlot s : sim.slots(g)) {
        held += s.free() ? 0 : s.slices();
      }
      free[g] = total - held;
      if (free[g] > 0) {
        order.add(g);
        freeSum += free[g];
      }
    }
    order.sort(Comparator.comparingInt((Integer g) -> -free[g]).thenComparingInt(g -> g));
    int queueLength = sim.queue().size();
    List<SimJob> remaining = new ArrayList<>(sim.queue());
    for (int g : order) {
      if (remaining.isEmpty()) {
        break;
      }
      int quota = (int) Math.ceil((double) remaining.size() * free[g] / freeSum);
      freeSum -= free[g];
      visit(sim, g, remaining, Math.max(1, quota), queueLength);
    }
  }

  private void visit(Simulation sim, int g, List<SimJob> remaining, int quota, int queueLength) {
    double now = sim.now();
    List<SimSlot> slots = sim.slots(g);
    List<SimSlot> freeSlots = slots.stream().filter(SimSlot::free).toList();
    Assignment keep =
        assign(
            remaining, quota, params.minSpeed(), freeSlots.stream().map(SimSlot::slices).toList());
    boolean reshaping = slots.stream().anyMatch(s -> !s.ready(now));
    boolean allowed =
        !reshaping
            && (now - lastReshape[g] >= params.hysteresisSeconds()
                || queueLength > queueAtReshape[g]);
    List<PlacedInstance> bestLayout = null;
    Assignment best = keep;
    if (allowed) {
      List<PlacedInstance> held =
          slots.stream().filter(s -> !s.free()).map(SimSlot::instance).toList();
      int room = sim.config().model().computeSlices() - (sumSlices(held));
      SimJob head = null;
      for (SimJob j : remaining) {
        if (fitsRoom(j, room, sim.profiles())) {
          head = j;
          break;
        }
      }
      if (head != null) {
        List<List<PlacedInstance>> candidates =
            additions.computeIfAbsent(held, h -> sim.profiles().additions(h));
        Assignment bestNew = null;
        List<PlacedInstance> bestAdd = null;
        for (List<PlacedInstance> add : candidates) {
          Assignment a =
              assign(
                  remaining,
                  quota,
                  params.minSpeed(),
                  add.stream().map(p -> p.profile().computeSlices()).toList());
          if (a.jobs().isEmpty() || a.jobs().get(0) != head) {
            continue;
          }
          if (bestNew == null
              || a.score() > bestNew.score() + 1e-9
              || (Math.abs(a.score() - bestNew.score()) <= 1e-9 && add.size() < bestAdd.size())) {
            bestNew = a;
            bestAdd = add;
          }
        }
        if (bestNew != null && bestNew.score() > keep.score() * (1 + params.gain()) + 1e-9) {
          best = bestNew;
          bestLayout = new ArrayList<>(held);
          bestLayout.addAll(bestAdd);
        }
      }
    }
    List<SimSlot> targets;
    if (bestLayout != null) {
      List<SimSlot> next =
          sim.reshape(
              g,
              SimProfiles.sorted(bestLayout),
              String.format(
                  "queue %d: free room reshaped for jobs %s (score %.2f vs %.2f kept)",
                  queueLength,
                  best.jobs().stream().map(SimJob::id).toList(),
                  best.score(),
                  keep.score()));
      lastReshape[g] = now;
      queueAtReshape[g] = queueLength;
      targets = next.stream().filter(SimSlot::free).toList();
      // re-assign on the actual free slots, so that indices match
      best =
          assign(
              remaining, quota, params.minSpeed(), targets.stream().map(SimSlot::slices).toList());
    } else {
      targets = freeSlots;
    }
    for (int i = 0; i < best.jobs().size(); i++) {
      SimJob j = best.jobs().get(i);
      sim.reserve(j, targets.get(best.slots().get(i)));
      remaining.remove(j);
    }
  }

  private static double maxSpeed(SimJob j) {
    double m = 0;
    for (double v : j.speeds().values()) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static int sumSlices(List<PlacedInstance> held) {
    int n = 0;
    for (PlacedInstance p : held) {
      n += p.profile().computeSlices();
    }
    return n;
  }

  private static boolean fitsRoom(SimJob j, int room, SimProfiles profiles) {
    for (var p : profiles.profiles()) {
      if (p.computeSlices() <= room && j.fits(p.computeSlices())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Assigns up to {@code quota} jobs, in order, each to the unused slot where it runs fastest
   * (ties: the smallest, then the first); jobs that fit none are skipped.
   */
  private static Assignment assign(
      List<SimJob> queue, int quota, double minSpeed, List<Integer> slotSlices) {
    boolean[] used = new boolean[slotSlices.size()];
    List<SimJob> jobs = new ArrayList<>();
    List<Integer> chosen = new ArrayList<>();
    double score = 0;
    for (SimJob j : queue) {
      if (jobs.size() >= quota || jobs.size() == slotSlices.size()) {
        break;
      }
      int best = -1;
      double bestSpeed = 0;
      for (int i = 0; i < slotSlices.size(); i++) {
        if (used[i]) {
          continue;
        }
        double v = j.speed(slotSlices.get(i));
        if (v < minSpeed && v < maxSpeed(j)) {
          continue;
        }
        if (v > bestSpeed
            || (v == bestSpeed && v > 0 && slotSlices.get(i) < slotSlices.get(best))) {
          best = i;
          bestSpeed = v;
        }
      }
      if (best >= 0) {
        used[best] = true;
        jobs.add(j);
        chosen.add(best);
        score += bestSpeed;
      }
    }
    return new Assignment(jobs, chosen, score);
  }
}
