package io.migctl.core.job;

import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.mig.GpuTopology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The scheduler kept between decisions: the queue, indexed by what each job needs, and the free
 * devices, indexed by shape. Jobs join and leave, devices free up, and {@link #decide} places what
 * it can — the same decisions as {@link Scheduler#decide} on a snapshot of the same queue and free
 * devices, without sorting the queue or the devices again.
 *
 * <p>A decision is a greedy walk of the queue. Between tenants with queued jobs it is weighted
 * dominant-resource fairness: the next job comes from the tenant with the lowest dominant share (of
 * the layout's compute slices and memory, counting what its running jobs hold and what it got
 * earlier in the walk) divided by its weight; equal shares go to the higher weight, then the name.
 * Inside a tenant it is {@link Scheduler} order (starving jobs first, then priority, then age, then
 * id), each job taking its best fit. A tenant's jobs with the same need form a lane, kept in that
 * order; each tenant merges its lanes by their first job. Once a job finds no device, or its
 * tenant's {@link TenantRules#limit limits} keep it out, no later job of its lane can (free devices
 * only run out and loads only grow during a walk), so its lane leaves the walk; a tenant without
 * lanes leaves it too, and never blocks another. A decision therefore costs about (placed jobs +
 * lanes) × log(queue), whatever the queue's depth. Jobs that start to starve move between two sets
 * per lane as time passes. A tenant's jobs without a GPU form one lane that takes CPU-job slots
 * instead of devices, and leaves the walk when the slots run out.
 *
 * <p>Gang jobs — jobs that ask for whole GPUs ({@link GpuNeed.WholeGpus}) — are decided first, in
 * {@link Scheduler} order: a gang job starts when as many matching GPUs as it asks are free at once
 * (the {@link TopologyPreference} picks which), and otherwise holds nothing. While it waits it
 * reserves GPUs for itself, those that will be free soonest by the timeouts of the jobs on them, up
 * to {@link Scheduler.Policy#maxReservedGpus()} for all gang jobs together: a later job (a slice
 * job or another gang job) may take a reserved GPU or one of its MIG devices only if its timeout
 * ends it before the reservation's start — EASY backfill, as Slurm does. Reservations are worked
 * out again at every decision; they bind nothing. A lane's jobs that need several MIG devices
 * ({@link GpuNeed.MigDevices}) take all of them at once or none.
 *
 * <p>The reservation's start is estimated from {@link #running}; devices placed since count as held
 * by jobs ending at their timeout, and devices held by jobs it does not know (or without a timeout)
 * as never freed. With reservations, a lane leaves the walk when its first job finds no device,
 * even if a later job of the lane with a shorter timeout could have backfilled.
 *
 * <p>Not thread-safe: one thread owns it (the daemon's job thread).
 */
public final class IncrementalScheduler {

  private final Scheduler.Policy policy;
  private final Map<Long, Job> jobs = new HashMap<>();
  private final Map<TenantNeed, Lane> lanes = new HashMap<>();

  /** Jobs not yet starving, oldest first; the next to start starving is the first. */
  private final TreeSet<Job> freshByAge = new TreeSet<>(BY_AGE);

  /** Starving jobs, oldest first; should the clock go back, the last may stop starving. */
  private final TreeSet<Job> starvingByAge = new TreeSet<>(BY_AGE);

  private final FreeDevices free = new FreeDevices();

  /** Queued gang jobs, by id. */
  private final Map<Long, Job> gangs = new HashMap<>();

  /** The node's GPUs by index, for gang jobs. */
  private Map<Integer, WholeGpu> gpus = Map.of();

  /** GPUs that gang jobs hold whole, and when the last of those jobs will have ended. */
  private final Map<Integer, Instant> heldWhole = new HashMap<>();

  /** Per GPU: how many of its MIG devices known jobs hold, and when the last of them ends. */
  private final Map<Integer, SlotJobs> slotJobs = new HashMap<>();

  /** Reserved GPUs of the last decision and the start of the reservation. */
  private final Map<Integer, Instant> reserved = new HashMap<>();

  /** Why each gang job waits after the last decision (not on its quota). */
  private final Map<Long, WaitingReason.NoWholeGpus> gangWaiting = new HashMap<>();

  /** Why each gang job waits on its quota after the last decision. */
  private final Map<Long, WaitingReason.QuotaReached> gangOverQuota = new HashMap<>();

  private GpuTopology topology = GpuTopology.unknown(0);
  private TopologyPreference preference = TopologyPreference.CLOSEST;
  private Instant cutoff = Instant.MIN;
  private int cpuInUse;
  private TenantRules rules = TenantRules.EQUAL;
  private Map<String, TenantLoad> held = Map.of();

  /** The lanes the last decision left waiting on their tenant's quota, and why. */
  private final Map<TenantNeed, WaitingReason.QuotaReached> overQuota = new HashMap<>();

  public IncrementalScheduler(Scheduler.Policy policy) {
    this.policy = policy;
  }

  /** Adds a queued job, or replaces the queued job with its id. */
  public void enqueue(Job job) {
    if (job.state() != JobState.QUEUED) {
      throw new IllegalArgumentException(
          "job " + job.id() + " is " + job.state().wireName() + ", not queued");
    }
    remove(job.id());
    jobs.put(job.id(), job);
    if (job.wholeGpus().isPresent()) {
      gangs.put(job.id(), job);
      return;
    }
    boolean starving = !job.submittedAt().isAfter(cutoff);
    (starving ? starvingByAge : freshByAge).add(job);
    lanes.computeIfAbsent(TenantNeed.of(job), Lane::new).add(job, starving);
  }

  /** Takes a job out of the queue; false when it was not there. */
  public boolean remove(long id) {
    Job job = jobs.remove(id);
    if (job == null) {
      return false;
    }
    if (gangs.remove(id) != null) {
      return true;
    }
    boolean starving = starvingByAge.remove(job);
    if (!starving) {
      freshByAge.remove(job);
    }
    Lane lane = lanes.get(TenantNeed.of(job));
    lane.remove(job, starving);
    if (lane.isEmpty()) {
      lanes.remove(lane.key);
    }
    return true;
  }

  /** Jobs in the queue. */
  public int size() {
    return jobs.size();
  }

  /**
   * Replaces the node's devices and which of them are free (devices a foreign process uses are
   * never handed out). Ties in best fit go to the earlier device in {@code free}.
   */
  public void devices(Collection<MigSlot> all, Collection<MigSlot> freeDevices) {
    free.reset(all, freeDevices);
  }

  /**
   * Replaces the node's GPUs (for gang jobs) and which of them gang jobs hold whole.
   *
   * @param held for each GPU a gang job holds, when that job will have ended at the latest ({@link
   *     Instant#MAX} when it has no timeout)
   */
  public void gpus(Collection<WholeGpu> all, Map<Integer, Instant> held) {
    Map<Integer, WholeGpu> byIndex = new TreeMap<>();
    for (WholeGpu g : all) {
      byIndex.put(g.index(), g);
    }
    gpus = byIndex;
    heldWhole.clear();
    heldWhole.putAll(held);
  }

  /** A gang job gave back its GPUs. */
  public void releaseGpus(Collection<Integer> indices) {
    indices.forEach(heldWhole::remove);
  }

  /** The node's topology and how gang jobs choose their GPUs by it. */
  public void topology(GpuTopology nodeTopology, TopologyPreference choice) {
    topology = java.util.Objects.requireNonNull(nodeTopology, "nodeTopology");
    preference = java.util.Objects.requireNonNull(choice, "choice");
  }

  /** The GPUs reserved for waiting gang jobs by the last {@link #decide}, and for when. */
  public Map<Integer, Instant> reservations() {
    return Map.copyOf(reserved);
  }

  /**
   * A device its job gave back is free again.
   *
   * @throws IllegalArgumentException when the device is not in the layout or already free
   */
  public void release(MigSlot slot) {
    free.release(slot);
  }

  /** Free devices a job could get. */
  public int freeDevices() {
    return free.size();
  }

  /**
   * Places what can be placed now: each placed job leaves the queue and its device (or, for a job
   * without a GPU, its CPU-job slot) stops being free; no placement takes a tenant past its limits.
   *
   * @return the assignments, in the order they were decided
   */
  public List<Assignment> decide(Instant now) {
    promote(now.minus(policy.starvationAfter()));
    overQuota.clear();
    List<Assignment> out = new ArrayList<>();
    decideGangs(now, out);
    TenantLoad capacity = capacity();
    Map<String, Turn<Lane>> turns = new HashMap<>();
    for (Lane lane : lanes.values()) {
      turns
          .computeIfAbsent(
              lane.key.tenant(), t -> new Turn<Lane>(t, BY_HEAD, Lane::first, capacity))
          .waiting
          .add(lane);
    }
    PriorityQueue<Turn<Lane>> walk = new PriorityQueue<>(Math.max(1, turns.size()), BY_SHARE);
    walk.addAll(turns.values());
    while (!walk.isEmpty()) {
      Turn<Lane> turn = walk.poll();
      Lane lane = turn.waiting.poll();
      Optional<TenantLoad> took = placeHead(turn, lane, out, now);
      if (took.isPresent()) {
        turn.add(took.get());
        if (!lane.isEmpty()) {
          turn.waiting.add(lane);
        }
      }
      if (!turn.waiting.isEmpty()) {
        walk.add(turn);
      }
    }
    // What the tenants hold after the decision, as the CPU-job slots count what it placed.
    Map<String, TenantLoad> after = new HashMap<>(held);
    turns.forEach((tenant, turn) -> after.put(tenant, turn.load));
    held = Map.copyOf(after);
    return out;
  }

  /**
   * Places the first job of a lane, if its tenant's limits let it and something is free for it.
   *
   * @return what the tenant took on; empty when the lane waits (then it leaves the walk)
   */
  private Optional<TenantLoad> placeHead(
      Turn<Lane> turn, Lane lane, List<Assignment> out, Instant now) {
    Optional<Requirement> need = lane.key.need();
    if (overQuota(turn, lane, TenantLoad.atLeast(need))) {
      return Optional.empty();
    }
    List<MigSlot> slots;
    TenantLoad adding;
    Job head = lane.first();
    if (need.isEmpty()) {
      if (cpuInUse >= policy.cpuJobLimit()) {
        return Optional.empty(); // every CPU-job slot is taken
      }
      cpuInUse++;
      slots = List.of();
      adding = TenantLoad.atLeast(need);
    } else {
      slots = fitsFor(head, need.get(), now);
      if (slots.isEmpty() && !reserved.isEmpty()) {
        // The head may wait only on reserved GPUs: a later job of its lane may backfill.
        for (Job j : lane.firstJobs(BACKFILL_SCAN)) {
          slots = fitsFor(j, need.get(), now);
          if (!slots.isEmpty()) {
            head = j;
            break;
          }
        }
      }
      if (slots.isEmpty()) {
        return Optional.empty(); // not all the devices it needs are free
      }
      Instant ends = endOf(head, now);
      // Devices may be larger than the need: the quota counts what the job would hold.
      adding =
          new TenantLoad(
              slots.stream().mapToInt(MigSlot::computeSlices).sum(),
              slots.stream().mapToLong(MigSlot::memoryMiB).sum(),
              1);
      if (overQuota(turn, lane, adding)) {
        return Optional.empty();
      }
      for (MigSlot s : slots) {
        free.take(s);
        slotJobs.merge(s.gpu(), new SlotJobs(1, ends), SlotJobs::plus);
      }
    }
    remove(head.id());
    out.add(new Assignment(head.id(), slots, Optional.empty()));
    return Optional.of(adding);
  }

  private boolean overQuota(Turn<?> turn, Lane lane, TenantLoad adding) {
    Optional<WaitingReason.QuotaReached> why = rules.limit(turn.tenant, turn.load, adding);
    why.ifPresent(q -> overQuota.put(lane.key, q));
    return why.isPresent();
  }

  /** The queued jobs in decision order as of the last {@link #decide}. */
  public List<Job> inOrder() {
    List<Job> out = new ArrayList<>(gangOrder());
    out.addAll(ordered(false));
    return out;
  }

  /**
   * The queued jobs that need a GPU in decision order, less those their tenant's limits would keep
   * waiting even if a device of their need were free for each: the demand worth reshaping for.
   */
  public List<Job> runnableInOrder() {
    return ordered(true).stream().filter(Job::needsGpu).toList();
  }

  /**
   * The queue in the order a decision would take it if every job got a device of its need: tenants
   * by weighted dominant share of what they hold plus what they took earlier in the order.
   *
   * @param withinLimits whether to leave out the jobs that would pass their tenant's limits
   */
  private List<Job> ordered(boolean withinLimits) {
    TenantLoad capacity = capacity();
    Map<String, Turn<Cursor>> turns = new HashMap<>();
    for (Lane lane : lanes.values()) {
      turns
          .computeIfAbsent(
              lane.key.tenant(), t -> new Turn<Cursor>(t, BY_CURSOR, c -> c.head, capacity))
          .waiting
          .add(new Cursor(lane));
    }
    PriorityQueue<Turn<Cursor>> merge = new PriorityQueue<>(Math.max(1, turns.size()), BY_SHARE);
    merge.addAll(turns.values());
    List<Job> out = new ArrayList<>(jobs.size());
    while (!merge.isEmpty()) {
      Turn<Cursor> turn = merge.poll();
      Cursor c = turn.waiting.poll();
      TenantLoad adding = TenantLoad.atLeast(c.lane.key.need());
      if (!withinLimits || rules.limit(turn.tenant, turn.load, adding).isEmpty()) {
        out.add(c.head);
        turn.add(adding);
      }
      if (c.advance()) {
        turn.waiting.add(c);
      }
      if (!turn.waiting.isEmpty()) {
        merge.add(turn);
      }
    }
    return out;
  }

  /**
   * The distinct needs of the queued jobs that need a GPU and wait for a device, not on their
   * tenant's limits; after {@link #decide} every one of them waits.
   */
  public Set<Requirement> waitingNeeds() {
    Set<Requirement> needs = new HashSet<>();
    for (TenantNeed key : lanes.keySet()) {
      if (!overQuota.containsKey(key)) {
        key.need().ifPresent(needs::add);
      }
    }
    return needs;
  }

  /**
   * Why a job that needs {@code need} waits after a decision: no device of the layout offers it, or
   * all that do are in use; with the devices left free.
   */
  public WaitingReason.NoFreeDevice whyWaiting(Requirement need) {
    return free.whyNoDevice(need);
  }

  /** Why a job left in the queue by the last {@link #decide} waits. */
  public WaitingReason whyWaiting(Job job) {
    if (job.wholeGpus().isPresent()) {
      WaitingReason gangQuota = gangOverQuota.get(job.id());
      if (gangQuota != null) {
        return gangQuota;
      }
      WaitingReason.NoWholeGpus known = gangWaiting.get(job.id());
      return known != null ? known : gangWaitingNow(job);
    }
    WaitingReason.QuotaReached quota = overQuota.get(TenantNeed.of(job));
    if (quota != null) {
      return quota;
    }
    return job.requirement()
        .<WaitingReason>map(this::whyWaiting)
        .orElseGet(() -> new WaitingReason.CpuJobSlots(cpuInUse, policy.cpuJobLimit()));
  }

  /**
   * How many jobs without a GPU hold a slot now (starting, running or stopping); a decision places
   * such jobs only while fewer than {@link Scheduler.Policy#cpuJobLimit()} do, and counts those it
   * places.
   */
  public void runningWithoutGpu(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("running jobs cannot be negative, was " + count);
    }
    cpuInUse = count;
  }

  /**
   * What the tenants' running jobs hold: the devices of those that hold one (by the layout of
   * {@link #devices}; the requirement where the device is not in it), and one running job each.
   * Sets {@link #runningWithoutGpu} too. Call it after {@link #devices}.
   *
   * @param active the jobs that are starting, running or stopping
   */
  public void running(Collection<Job> active) {
    Map<String, TenantLoad> loads = new HashMap<>();
    int withoutGpu = 0;
    slotJobs.clear();
    for (Job j : active) {
      if (j.state() == JobState.QUEUED || j.state().isTerminal()) {
        throw new IllegalArgumentException(
            "job "
                + j.id()
                + " is "
                + j.state().wireName()
                + ", not starting, running or stopping");
      }
      TenantLoad load;
      if (j.needsGpu()) {
        List<Job.Device> devices =
            j.state().holdsDevice()
                ? j.devices().stream().filter(d -> !d.whole()).toList()
                : List.of();
        Instant ends = latestEnd(j);
        devices.forEach(d -> slotJobs.merge(d.gpu(), new SlotJobs(1, ends), SlotJobs::plus));
        load =
            devices.stream()
                .findFirst()
                .filter(d -> j.requirement().orElseThrow().devices() == 1)
                .flatMap(d -> free.shapeOf(d.uuid()))
                .orElseGet(() -> TenantLoad.atLeast(j.requirement()));
      } else {
        withoutGpu++;
        load = TenantLoad.atLeast(Optional.empty());
      }
      loads.merge(j.spec().tenant(), load, TenantLoad::plus);
    }
    held = Map.copyOf(loads);
    cpuInUse = withoutGpu;
  }

  /**
   * The GPUs the gang jobs among {@code active} hold whole, each with when its job will have ended
   * at the latest: what {@link #gpus} takes as {@code held}.
   */
  public static Map<Integer, Instant> heldWhole(Collection<Job> active) {
    Map<Integer, Instant> held = new TreeMap<>();
    for (Job j : active) {
      if (j.state().holdsDevice()) {
        j.wholeGpuIndices().forEach(g -> held.put(g, latestEnd(j)));
      }
    }
    return held;
  }

  /** When a started job will have ended at the latest, by its timeout; never without one. */
  private static Instant latestEnd(Job j) {
    return j.startedAt().flatMap(start -> j.spec().timeout().map(start::plus)).orElse(Instant.MAX);
  }

  /** The tenants' weights and limits the next decisions follow. */
  public void tenants(TenantRules tenantRules) {
    rules = java.util.Objects.requireNonNull(tenantRules, "tenantRules");
  }

  /** When jobs without a GPU wait after the last {@link #decide}: the slots, all in use. */
  public Optional<WaitingReason.CpuJobSlots> cpuJobsWaiting() {
    for (TenantNeed key : lanes.keySet()) {
      if (key.need().isEmpty() && !overQuota.containsKey(key)) {
        return Optional.of(new WaitingReason.CpuJobSlots(cpuInUse, policy.cpuJobLimit()));
      }
    }
    return Optional.empty();
  }

  /** The lanes the last {@link #decide} left waiting on their tenant's limits, and why. */
  public Map<TenantNeed, WaitingReason.QuotaReached> quotaWaiting() {
    return Map.copyOf(overQuota);
  }

  /** How many known jobs hold MIG devices of a GPU, and when the last of them ends. */
  private record SlotJobs(int devices, Instant lastEnd) {
    SlotJobs plus(SlotJobs o) {
      return new SlotJobs(devices + o.devices, lastEnd.isAfter(o.lastEnd) ? lastEnd : o.lastEnd);
    }
  }

  /** The node's compute slices and memory: the MIG devices' and the GPUs' with MIG off. */
  private TenantLoad capacity() {
    TenantLoad total = free.capacity();
    for (WholeGpu g : gpus.values()) {
      if (!g.migEnabled()) {
        total = total.plus(new TenantLoad(g.computeSlices(), g.memoryMiB(), 0));
      }
    }
    return total;
  }

  /** How many of a lane's first jobs are looked at for one that may backfill a reservation. */
  private static final int BACKFILL_SCAN = 64;

  /** The devices the job would get now, reservations respected; empty when it gets none. */
  private List<MigSlot> fitsFor(Job job, Requirement need, Instant now) {
    Instant ends = endOf(job, now);
    return free.bestFits(need, s -> mayUse(s.gpu(), ends));
  }

  /** When a job placed now ends at the latest: by its timeout, or never. */
  private static Instant endOf(Job job, Instant now) {
    return job.spec().timeout().map(now::plus).orElse(Instant.MAX);
  }

  /** Whether a job ending at {@code ends} may use the GPU without delaying a reservation. */
  private boolean mayUse(int gpu, Instant ends) {
    Instant start = reserved.get(gpu);
    return start == null || (ends.isBefore(Instant.MAX) && !ends.isAfter(start));
  }

  /** Gang jobs in decision order: starving first, then priority, then age, then id. */
  private List<Job> gangOrder() {
    return gangs.values().stream()
        .sorted(
            (a, b) ->
                compareHeads(
                    a, !a.submittedAt().isAfter(cutoff), b, !b.submittedAt().isAfter(cutoff)))
        .toList();
  }

  /** MIG devices of the GPU that something holds: its layout's less its free ones. */
  private int heldDevices(int gpu) {
    return free.layoutOn(gpu) - free.freeOn(gpu);
  }

  /** Whether the GPU could ever serve a gang job: no foreign process, MIG off or switchable. */
  private boolean servesGangs(WholeGpu g) {
    return !g.foreignBusy() && (!g.migEnabled() || policy.allowMigModeSwitch());
  }

  /** The GPUs that could ever serve the need, in index order. */
  private List<WholeGpu> matching(GpuNeed.WholeGpus need) {
    return gpus.values().stream().filter(g -> g.matches(need) && servesGangs(g)).toList();
  }

  /** Whether the GPU is free as a whole GPU now. */
  private boolean wholeFree(WholeGpu g) {
    return servesGangs(g) && !heldWhole.containsKey(g.index()) && heldDevices(g.index()) == 0;
  }

  /** When the GPU will be free as a whole GPU, by the timeouts of what holds it. */
  private Instant freeAt(WholeGpu g, Instant now) {
    if (wholeFree(g)) {
      return now;
    }
    Instant held = heldWhole.get(g.index());
    if (held != null) {
      return held;
    }
    SlotJobs known = slotJobs.get(g.index());
    return known == null || known.devices() < heldDevices(g.index())
        ? Instant.MAX
        : known.lastEnd();
  }

  /**
   * Places the gang jobs that can start and reserves GPUs for those that wait (see the class
   * comment). Updates what their tenants hold, so that the lanes' walk sees it.
   */
  private void decideGangs(Instant now, List<Assignment> out) {
    reserved.clear();
    gangWaiting.clear();
    gangOverQuota.clear();
    int budget = policy.maxReservedGpus();
    Map<String, TenantLoad> loads = new HashMap<>(held);
    List<GangWait> waits = new ArrayList<>();
    for (Job job : gangOrder()) {
      GpuNeed.WholeGpus need = job.wholeGpus().orElseThrow();
      String tenant = job.spec().tenant();
      TenantLoad tenantHolds = loads.getOrDefault(tenant, TenantLoad.ZERO);
      Optional<WaitingReason.QuotaReached> quota =
          rules.limit(tenant, tenantHolds, TenantLoad.atLeast(job.requirement()));
      if (quota.isPresent()) {
        gangOverQuota.put(job.id(), quota.get());
        continue;
      }
      Instant ends = endOf(job, now);
      List<WholeGpu> matching = matching(need);
      List<WholeGpu> usable = matching.stream().filter(g -> mayUse(g.index(), ends)).toList();
      List<WholeGpu> freeNow = usable.stream().filter(this::wholeFree).toList();
      if (freeNow.size() >= need.count()) {
        TopologyPreference.Choice choice = preference.choose(freeNow, need.count(), topology);
        TenantLoad adding =
            new TenantLoad(
                choice.gpus().stream().mapToInt(WholeGpu::computeSlices).sum(),
                choice.gpus().stream().mapToLong(WholeGpu::memoryMiB).sum(),
                1);
        quota = rules.limit(tenant, tenantHolds, adding);
        if (quota.isPresent()) {
          gangOverQuota.put(job.id(), quota.get());
          continue;
        }
        out.add(new Assignment(job.id(), List.of(), Optional.of(take(choice, ends))));
        loads.put(tenant, tenantHolds.plus(adding));
        remove(job.id());
        continue;
      }
      List<Integer> mine = new ArrayList<>();
      Optional<Instant> startBy = Optional.empty();
      if (budget >= need.count() && matching.size() >= need.count()) {
        List<WholeGpu> soonest =
            matching.stream()
                .filter(g -> !reserved.containsKey(g.index()))
                .sorted(
                    Comparator.comparing((WholeGpu g) -> freeAt(g, now))
                        .thenComparingInt(WholeGpu::index))
                .limit(need.count())
                .toList();
        if (soonest.size() == need.count()) {
          Instant start = freeAt(soonest.getLast(), now);
          for (WholeGpu g : soonest) {
            start = max(start, freeAt(g, now));
          }
          for (WholeGpu g : soonest) {
            reserved.put(g.index(), start);
            mine.add(g.index());
          }
          budget -= need.count();
          startBy = start.equals(Instant.MAX) ? Optional.empty() : Optional.of(start);
        }
      }
      waits.add(new GangWait(job, matching, mine, startBy));
    }
    // What is free after the decision: later gang jobs may have taken GPUs this one saw free.
    for (GangWait w : waits) {
      Instant ends = endOf(w.job(), now);
      int freeAfter =
          (int)
              w.matching().stream()
                  .filter(this::wholeFree)
                  .filter(g -> w.reserved().contains(g.index()) || mayUse(g.index(), ends))
                  .count();
      gangWaiting.put(
          w.job().id(),
          new WaitingReason.NoWholeGpus(
              w.job().wholeGpus().orElseThrow(),
              freeAfter,
              w.matching().size(),
              w.reserved(),
              w.startBy()));
    }
    held = Map.copyOf(loads);
  }

  /** Why a gang job the last decision did not see waits: the GPUs as they are now. */
  private WaitingReason.NoWholeGpus gangWaitingNow(Job job) {
    GpuNeed.WholeGpus need = job.wholeGpus().orElseThrow();
    List<WholeGpu> matching = matching(need);
    int freeNow = (int) matching.stream().filter(this::wholeFree).count();
    return new WaitingReason.NoWholeGpus(
        need, freeNow, matching.size(), List.of(), Optional.empty());
  }

  /** A gang job left waiting by a decision, before its reason is written. */
  private record GangWait(
      Job job, List<WholeGpu> matching, List<Integer> reserved, Optional<Instant> startBy) {}

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Takes the chosen GPUs out of what is free: held whole, their MIG devices gone. */
  private Scheduler.WholeGpuGrant take(TopologyPreference.Choice choice, Instant ends) {
    List<Integer> turnOff = new ArrayList<>();
    int instances = 0;
    for (WholeGpu g : choice.gpus()) {
      heldWhole.put(g.index(), ends);
      for (MigSlot s : free.freeSlotsOn(g.index())) {
        free.take(s);
      }
      if (g.migEnabled()) {
        turnOff.add(g.index());
        instances += g.instances();
      }
    }
    return new Scheduler.WholeGpuGrant(choice, turnOff, instances);
  }

  /** Moves jobs between fresh and starving so that starving means submitted at or before cutoff. */
  private void promote(Instant newCutoff) {
    cutoff = newCutoff;
    while (!freshByAge.isEmpty() && !freshByAge.first().submittedAt().isAfter(cutoff)) {
      Job j = freshByAge.pollFirst();
      starvingByAge.add(j);
      lanes.get(TenantNeed.of(j)).move(j, true);
    }
    while (!starvingByAge.isEmpty() && starvingByAge.last().submittedAt().isAfter(cutoff)) {
      Job j = starvingByAge.pollLast();
      freshByAge.add(j);
      lanes.get(TenantNeed.of(j)).move(j, false);
    }
  }

  private static final Comparator<Job> BY_AGE =
      Comparator.comparing(Job::submittedAt).thenComparingLong(Job::id);

  /** Within starving or not: highest priority first, then oldest, then lowest id. */
  private static final Comparator<Job> BY_RANK =
      Comparator.comparingInt((Job j) -> -j.spec().priority()).thenComparing(BY_AGE);

  private static int compareHeads(Job a, boolean aStarving, Job b, boolean bStarving) {
    if (aStarving != bStarving) {
      return aStarving ? -1 : 1;
    }
    return BY_RANK.compare(a, b);
  }

  private static final Comparator<Lane> BY_HEAD =
      (a, b) -> compareHeads(a.first(), a.firstStarving(), b.first(), b.firstStarving());

  private static final Comparator<Cursor> BY_CURSOR =
      (a, b) -> compareHeads(a.head, a.starving, b.head, b.starving);

  /**
   * Lowest weighted dominant share first; equal shares by whose best waiting job is older, then by
   * name (as {@code FairShare.order}). Ties are the rule when devices free one at a time: everyone
   * holds nothing then, and a tie broken by weight or name would give every device to the same
   * tenant.
   */
  private static final Comparator<Turn<?>> BY_SHARE =
      Comparator.comparingDouble((Turn<?> t) -> t.share)
          .thenComparing((Turn<?> t) -> t.oldest(), BY_AGE)
          .thenComparing(t -> t.tenant);

  /** One tenant in a walk: what it holds so far and its lanes (or cursors) still waiting. */
  private final class Turn<T> {
    final String tenant;
    final int weight;
    final TenantLoad capacity;
    final PriorityQueue<T> waiting;
    final Function<T, Job> headOf;
    TenantLoad load;
    double share;

    Turn(String tenant, Comparator<T> order, Function<T, Job> headOf, TenantLoad capacity) {
      this.tenant = tenant;
      this.headOf = headOf;
      this.weight = rules.weight(tenant);
      this.capacity = capacity;
      this.waiting = new PriorityQueue<>(order);
      if (weight < 1) {
        throw new IllegalArgumentException(
            "tenant " + tenant + ": a weight is at least 1, was " + weight);
      }
      add(held.getOrDefault(tenant, TenantLoad.ZERO));
    }

    private void add(TenantLoad more) {
      load = load == null ? more : load.plus(more);
      share = load.dominantShareOf(capacity) / weight;
    }

    /** The tenant's best waiting job (only asked while it has one). */
    Job oldest() {
      return headOf.apply(waiting.peek());
    }
  }

  /** The queued jobs of one need, starving ones and the rest, each in rank order. */
  private static final class Lane {
    final TenantNeed key;
    final TreeSet<Job> starving = new TreeSet<>(BY_RANK);
    final TreeSet<Job> fresh = new TreeSet<>(BY_RANK);

    Lane(TenantNeed key) {
      this.key = key;
    }

    void add(Job j, boolean isStarving) {
      (isStarving ? starving : fresh).add(j);
    }

    void remove(Job j, boolean isStarving) {
      (isStarving ? starving : fresh).remove(j);
    }

    void move(Job j, boolean toStarving) {
      (toStarving ? fresh : starving).remove(j);
      (toStarving ? starving : fresh).add(j);
    }

    boolean isEmpty() {
      return starving.isEmpty() && fresh.isEmpty();
    }

    Job first() {
      return starving.isEmpty() ? fresh.first() : starving.first();
    }

    boolean firstStarving() {
      return !starving.isEmpty();
    }

    /** Its first {@code n} jobs in rank order, starving ones first. */
    List<Job> firstJobs(int n) {
      return java.util.stream.Stream.concat(starving.stream(), fresh.stream()).limit(n).toList();
    }
  }

  /** A walk over one lane in rank order, for {@link #inOrder}. */
  private static final class Cursor {
    final Lane lane;
    final java.util.Iterator<Job> starvingIt;
    final java.util.Iterator<Job> freshIt;
    Job head;
    boolean starving;

    Cursor(Lane lane) {
      this.lane = lane;
      starvingIt = lane.starving.iterator();
      freshIt = lane.fresh.iterator();
      advance();
    }

    boolean advance() {
      if (starvingIt.hasNext()) {
        head = starvingIt.next();
        starving = true;
        return true;
      }
      if (freshIt.hasNext()) {
        head = freshIt.next();
        starving = false;
        return true;
      }
      return false;
    }
  }

  /**
   * Free devices no foreign process uses, grouped by shape (memory, then compute). Shapes are few —
   * a handful of profiles per GPU model — so the best fit is the first device of the first shape
   * that offers the need.
   */
  private static final class FreeDevices {
    private final TreeMap<Long, TreeMap<Integer, TreeSet<Entry>>> byShape = new TreeMap<>();
    private final Map<String, MigSlot> layout = new HashMap<>();
    private final Map<String, Entry> freeByUuid = new HashMap<>();
    private final Map<Integer, Integer> layoutPerGpu = new HashMap<>();
    private final Map<Integer, Integer> freePerGpu = new HashMap<>();
    private Map<Requirement, WaitingReason.NoFreeDevice> reasons = new LinkedHashMap<>();
    private TenantLoad capacity = TenantLoad.ZERO;
    private long seq;

    /** A free device and when it became free, for ties in best fit. */
    private record Entry(MigSlot slot, long seq) {}

    private static final Comparator<Entry> ORDER =
        Comparator.comparing(Entry::slot, Scheduler.BEST_FIT).thenComparingLong(Entry::seq);

    void reset(Collection<MigSlot> all, Collection<MigSlot> free) {
      byShape.clear();
      layout.clear();
      freeByUuid.clear();
      layoutPerGpu.clear();
      freePerGpu.clear();
      reasons = new LinkedHashMap<>();
      for (MigSlot s : all) {
        layout.put(s.uuid(), s);
      }
      for (MigSlot s : free) {
        layout.putIfAbsent(s.uuid(), s);
        add(s);
      }
      for (MigSlot s : layout.values()) {
        layoutPerGpu.merge(s.gpu(), 1, Integer::sum);
      }
      int slices = 0;
      long memory = 0;
      for (MigSlot s : layout.values()) {
        slices += s.computeSlices();
        memory += s.memoryMiB();
      }
      capacity = new TenantLoad(slices, memory, 0);
    }

    void release(MigSlot slot) {
      if (!slot.equals(layout.get(slot.uuid()))) {
        throw new IllegalArgumentException(slot.uuid() + " is not a device of the layout");
      }
      if (freeByUuid.containsKey(slot.uuid())) {
        throw new IllegalArgumentException(slot.uuid() + " is already free");
      }
      add(slot);
      reasons.clear(); // what is free changed
    }

    private void add(MigSlot s) {
      if (s.foreignBusy() || freeByUuid.containsKey(s.uuid())) {
        return;
      }
      Entry e = new Entry(s, seq++);
      freeByUuid.put(s.uuid(), e);
      freePerGpu.merge(s.gpu(), 1, Integer::sum);
      byShape
          .computeIfAbsent(s.memoryMiB(), m -> new TreeMap<>())
          .computeIfAbsent(s.computeSlices(), c -> new TreeSet<>(ORDER))
          .add(e);
    }

    int size() {
      return freeByUuid.size();
    }

    /**
     * The best fits for all the devices {@code need} asks, each allowed; empty when fewer are free.
     */
    List<MigSlot> bestFits(Requirement need, java.util.function.Predicate<MigSlot> allowed) {
      List<MigSlot> out = new ArrayList<>(need.devices());
      for (TreeMap<Integer, TreeSet<Entry>> byCompute :
          byShape.tailMap(need.memoryMiB(), true).values()) {
        for (TreeSet<Entry> entries : byCompute.tailMap(need.computeSlices(), true).values()) {
          for (Entry e : entries) {
            if (allowed.test(e.slot())) {
              out.add(e.slot());
              if (out.size() == need.devices()) {
                return out;
              }
            }
          }
        }
      }
      return List.of();
    }

    int layoutOn(int gpu) {
      return layoutPerGpu.getOrDefault(gpu, 0);
    }

    int freeOn(int gpu) {
      return freePerGpu.getOrDefault(gpu, 0);
    }

    List<MigSlot> freeSlotsOn(int gpu) {
      return freeByUuid.values().stream().map(Entry::slot).filter(s -> s.gpu() == gpu).toList();
    }

    /** Takes a free device (one {@link #bestFits} returned). */
    void take(MigSlot slot) {
      Entry e = freeByUuid.remove(slot.uuid());
      byShape.get(slot.memoryMiB()).get(slot.computeSlices()).remove(e);
      freePerGpu.merge(slot.gpu(), -1, Integer::sum);
      reasons.clear(); // what is free changed
    }

    /** What a job on the device with this UUID holds, if the layout has it. */
    Optional<TenantLoad> shapeOf(String uuid) {
      return Optional.ofNullable(layout.get(uuid))
          .map(s -> TenantLoad.ofDevice(s.computeSlices(), s.memoryMiB()));
    }

    /** Every device of the layout together: the node's compute slices and memory. */
    TenantLoad capacity() {
      return capacity;
    }

    WaitingReason.NoFreeDevice whyNoDevice(Requirement need) {
      return reasons.computeIfAbsent(need, this::describe);
    }

    private WaitingReason.NoFreeDevice describe(Requirement need) {
      Map<String, Integer> fitting = new TreeMap<>();
      for (MigSlot s : layout.values()) {
        if (need.fits(s)) {
          fitting.merge(s.profile(), 1, Integer::sum);
        }
      }
      Map<String, Integer> freeNow = new TreeMap<>();
      for (Entry e : freeByUuid.values()) {
        freeNow.merge(e.slot().profile(), 1, Integer::sum);
      }
      return new WaitingReason.NoFreeDevice(need, new TreeMap<>(fitting), new TreeMap<>(freeNow));
    }
  }
}
