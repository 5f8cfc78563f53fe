package io.migctl.core.replay;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.LayoutCheck;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.tenant.FairShare;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * An event-driven simulation of a cluster of identical MIG GPUs running a trace on a virtual clock.
 * Events: job arrival, job completion, and reconfiguration done (created instances become usable).
 * After every batch of simultaneous events the {@link Policy} acts through {@link #start}, {@link
 * #reserve} and {@link #reshape}, walking the queue in the order of the run's {@link Fairness}
 * policy. The engine enforces the rules: a job runs only on a free, existing slice it fits, and a
 * reshape keeps every busy or reserved instance where it is (it throws otherwise) and yields a
 * valid layout.
 *
 * <p>Not thread-safe; one run per instance.
 */
public final class Simulation {

  /**
   * Parameters of a run.
   *
   * @param model the GPU model
   * @param gpus GPUs in the cluster
   * @param reconfigSeconds time to create instances in a reshape
   * @param sampleStep seconds between samples of the time series
   * @param checkpointSeconds the checkpoint-restart pause of a moved (checkpointable) running job:
   *     it makes no progress from the move for this long (plus the new instance's creation time,
   *     when the instance is created by the same reshape, since the old one must be vacated first)
   * @param tenantWeights tenant name to weight ({@link TenantWeights}); a tenant not named has the
   *     default weight. Fairness policies order by them and the report's share index measures
   *     against them.
   */
  public record Config(
      GpuModel model,
      int gpus,
      double reconfigSeconds,
      double sampleStep,
      double checkpointSeconds,
      Map<String, Integer> tenantWeights) {

    /** Default checkpoint-restart pause: MISO's 30 s average. */
    public static final double DEFAULT_CHECKPOINT_SECONDS = 30.0;

    public Config {
      if (gpus < 1 || reconfigSeconds < 0 || !(sampleStep > 0) || !(checkpointSeconds >= 0)) {
        throw new IllegalArgumentException(
            "need gpus >= 1, reconfigSeconds >= 0, sampleStep > 0, checkpointSeconds >= 0");
      }
      tenantWeights = Map.copyOf(tenantWeights);
    }

    /** Every tenant at the default weight. */
    public Config(
        GpuModel model,
        int gpus,
        double reconfigSeconds,
        double sampleStep,
        double checkpointSeconds) {
      this(model, gpus, reconfigSeconds, sampleStep, checkpointSeconds, Map.of());
    }

    /** This configuration with the tenants' weights {@code weights}. */
    public Config withTenantWeights(Map<String, Integer> weights) {
      return new Config(model, gpus, reconfigSeconds, sampleStep, checkpointSeconds, weights);
    }

    /** A checkpoint-restart pause of {@link #DEFAULT_CHECKPOINT_SECONDS}. */
    public Config(GpuModel model, int gpus, double reconfigSeconds, double sampleStep) {
      this(model, gpus, reconfigSeconds, sampleStep, DEFAULT_CHECKPOINT_SECONDS);
    }

    /** {@code gpus} GPUs of {@code model}, 5 s per reshape, a sample every 60 s. */
    public static Config of(GpuModel model, int gpus) {
      return new Config(model, gpus, 5.0, 60.0);
    }
  }

  /** Thrown when jobs are left that fit no slice the policy offers. */
  public static final class Unrunnable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unrunnable(String message) {
      super(message);
    }
  }

  private enum Kind {
    ARRIVAL,
    COMPLETION,
    READY,
    /** Nothing happens but a policy asked to decide again ({@link #wakeAt}). */
    WAKE
  }

  private record Event(double time, long seq, Kind kind, SimJob job, SimSlot slot, int epoch)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Double.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final Config config;
  private final Fairness fairness;
  private final SimProfiles profiles;
  private final List<List<SimSlot>> gpus = new ArrayList<>();
  private final List<SimJob> queue = new ArrayList<>();

  /** Queued jobs per tenant and their demands, for the {@link ShareLedger}. */
  private final Map<String, Integer> queuedByTenant = new HashMap<>();

  private final Map<String, FairShare.Usage> queuedDemand = new HashMap<>();

  private final ShareLedger shares;

  /** The queue in the fairness policy's order; null after the queue or the holdings changed. */
  private List<SimJob> ordered;

  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final List<SimResult.Finished> finished = new ArrayList<>();
  private final List<SimResult.Sample> samples = new ArrayList<>();
  private final List<Reconfiguration> reshapes = new ArrayList<>();
  private final double[] starts;

  /** The times of pending {@link Kind#WAKE} events, so that a policy asking twice adds one. */
  private final Set<Double> wakes = new HashSet<>();

  /** The slots of each multi-GPU job running or reserved, by job id, lowest GPU first. */
  private final Map<Integer, List<SimSlot>> gangs = new HashMap<>();

  /** Per job: remaining work in whole-GPU seconds as of {@link #progressAt}. */
  private final double[] remaining;

  private final double[] progressAt;

  /** Per job: bumped on every move, so that the completion event of the old slot is stale. */
  private final int[] epoch;

  private int moveCount;
  private long eventCount;
  private long seq;
  private double now;
  private int reservedCount;
  private double busySliceArea;
  private double busyGpuArea;
  private double nextSample;

  private Simulation(Config config, Fairness fairness, int maxJobId) {
    this.config = config;
    this.fairness = fairness;
    this.shares = new ShareLedger(config.tenantWeights());
    this.profiles = SimProfiles.of(config.model());
    this.starts = new double[maxJobId + 1];
    Arrays.fill(starts, Double.NaN);
    this.remaining = new double[maxJobId + 1];
    Arrays.fill(remaining, Double.NaN);
    this.progressAt = new double[maxJobId + 1];
    this.epoch = new int[maxJobId + 1];
  }

  /** Runs {@code jobs} under {@code policy} to the last completion, the queue in arrival order. */
  public static SimResult run(Config config, List<SimJob> jobs, Policy policy) {
    return run(config, jobs, policy, Fairness.fifo());
  }

  /**
   * Runs {@code jobs} under the placement {@code policy} to the last completion, the queue offered
   * to it in {@code fairness}'s order.
   */
  public static SimResult run(Config config, List<SimJob> jobs, Policy policy, Fairness fairness) {
    int maxId = jobs.stream().mapToInt(SimJob::id).max().orElse(0);
    Set<Integer> ids = new HashSet<>();
    for (SimJob j : jobs) {
      if (j.id() < 0 || !ids.add(j.id())) {
        throw new IllegalArgumentException("job ids must be distinct and >= 0: " + j.id());
      }
    }
    Simulation sim = new Simulation(config, fairness, maxId);
    return sim.execute(jobs, policy);
  }

  private SimResult execute(List<SimJob> jobs, Policy policy) {
    for (int g = 0; g < config.gpus(); g++) {
      List<PlacedInstance> initial = policy.initialLayout(profiles, g);
      check(initial);
      List<SimSlot> slots = new ArrayList<>();
      for (PlacedInstance p : initial) {
        slots.add(new SimSlot(g, p, 0));
      }
      gpus.add(slots);
    }
    List<SimJob> sorted = new ArrayList<>(jobs);
    sorted.sort(Comparator.comparingDouble(SimJob::arrival).thenComparingInt(SimJob::id));
    for (SimJob j : sorted) {
      push(j.arrival(), Kind.ARRIVAL, j, null);
    }
    while (!events.isEmpty()) {
      double t = events.peek().time();
      advance(t);
      while (!events.isEmpty() && events.peek().time() == t) {
        Event e = events.poll();
        eventCount++;
        switch (e.kind()) {
          case ARRIVAL -> {
            queue.add(e.job());
            queued(e.job(), 1);
            ordered = null;
          }
          case COMPLETION -> {
            SimJob j = e.slot().job();
            if (j == null || j.id() != e.job().id() || epoch[j.id()] != e.epoch()) {
              continue; // the job was moved; its completion on the old slot is void
            }
            List<SimSlot> held = j.isMultiGpu() ? gangs.remove(j.id()) : List.of(e.slot());
            held.forEach(SimSlot::release);
            ordered = null;
            finished.add(
                new SimResult.Finished(
                    j.id(),
                    j.arrival(),
                    starts[j.id()],
                    t,
                    e.slot().gpu(),
                    e.slot().slices() * held.size(),
                    j.tenant(),
                    j.duration(),
                    j.gpus()));
          }
          case WAKE -> wakes.remove(t);
          case READY -> {
            SimJob r = e.slot().reserved();
            if (r != null && r.isMultiGpu()) {
              List<SimSlot> gang = gangs.get(r.id());
              if (gang.stream().allMatch(s -> s.ready(now))) {
                reservedCount--;
                beginGang(r, gang);
              }
            } else if (r != null && e.slot().ready(now)) {
              reservedCount--;
              begin(r, e.slot());
            }
          }
        }
      }
      policy.schedule(this);
    }
    if (!queue.isEmpty() || reservedCount != 0) {
      throw new Unrunnable(
          policy.name()
              + " left "
              + queue.size()
              + " jobs that fit no slice (first: job "
              + (queue.isEmpty() ? "?" : queue.get(0).id())
              + ")");
    }
    return result(policy.name());
  }

  private void advance(double t) {
    while (nextSample <= t) {
      samples.add(sample(nextSample));
      nextSample += config.sampleStep();
    }
    double dt = t - now;
    if (dt > 0) {
      int slices = 0;
      int busyGpus = 0;
      for (List<SimSlot> g : gpus) {
        boolean any = false;
        for (SimSlot s : g) {
          if (s.busy()) {
            slices += s.slices();
            any = true;
          }
        }
        busyGpus += any ? 1 : 0;
      }
      busySliceArea += dt * slices;
      busyGpuArea += dt * busyGpus;
      shares.advance(dt, queuedDemand, node());
    }
    now = t;
  }

  private SimResult.Sample sample(double t) {
    int slices = 0;
    int busyGpus = 0;
    for (List<SimSlot> g : gpus) {
      boolean any = false;
      for (SimSlot s : g) {
        if (s.busy()) {
          slices += s.slices();
          any = true;
        }
      }
      busyGpus += any ? 1 : 0;
    }
    double total = (double) config.gpus() * config.model().computeSlices();
    return new SimResult.Sample(
        t, slices / total, (double) busyGpus / config.gpus(), queue.size() + reservedCount);
  }

  private SimResult result(String name) {
    samples.add(sample(now));
    List<SimResult.Finished> byId = new ArrayList<>(finished);
    byId.sort(Comparator.comparingInt(SimResult.Finished::id));
    double[] jct = byId.stream().mapToDouble(SimResult.Finished::jct).toArray();
    double[] wait = byId.stream().mapToDouble(SimResult.Finished::queueing).toArray();
    List<TenantResult> tenants = TenantResult.of(byId, shares::shareIndex);
    double makespan = now;
    double denom = makespan > 0 ? makespan : 1;
    return new SimResult(
        name,
        config.gpus(),
        byId.size(),
        mean(jct),
        percentile(jct, 50),
        percentile(jct, 99),
        mean(wait),
        percentile(wait, 50),
        percentile(wait, 99),
        busySliceArea / (config.model().computeSlices() * config.gpus() * denom),
        busyGpuArea / (config.gpus() * denom),
        makespan,
        reshapes.size(),
        byId,
        samples,
        reshapes,
        eventCount,
        fairness.name(),
        tenants,
        TenantResult.jain(tenants));
  }

  static double mean(double[] v) {
    return v.length == 0 ? 0 : Arrays.stream(v).sum() / v.length;
  }

  /** Nearest-rank percentile. */
  static double percentile(double[] v, double p) {
    if (v.length == 0) {
      return 0;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  private void push(double t, Kind kind, SimJob job, SimSlot slot) {
    events.add(new Event(t, seq++, kind, job, slot, job == null ? 0 : epoch[job.id()]));
  }

  private void begin(SimJob job, SimSlot slot) {
    slot.run(job);
    int id = job.id();
    if (Double.isNaN(starts[id])) {
      starts[id] = now;
      remaining[id] = job.duration();
    }
    progressAt[id] = now;
    push(now + remaining[id] / job.speed(slot.slices()), Kind.COMPLETION, job, slot);
  }

  private void beginGang(SimJob job, List<SimSlot> slots) {
    slots.forEach(s -> s.run(job));
    starts[job.id()] = now;
    remaining[job.id()] = job.duration();
    progressAt[job.id()] = now;
    push(now + job.duration(), Kind.COMPLETION, job, slots.get(0));
  }

  /**
   * Work left for the job running on {@code slot}, in whole-GPU seconds: divided by the speed on a
   * slice, the time it still needs there.
   */
  public double remainingWork(SimSlot slot) {
    SimJob job = slot.job();
    if (job == null) {
      throw new IllegalArgumentException(slot + " runs no job");
    }
    int id = job.id();
    return Math.max(0, remaining[id] - (now - progressAt[id]) * job.speed(slot.slices()));
  }

  /** Running jobs moved so far (checkpoint-restarts). */
  public int moves() {
    return moveCount;
  }

  // ---- the policy's view and actions ----

  /** The virtual clock, seconds from the trace start. */
  public double now() {
    return now;
  }

  /** The run's parameters. */
  public Config config() {
    return config;
  }

  /** The slice profiles of the model. */
  public SimProfiles profiles() {
    return profiles;
  }

  /**
   * Jobs waiting (reserved jobs are not here), in the order the run's {@link Fairness} policy
   * offers them slices: arrival order under {@code fifo}. The order is computed from the queue and
   * what each tenant holds when this is called; it changes as jobs start, so a policy that starts
   * jobs walks a copy.
   */
  public List<SimJob> queue() {
    if (ordered == null) {
      ordered = Collections.unmodifiableList(fairness.order(queue, node()));
    }
    return ordered;
  }

  /** The run's fairness policy. */
  public Fairness fairness() {
    return fairness;
  }

  /** Counts {@code job} in (+1) or out of (-1) its tenant's queued jobs and demand. */
  private void queued(SimJob job, int sign) {
    String t = job.tenant();
    FairShare.Usage d = new Fairness.Node(Map.of(), FairShare.Usage.ZERO, profiles).demand(job);
    if (queuedByTenant.merge(t, sign, Integer::sum) == 0) {
      queuedByTenant.remove(t);
      queuedDemand.remove(t);
    } else {
      queuedDemand.merge(t, d, sign > 0 ? FairShare.Usage::plus : FairShare.Usage::minus);
    }
  }

  /** What each tenant holds (instances running or reserved for its jobs) and the capacity. */
  private Fairness.Node node() {
    Map<String, FairShare.Usage> held = new HashMap<>();
    for (List<SimSlot> g : gpus) {
      for (SimSlot s : g) {
        SimJob j = s.job() != null ? s.job() : s.reserved();
        if (j != null) {
          GpuInstanceProfile p = s.instance().profile();
          held.merge(
              j.tenant(),
              new FairShare.Usage(p.computeSlices(), p.memoryMiB()),
              FairShare.Usage::plus);
        }
      }
    }
    GpuInstanceProfile full = profiles.full();
    return new Fairness.Node(
        held,
        new FairShare.Usage(full.computeSlices() * config.gpus(), full.memoryMiB() * config.gpus()),
        profiles);
  }

  /** Number of GPUs. */
  public int gpuCount() {
    return gpus.size();
  }

  /** The instances of GPU {@code gpu}, by placement. */
  public List<SimSlot> slots(int gpu) {
    return Collections.unmodifiableList(gpus.get(gpu));
  }

  /** Starts queued {@code job} on {@code slot}, which must be free, existing and fit it. */
  public void start(SimJob job, SimSlot slot) {
    take(job, slot);
    if (!slot.ready(now)) {
      throw new IllegalStateException(slot + " is still being created; reserve it instead");
    }
    begin(job, slot);
  }

  /**
   * Reserves {@code slot} for queued {@code job}: it starts when the slot is created (now, if it
   * already exists).
   */
  public void reserve(SimJob job, SimSlot slot) {
    take(job, slot);
    if (slot.ready(now)) {
      begin(job, slot);
    } else {
      slot.reserve(job);
      reservedCount++;
    }
  }

  /**
   * Starts queued multi-GPU {@code job} on {@code slots}: exactly {@link SimJob#gpus()} whole GPUs,
   * each slot the only, full-GPU instance of its GPU, free and existing. All of them or none: a
   * gang job never holds some GPUs while waiting for the others.
   *
   * @throws IllegalStateException when the slots are not that many free, existing whole GPUs
   */
  public void startGang(SimJob job, List<SimSlot> slots) {
    takeGang(job, slots);
    if (slots.stream().anyMatch(s -> !s.ready(now))) {
      throw new IllegalStateException(
          "job " + job.id() + ": some of " + slots + " are still being created; reserve them");
    }
    beginGang(job, slots);
  }

  /**
   * Reserves {@code slots} for queued multi-GPU {@code job}, all at once, as {@link #startGang}
   * takes them: it starts when the last of them is created (now, if they all exist).
   */
  public void reserveGang(SimJob job, List<SimSlot> slots) {
    takeGang(job, slots);
    if (slots.stream().allMatch(s -> s.ready(now))) {
      beginGang(job, slots);
    } else {
      slots.forEach(s -> s.reserve(job));
      reservedCount++;
    }
  }

  /** Whether {@code slot} is a whole GPU: the only instance of its GPU, of the full profile. */
  public boolean isWholeGpu(SimSlot slot) {
    List<SimSlot> g = gpus.get(slot.gpu());
    return g.size() == 1 && g.get(0) == slot && slot.slices() == profiles.full().computeSlices();
  }

  private void takeGang(SimJob job, List<SimSlot> slots) {
    if (!job.isMultiGpu()) {
      throw new IllegalStateException("job " + job.id() + " is no multi-GPU job; use start");
    }
    Set<Integer> distinct = new HashSet<>();
    for (SimSlot s : slots) {
      if (!s.free() || !isWholeGpu(s) || !distinct.add(s.gpu())) {
        throw new IllegalStateException(
            "job " + job.id() + " needs free whole GPUs, each once: " + s + " is not one");
      }
    }
    if (slots.size() != job.gpus()) {
      throw new IllegalStateException(
          "job "
              + job.id()
              + " needs "
              + job.gpus()
              + " whole GPUs at once, was given "
              + slots.size());
    }
    dequeue(job);
    List<SimSlot> sorted = new ArrayList<>(slots);
    sorted.sort(Comparator.comparingInt(SimSlot::gpu));
    gangs.put(job.id(), List.copyOf(sorted));
  }

  private void take(SimJob job, SimSlot slot) {
    if (job.isMultiGpu()) {
      throw new IllegalStateException(
          "job " + job.id() + " needs " + job.gpus() + " whole GPUs at once; use startGang");
    }
    if (!slot.free()) {
      throw new IllegalStateException(slot + " is not free");
    }
    if (!job.fits(slot.slices())) {
      throw new IllegalStateException("job " + job.id() + " does not fit " + slot);
    }
    if (gpus.get(slot.gpu()).stream().noneMatch(s -> s == slot)) {
      throw new IllegalStateException(slot + " no longer exists");
    }
    dequeue(job);
  }

  private void dequeue(SimJob job) {
    if (!queue.remove(job)) {
      throw new IllegalStateException("job " + job.id() + " is not queued");
    }
    queued(job, -1);
    ordered = null;
  }

  /**
   * Makes the policy decide again at {@code time} even if no job arrives, ends or becomes ready
   * then (as the daemon sets a timer for a cooldown's end); a time not after now is ignored.
   */
  public void wakeAt(double time) {
    if (time > now && wakes.add(time)) {
      push(time, Kind.WAKE, null, null);
    }
  }

  /**
   * Reshapes GPU {@code gpu} to {@code layout}: instances in both stay (usable as before), idle
   * instances not in {@code layout} are destroyed, and the rest are created, usable after the
   * reconfiguration time.
   *
   * @throws IllegalStateException when {@code layout} would destroy or move a busy or reserved
   *     instance, or when the layout is not valid on the model
   * @return the new slots, by placement
   */
  public List<SimSlot> reshape(int gpu, List<PlacedInstance> layout, String reason) {
    return reshape(gpu, layout, Map.of(), reason);
  }

  /**
   * Reshapes GPU {@code gpu} to {@code layout} and moves running checkpointable jobs of that GPU to
   * instances of {@code layout} ({@code moves}: job to its new instance). A moved job is
   * checkpointed now and makes no progress until it restarts on its new instance, {@link
   * Config#checkpointSeconds()} later; an instance the move vacates counts as idle (it may be
   * destroyed, or kept and reused). Instances created by a reshape that destroys a vacated instance
   * exist only after the checkpoint (the old instance must be torn down first) plus the
   * reconfiguration time, and a job moved onto one restarts then. Any other busy or reserved
   * instance must be kept.
   *
   * @throws IllegalStateException when {@code layout} would destroy a busy instance whose job is
   *     not moved, when a moved job does not run on {@code gpu}, is not checkpointable, or does not
   *     fit its new instance, when two jobs go to one instance or a job goes to a held one, or when
   *     the layout is not valid on the model
   * @return the new slots, by placement
   */
  public List<SimSlot> reshape(
      int gpu, List<PlacedInstance> layout, Map<SimJob, PlacedInstance> moves, String reason) {
    check(layout);
    List<SimSlot> old = gpus.get(gpu);
    Set<PlacedInstance> target = new LinkedHashSet<>(layout);
    Map<SimJob, SimSlot> movedFrom = new HashMap<>();
    for (Map.Entry<SimJob, PlacedInstance> m : moves.entrySet()) {
      SimJob j = m.getKey();
      SimSlot from = old.stream().filter(s -> s.job() == j).findFirst().orElse(null);
      if (from == null) {
        throw new IllegalStateException(
            "job " + j.id() + " does not run on GPU " + gpu + " (" + reason + ")");
      }
      if (!j.checkpointable()) {
        throw new IllegalStateException(
            "job " + j.id() + " is not checkpointable; it cannot be moved (" + reason + ")");
      }
      if (!target.contains(m.getValue())) {
        throw new IllegalStateException(
            "job " + j.id() + " moves to " + m.getValue() + ", not in the layout (" + reason + ")");
      }
      if (!j.fits(m.getValue().profile().computeSlices())) {
        throw new IllegalStateException("job " + j.id() + " does not fit " + m.getValue());
      }
      movedFrom.put(j, from);
    }
    if (new HashSet<>(moves.values()).size() != moves.size()) {
      throw new IllegalStateException("two jobs move to one instance (" + reason + ")");
    }
    List<PlacedInstance> busy = new ArrayList<>();
    List<PlacedInstance> kept = new ArrayList<>();
    List<PlacedInstance> destroyed = new ArrayList<>();
    List<SimSlot> next = new ArrayList<>();
    for (SimSlot s : old) {
      boolean vacated = s.busy() && movedFrom.get(s.job()) == s;
      boolean held = !s.free() && !vacated;
      if (held) {
        busy.add(s.instance());
        if (moves.containsValue(s.instance())) {
          throw new IllegalStateException(
              "a job moves to held instance " + s + " (" + reason + ")");
        }
      }
      if (target.remove(s.instance())) {
        kept.add(s.instance());
        next.add(s);
      } else if (held) {
        throw new IllegalStateException(
            "reshape of GPU " + gpu + " would destroy busy instance " + s + " (" + reason + ")");
      } else {
        destroyed.add(s.instance());
      }
    }
    // checkpoint the moved jobs: progress so far is kept, the old instance is vacated
    for (Map.Entry<SimJob, SimSlot> m : movedFrom.entrySet()) {
      SimJob j = m.getKey();
      SimSlot from = m.getValue();
      int id = j.id();
      remaining[id] -= (now - progressAt[id]) * j.speed(from.slices());
      remaining[id] = Math.max(0, remaining[id]);
      epoch[id]++;
      from.release();
      moveCount++;
      ordered = null;
    }
    boolean vacatedDestroyed =
        movedFrom.values().stream().anyMatch(s -> destroyed.contains(s.instance()));
    List<PlacedInstance> created = new ArrayList<>(target);
    double ready =
        now + config.reconfigSeconds() + (vacatedDestroyed ? config.checkpointSeconds() : 0);
    for (PlacedInstance p : created) {
      SimSlot s = new SimSlot(gpu, p, ready);
      next.add(s);
      push(ready, Kind.READY, null, s);
    }
    next.sort(Comparator.comparing(s -> s.instance().placement()));
    gpus.set(gpu, next);
    double restart = now + config.checkpointSeconds();
    for (Map.Entry<SimJob, PlacedInstance> m : moves.entrySet()) {
      SimSlot to = next.stream().filter(s -> s.instance().equals(m.getValue())).findFirst().get();
      if (to.readyAt() < restart) {
        to.readyAt(restart);
        push(restart, Kind.READY, null, to);
      }
      to.reserve(m.getKey());
      reservedCount++;
    }
    if (!created.isEmpty() || !destroyed.isEmpty() || !moves.isEmpty()) {
      Reconfiguration r = new Reconfiguration(now, gpu, busy, kept, destroyed, created, reason);
      if (!r.kept().containsAll(r.busy())) {
        throw new AssertionError("reconfiguration does not keep busy instances: " + r);
      }
      reshapes.add(r);
    }
    return Collections.unmodifiableList(next);
  }

  private void check(List<PlacedInstance> layout) {
    LayoutCheck c = new Layout(layout).checkOn(config.model());
    if (!c.isValid()) {
      throw new IllegalStateException("invalid layout " + layout + ": " + c.message());
    }
  }
}
