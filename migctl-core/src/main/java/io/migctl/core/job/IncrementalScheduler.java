package io.migctl.core.job;

import io.migctl.core.job.Scheduler.Assignment;
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

/**
 * The scheduler kept between decisions: the queue, indexed by what each job needs, and the free
 * devices, indexed by shape. Jobs join and leave, devices free up, and {@link #decide} places what
 * it can — the same decisions as {@link Scheduler#decide} on a snapshot of the same queue and free
 * devices, without sorting the queue or the devices again.
 *
 * <p>A decision is the greedy walk of the queue in {@link Scheduler} order (starving jobs first,
 * then priority, then age, then id), each job taking its best fit. Jobs with the same need form a
 * lane, kept in that order. The walk merges the lanes by their first job; once a job finds no
 * device, no later job of its lane can (free devices only run out during a walk), so its lane
 * leaves the walk. A decision therefore costs about (placed jobs + lanes) × log(queue), whatever
 * the queue's depth. Jobs that start to starve move between two sets per lane as time passes. Jobs
 * without a GPU form one lane that takes CPU-job slots instead of devices, and leaves the walk when
 * the slots run out.
 *
 * <p>Not thread-safe: one thread owns it (the daemon's job thread).
 */
public final class IncrementalScheduler {

  private final Scheduler.Policy policy;
  private final Map<Long, Job> jobs = new HashMap<>();
  private final Map<Optional<Requirement>, Lane> lanes = new HashMap<>();

  /** Jobs not yet starving, oldest first; the next to start starving is the first. */
  private final TreeSet<Job> freshByAge = new TreeSet<>(BY_AGE);

  /** Starving jobs, oldest first; should the clock go back, the last may stop starving. */
  private final TreeSet<Job> starvingByAge = new TreeSet<>(BY_AGE);

  private final FreeDevices free = new FreeDevices();
  private Instant cutoff = Instant.MIN;
  private int cpuInUse;

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
    boolean starving = !job.submittedAt().isAfter(cutoff);
    (starving ? starvingByAge : freshByAge).add(job);
    lanes.computeIfAbsent(job.requirement(), Lane::new).add(job, starving);
  }

  /** Takes a job out of the queue; false when it was not there. */
  public boolean remove(long id) {
    Job job = jobs.remove(id);
    if (job == null) {
      return false;
    }
    boolean starving = starvingByAge.remove(job);
    if (!starving) {
      freshByAge.remove(job);
    }
    Lane lane = lanes.get(job.requirement());
    lane.remove(job, starving);
    if (lane.isEmpty()) {
      lanes.remove(job.requirement());
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
   * without a GPU, its CPU-job slot) stops being free.
   *
   * @return the assignments, in the order they were decided
   */
  public List<Assignment> decide(Instant now) {
    promote(now.minus(policy.starvationAfter()));
    PriorityQueue<Lane> walk = new PriorityQueue<>(Math.max(1, lanes.size()), BY_HEAD);
    walk.addAll(lanes.values());
    List<Assignment> out = new ArrayList<>();
    while (!walk.isEmpty()) {
      Lane lane = walk.poll();
      Job head = lane.first();
      Optional<MigSlot> slot;
      if (lane.need.isEmpty()) {
        if (cpuInUse >= policy.cpuJobLimit()) {
          continue; // the lane waits: every CPU-job slot is taken
        }
        cpuInUse++;
        slot = Optional.empty();
      } else {
        MigSlot best = free.takeBestFit(lane.need.get());
        if (best == null) {
          continue; // the lane waits: nothing free fits its need
        }
        slot = Optional.of(best);
      }
      remove(head.id());
      out.add(new Assignment(head.id(), slot));
      if (!lane.isEmpty()) {
        walk.add(lane);
      }
    }
    return out;
  }

  /** The queued jobs in decision order as of the last {@link #decide}. */
  public List<Job> inOrder() {
    PriorityQueue<Cursor> merge = new PriorityQueue<>(Math.max(1, lanes.size()), BY_CURSOR);
    for (Lane lane : lanes.values()) {
      merge.add(new Cursor(lane));
    }
    List<Job> out = new ArrayList<>(jobs.size());
    while (!merge.isEmpty()) {
      Cursor c = merge.poll();
      out.add(c.head);
      if (c.advance()) {
        merge.add(c);
      }
    }
    return out;
  }

  /**
   * The distinct needs of the queued jobs that need a GPU; after {@link #decide} every one of them
   * waits.
   */
  public Set<Requirement> waitingNeeds() {
    Set<Requirement> needs = new HashSet<>();
    for (Optional<Requirement> need : lanes.keySet()) {
      need.ifPresent(needs::add);
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

  /** When jobs without a GPU wait after the last {@link #decide}: the slots, all in use. */
  public Optional<WaitingReason.CpuJobSlots> cpuJobsWaiting() {
    return lanes.containsKey(Optional.<Requirement>empty())
        ? Optional.of(new WaitingReason.CpuJobSlots(cpuInUse, policy.cpuJobLimit()))
        : Optional.empty();
  }

  /** Moves jobs between fresh and starving so that starving means submitted at or before cutoff. */
  private void promote(Instant newCutoff) {
    cutoff = newCutoff;
    while (!freshByAge.isEmpty() && !freshByAge.first().submittedAt().isAfter(cutoff)) {
      Job j = freshByAge.pollFirst();
      starvingByAge.add(j);
      lanes.get(j.requirement()).move(j, true);
    }
    while (!starvingByAge.isEmpty() && starvingByAge.last().submittedAt().isAfter(cutoff)) {
      Job j = starvingByAge.pollLast();
      freshByAge.add(j);
      lanes.get(j.requirement()).move(j, false);
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

  /** The queued jobs of one need, starving ones and the rest, each in rank order. */
  private static final class Lane {
    final Optional<Requirement> need;
    final TreeSet<Job> starving = new TreeSet<>(BY_RANK);
    final TreeSet<Job> fresh = new TreeSet<>(BY_RANK);

    Lane(Optional<Requirement> need) {
      this.need = need;
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
  }

  /** A walk over one lane in rank order, for {@link #inOrder}. */
  private static final class Cursor {
    final java.util.Iterator<Job> starvingIt;
    final java.util.Iterator<Job> freshIt;
    Job head;
    boolean starving;

    Cursor(Lane lane) {
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
    private Map<Requirement, WaitingReason.NoFreeDevice> reasons = new LinkedHashMap<>();
    private long seq;

    /** A free device and when it became free, for ties in best fit. */
    private record Entry(MigSlot slot, long seq) {}

    private static final Comparator<Entry> ORDER =
        Comparator.comparing(Entry::slot, Scheduler.BEST_FIT).thenComparingLong(Entry::seq);

    void reset(Collection<MigSlot> all, Collection<MigSlot> free) {
      byShape.clear();
      layout.clear();
      freeByUuid.clear();
      reasons = new LinkedHashMap<>();
      for (MigSlot s : all) {
        layout.put(s.uuid(), s);
      }
      for (MigSlot s : free) {
        layout.putIfAbsent(s.uuid(), s);
        add(s);
      }
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
      byShape
          .computeIfAbsent(s.memoryMiB(), m -> new TreeMap<>())
          .computeIfAbsent(s.computeSlices(), c -> new TreeSet<>(ORDER))
          .add(e);
    }

    int size() {
      return freeByUuid.size();
    }

    /** Removes and returns the best fit for {@code need}, or null when no free device fits. */
    MigSlot takeBestFit(Requirement need) {
      if (freeByUuid.isEmpty()) {
        return null;
      }
      for (TreeMap<Integer, TreeSet<Entry>> byCompute :
          byShape.tailMap(need.memoryMiB(), true).values()) {
        for (TreeSet<Entry> entries : byCompute.tailMap(need.computeSlices(), true).values()) {
          if (!entries.isEmpty()) {
            Entry e = entries.pollFirst();
            freeByUuid.remove(e.slot().uuid());
            reasons.clear(); // what is free changed
            return e.slot();
          }
        }
      }
      return null;
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
