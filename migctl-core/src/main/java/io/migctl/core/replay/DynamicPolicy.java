package io.migctl.core.replay;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.plan.Repartitioner;
import io.migctl.core.plan.ReshapeGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * migctl's dynamic repartitioning: reshape only idle instances to fit the queue.
 *
 * <p>After every batch of events, the GPUs and the queue are handed to {@link Repartitioner#plan},
 * the decision meant for the node daemon too: GPUs with free room (compute slices not held by a
 * busy or reserved instance) are visited, most free room first, each for a share of the queue, and
 * either keep their idle instances or reshape their free room (keeping some idle instances,
 * destroying the others, creating new ones) when that serves the first queued job that could fit
 * there and beats keeping by the gain. Jobs map to demands by compute slices ({@link
 * SimJob#speed(int)}); the layouts use the simulation's profiles ({@link SimProfiles}). When a GPU
 * may be reshaped is decided by the {@link ReshapeGate} the node daemon runs: a job is offered for
 * a reshape once it has waited the gate's minimum wait (before that only idle instances take it, as
 * the daemon's scheduler would place it on a free device), and idle instances of a GPU are
 * destroyed at most once per cooldown unless the queue has grown since its last reshape; nothing of
 * a GPU is destroyed while instances of it are being created. Created instances are usable after
 * the reconfiguration time; the jobs chosen for them are reserved. Busy instances are never
 * touched: the engine checks it. With {@link Params#migrate()}, running checkpointable jobs may
 * also be moved (simulation only: the daemon cannot checkpoint jobs).
 */
public final class DynamicPolicy implements Policy {

  /**
   * Tuning.
   *
   * @param gain a reshape of idle room must score more than keeping by more than {@code gain} ×
   *     what it puts at stake ({@link Repartitioner.Params#gain()})
   * @param gate when a GPU may be reshaped ({@link ReshapeGate}, the daemon's rule)
   * @param minSpeed a job is placed only on a slice where its speed is at least this (relative to
   *     the whole GPU), or on the largest slice it fits; without migration a job keeps its slice
   *     for its whole run, so a very slow slice costs more completion time than the queueing it
   *     saves
   * @param moveGain a repartitioning that moves running checkpointable jobs must score at least
   *     {@code (1 + moveGain)} × the current partition; infinite: never move a running job
   */
  public record Params(double gain, ReshapeGate.Params gate, double minSpeed, double moveGain) {

    /** Default {@link #moveGain()}. */
    public static final double DEFAULT_MOVE_GAIN = 0.5;

    /** Moving running checkpointable jobs with the default {@link #moveGain()}. */
    public Params(double gain, ReshapeGate.Params gate, double minSpeed) {
      this(gain, gate, minSpeed, DEFAULT_MOVE_GAIN);
    }

    /** Whether running checkpointable jobs may be moved. */
    public boolean migrate() {
      return Double.isFinite(moveGain);
    }

    /**
     * Defaults: 10% gain, the gate's defaults, minimum speed 0.45, move gain 0.5 (tuned on MISO's
     * workload).
     */
    public static Params defaults() {
      return new Params(0.10, ReshapeGate.Params.DEFAULTS, 0.45, DEFAULT_MOVE_GAIN);
    }
  }

  private final Params params;
  private final List<List<Integer>> start;
  private final Repartitioner repartitioner;
  private ReshapeGate gate;

  public DynamicPolicy(Params params) {
    this(params, List.of());
  }

  /**
   * Dynamic from a layout of each GPU (slice sizes, GPU by GPU), e.g. the best static mix, instead
   * of every GPU whole.
   */
  public static DynamicPolicy startingFrom(Params params, List<List<Integer>> perGpu) {
    if (perGpu.isEmpty()) {
      throw new IllegalArgumentException("a starting layout needs at least one GPU's");
    }
    return new DynamicPolicy(params, perGpu);
  }

  private DynamicPolicy(Params params, List<List<Integer>> start) {
    this.params = params;
    this.start = start.stream().map(List::copyOf).toList();
    this.repartitioner =
        new Repartitioner(
            new Repartitioner.Params(params.gain(), params.minSpeed()),
            model -> SimProfiles.of(model).profiles());
  }

  public DynamicPolicy() {
    this(Params.defaults());
  }

  /** The tuning. */
  public Params params() {
    return params;
  }

  /** A new policy with the same parameters: this one keeps state between calls. */
  @Override
  public Policy fresh() {
    return new DynamicPolicy(params, start);
  }

  @Override
  public String name() {
    return start.isEmpty() ? "dynamic" : "dynamic from best static";
  }

  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles) {
    return profiles.layout(List.of(profiles.full().computeSlices()));
  }

  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles, int gpu) {
    return start.isEmpty()
        ? initialLayout(profiles)
        : profiles.layout(start.get(gpu % start.size()));
  }

  @Override
  public void schedule(Simulation sim) {
    if (gate == null) {
      gate = ReshapeGate.open(params.gate());
    }
    if (params.migrate()) {
      for (int g = 0; g < sim.gpuCount(); g++) {
        migrate(sim, g);
      }
    }
    if (sim.queue().isEmpty()) {
      return;
    }
    Instant now = instant(sim.now());
    int queueLength = sim.queue().size();
    placeGangs(sim, now, queueLength);
    List<SimJob> waited = new ArrayList<>();
    List<SimJob> young = new ArrayList<>();
    for (SimJob j : sliceQueue(sim)) {
      Optional<Duration> left = gate.jobWaitLeft(instant(j.arrival()), now);
      (left.isEmpty() ? waited : young).add(j);
      left.ifPresent(l -> sim.wakeAt(seconds(now.plus(l))));
    }
    // The jobs past their minimum wait first, in queue order, as the daemon offers them.
    for (Repartitioner.Decision d :
        repartitioner.plan(gpus(sim, now, queueLength), demands(waited))) {
      int g = d.gpu();
      List<SimSlot> targets = sim.slots(g);
      if (d.reshapes()) {
        targets = sim.reshape(g, d.layout(), d.reason());
        gate = gate.reshaped(g, now, queueLength);
      }
      reserve(sim, waited, d.assigned(), targets);
    }
    if (young.isEmpty()) {
      return;
    }
    // The others take idle instances only, as the daemon's scheduler places a job on a free device.
    for (Repartitioner.Decision d :
        repartitioner.plan(gpus(sim, now, queueLength), demands(young))) {
      if (!d.reshapes()) {
        reserve(sim, young, d.assigned(), sim.slots(d.gpu()));
      }
    }
  }

  /**
   * Multi-GPU jobs, in queue order: each starts (or is reserved) on whole GPUs when enough are free
   * or may become whole now: idle whole GPUs first, then GPUs with only idle instances that the
   * gate lets reshape, reshaped back to the one full instance (a reshape like any other, paying the
   * reconfiguration time). A job for which there are not enough waits without holding any GPU.
   */
  private void placeGangs(Simulation sim, Instant now, int queueLength) {
    List<PlacedInstance> whole =
        sim.profiles().layout(List.of(sim.profiles().full().computeSlices()));
    for (SimJob job : List.copyOf(sim.queue())) {
      if (!job.isMultiGpu()) {
        continue;
      }
      List<SimSlot> chosen = new ArrayList<>(StaticPolicy.freeWholeGpus(sim));
      List<Integer> idle = new ArrayList<>();
      for (int g = 0; g < sim.gpuCount(); g++) {
        List<SimSlot> slots = sim.slots(g);
        boolean allIdle = slots.stream().allMatch(s -> s.free() && s.ready(sim.now()));
        if (allIdle
            && !(slots.size() == 1 && sim.isWholeGpu(slots.get(0)))
            && gate.coolingLeft(g, now, queueLength).isEmpty()) {
          idle.add(g);
        }
      }
      if (chosen.size() + idle.size() < job.gpus()) {
        continue;
      }
      chosen = new ArrayList<>(chosen.subList(0, Math.min(chosen.size(), job.gpus())));
      for (int i = 0; chosen.size() < job.gpus(); i++) {
        int g = idle.get(i);
        String reason = "job " + job.id() + " needs " + job.gpus() + " whole GPUs";
        chosen.add(sim.reshape(g, whole, reason).get(0));
        gate = gate.reshaped(g, now, queueLength);
      }
      sim.reserveGang(job, chosen);
    }
  }

  /** The queued jobs that run on one slice: multi-GPU jobs go to {@link #placeGangs}. */
  private static List<SimJob> sliceQueue(Simulation sim) {
    return sim.queue().stream().filter(j -> !j.isMultiGpu()).toList();
  }

  /**
   * The GPUs as the {@link Repartitioner} sees them: held and idle instances, and whether idle ones
   * may be destroyed now. A GPU whose cooldown keeps its idle instances wakes the simulation when
   * it ends, as the daemon sets a timer.
   */
  private List<Repartitioner.Gpu> gpus(Simulation sim, Instant now, int queueLength) {
    List<Repartitioner.Gpu> gpus = new ArrayList<>();
    for (int g = 0; g < sim.gpuCount(); g++) {
      boolean reshaping = false;
      List<PlacedInstance> held = new ArrayList<>();
      List<PlacedInstance> idle = new ArrayList<>();
      for (SimSlot s : sim.slots(g)) {
        reshaping |= !s.ready(sim.now());
        (s.free() ? idle : held).add(s.instance());
      }
      Optional<Duration> cooling = gate.coolingLeft(g, now, queueLength);
      cooling.ifPresent(l -> sim.wakeAt(seconds(now.plus(l))));
      gpus.add(
          new Repartitioner.Gpu(
              g, sim.config().model(), held, idle, !reshaping && cooling.isEmpty()));
    }
    return gpus;
  }

  /** The simulation's clock (seconds from its start) as an instant, for the {@link ReshapeGate}. */
  private static Instant instant(double seconds) {
    return Instant.EPOCH.plusNanos(Math.round(seconds * 1e9));
  }

  /** Back from {@link #instant}, exact for the times the gate computes from the simulation's. */
  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  /** The demands of {@code jobs}: speed on a profile by its compute slices. */
  private static List<Repartitioner.Demand> demands(List<SimJob> jobs) {
    List<Repartitioner.Demand> out = new ArrayList<>(jobs.size());
    for (SimJob j : jobs) {
      out.add(new Repartitioner.Demand(String.valueOf(j.id()), p -> j.speed(p.computeSlices())));
    }
    return out;
  }

  /** Reserves each assigned job of {@code queue} on the slot of its instance. */
  private static void reserve(
      Simulation sim,
      List<SimJob> queue,
      List<Repartitioner.Assigned> assigned,
      List<SimSlot> slots) {
    for (Repartitioner.Assigned a : assigned) {
      SimSlot slot =
          slots.stream().filter(s -> s.instance().equals(a.instance())).findFirst().orElseThrow();
      sim.reserve(queue.get(a.demand()), slot);
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
   * {@link Params#moveGain()}, at most once per cooldown of the {@link ReshapeGate} per GPU (a
   * growing queue does not lift it: moving running jobs does not serve new ones).
   */
  private void migrate(Simulation sim, int g) {
    double now = sim.now();
    List<SimSlot> slots = sim.slots(g);
    if (gate.coolingLeft(g, instant(now), 0).isPresent()) {
      return;
    }
    boolean anyMovable = false;
    for (SimSlot s : slots) {
      if (!s.ready(now)) {
        return;
      }
      anyMovable |= s.busy() && s.job().checkpointable();
    }
    if (!anyMovable) {
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
    List<SimJob> queue = sliceQueue(sim);
    double keepScore = 0;
    for (SimSlot s : movable) {
      keepScore += s.job().speed(s.slices());
    }
    List<Repartitioner.Demand> demands = demands(queue);
    GpuModel model = sim.config().model();
    keepScore +=
        Repartitioner.score(
            repartitioner.assign(
                model,
                demands,
                freeSlots.size(),
                freeSlots.stream().map(SimSlot::instance).toList()));
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
    List<List<PlacedInstance>> candidates = repartitioner.additions(model, fixed);
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
      List<PlacedInstance> rest = new ArrayList<>();
      for (int k = 0; k < add.size(); k++) {
        if (!used[k]) {
          rest.add(add.get(k));
        }
      }
      score += Repartitioner.score(repartitioner.assign(model, demands, rest.size(), rest));
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
    gate = gate.reshaped(g, instant(now), queue.size());
    List<SimSlot> targets = next.stream().filter(SimSlot::free).toList();
    List<SimJob> waiting = sliceQueue(sim);
    reserve(
        sim,
        waiting,
        repartitioner.assign(
            model,
            demands(waiting),
            targets.size(),
            targets.stream().map(SimSlot::instance).toList()),
        targets);
  }
}
