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
   * @param moveGain a repartitioning that moves running checkpointable jobs must score at least
   *     {@code (1 + moveGain)} × the current partition; infinite: never move a running job
   */
  public record Params(double gain, double hysteresisSeconds, double minSpeed, double moveGain) {

    /** Default {@link #moveGain()}. */
    public static final double DEFAULT_MOVE_GAIN = 0.5;

    /** Moving running checkpointable jobs with the default {@link #moveGain()}. */
    public Params(double gain, double hysteresisSeconds, double minSpeed) {
      this(gain, hysteresisSeconds, minSpeed, DEFAULT_MOVE_GAIN);
    }

    /** Whether running checkpointable jobs may be moved. */
    public boolean migrate() {
      return Double.isFinite(moveGain);
    }

    /** Defaults: 10% gain, 30 s, minimum speed 0.45, move gain 0.5 (tuned on MISO's workload). */
    public static Params defaults() {
      return new Params(0.10, 30, 0.45, DEFAULT_MOVE_GAIN);
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
    if (params.migrate()) {
      for (int g = 0; g < sim.gpuCount(); g++) {
        migrate(sim, g);
      }
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

  /**
   * MISO-style repartitioning of a whole GPU that runs checkpointable jobs: every partition that
   * keeps the GPU's held instances (reserved ones and those of jobs that cannot move) is scored by
   * the sum of the speeds of the jobs it would run, the running checkpointable ones (which must all
   * get an instance) and the head of the queue. A job that stays on its instance counts at its
   * speed there; a moved one at its mean speed over the rest of its run including the pause
   * (remaining work / (pause + remaining work / new speed)), so a move pays only when enough work
   * is left. The best partition is applied when it moves some job and beats the current one by
   * {@link Params#moveGain()}, at most once per {@link Params#hysteresisSeconds()} per GPU.
   */
  private void migrate(Simulation sim, int g) {
    double now = sim.now();
    List<SimSlot> slots = sim.slots(g);
    if (slots.stream().anyMatch(s -> !s.ready(now))
        || now - lastReshape[g] < params.hysteresisSeconds()) {
      return;
    }
    List<SimSlot> movable = new ArrayList<>();
    List<PlacedInstance> fixed = new ArrayList<>();
    List<SimSlot> freeSlots = new ArrayList<>();
    for (SimSlot s : slots) {
      if (s.busy() && s.job().checkpointable()) {
        movable.add(s);
      } else if (!s.free()) {
        fixed.add(s.instance());
      } else {
        freeSlots.add(s);
      }
    }
    if (movable.isEmpty()) {
      return;
    }
    List<SimJob> queue = sim.queue();
    double keepScore = 0;
    for (SimSlot s : movable) {
      keepScore += s.job().speed(s.slices());
    }
    keepScore +=
        assign(
                queue,
                freeSlots.size(),
                params.minSpeed(),
                freeSlots.stream().map(SimSlot::slices).toList())
            .score();
    double[] work = new double[movable.size()];
    for (int i = 0; i < movable.size(); i++) {
      work[i] = sim.remainingWork(movable.get(i));
    }
    Integer[] byWork = new Integer[movable.size()];
    for (int i = 0; i < byWork.length; i++) {
      byWork[i] = i;
    }
    Arrays.sort(byWork, Comparator.comparingDouble((Integer i) -> -work[i]));
    double pause = sim.config().checkpointSeconds();
    double created = sim.config().reconfigSeconds();
    List<List<PlacedInstance>> candidates =
        additions.computeIfAbsent(List.copyOf(fixed), h -> sim.profiles().additions(h));
    double bestScore = keepScore * (1 + params.moveGain()) + 1e-9;
    List<PlacedInstance> bestAdd = null;
    PlacedInstance[] bestTo = null;
    for (List<PlacedInstance> add : candidates) {
      boolean[] used = new boolean[add.size()];
      PlacedInstance[] to = new PlacedInstance[movable.size()];
      double score = 0;
      boolean moves = false;
      boolean ok = true;
      boolean destroysVacated = false;
      for (SimSlot m : movable) {
        destroysVacated |= !add.contains(m.instance());
      }
      for (int i : byWork) {
        SimSlot from = movable.get(i);
        SimJob j = from.job();
        int best = -1;
        double bestV = 0;
        for (int k = 0; k < add.size(); k++) {
          if (used[k] || !j.fits(add.get(k).profile().computeSlices())) {
            continue;
          }
          PlacedInstance p = add.get(k);
          double v = j.speed(p.profile().computeSlices());
          if (!p.equals(from.instance())) {
            boolean exists = slots.stream().anyMatch(s -> s.instance().equals(p));
            double wait = pause + (!exists && destroysVacated ? created : 0);
            v = work[i] / (wait + work[i] / v);
          }
          if (v > bestV) {
            best = k;
            bestV = v;
          }
        }
        if (best < 0) {
          ok = false;
          break;
        }
        used[best] = true;
        to[i] = add.get(best);
        moves |= !to[i].equals(from.instance());
        score += bestV;
      }
      if (!ok || !moves) {
        continue;
      }
      List<Integer> rest = new ArrayList<>();
      for (int k = 0; k < add.size(); k++) {
        if (!used[k]) {
          rest.add(add.get(k).profile().computeSlices());
        }
      }
      Assignment q = assign(queue, rest.size(), params.minSpeed(), rest);
      score += q.score();
      if (score > bestScore) {
        bestScore = score;
        bestAdd = add;
        bestTo = to;
      }
    }
    if (bestAdd == null) {
      return;
    }
    Map<SimJob, PlacedInstance> moves = new java.util.LinkedHashMap<>();
    for (int i = 0; i < movable.size(); i++) {
      if (!bestTo[i].equals(movable.get(i).instance())) {
        moves.put(movable.get(i).job(), bestTo[i]);
      }
    }
    List<PlacedInstance> layout = new ArrayList<>(fixed);
    layout.addAll(bestAdd);
    List<SimSlot> next =
        sim.reshape(
            g,
            SimProfiles.sorted(layout),
            moves,
            String.format(
                "queue %d: moved jobs %s (score %.2f vs %.2f kept)",
                queue.size(),
                moves.keySet().stream().map(SimJob::id).toList(),
                bestScore,
                keepScore));
    lastReshape[g] = now;
    queueAtReshape[g] = queue.size();
    List<SimSlot> targets = next.stream().filter(SimSlot::free).toList();
    Assignment q =
        assign(
            List.copyOf(sim.queue()),
            targets.size(),
            params.minSpeed(),
            targets.stream().map(SimSlot::slices).toList());
    for (int i = 0; i < q.jobs().size(); i++) {
      sim.reserve(q.jobs().get(i), targets.get(q.slots().get(i)));
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
