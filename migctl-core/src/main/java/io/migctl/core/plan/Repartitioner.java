package io.migctl.core.plan;

import io.migctl.core.job.Requirement;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Repartitioning of idle MIG instances for a queue: which idle instances of which GPU to destroy,
 * which instances to create there, and which waiting demand goes where: the one decision for the
 * node daemon ({@code migctl serve --repartition}) and the simulator's dynamic policy.
 *
 * <p>{@link #plan} visits the GPUs with free room (compute slices no held instance takes), most
 * free room first (ties: lower index). Each GPU takes a share of the remaining queue proportional
 * to its free room (its quota), in queue order, and {@link #decide} picks its layout:
 *
 * <ul>
 *   <li>Held instances are never touched. A candidate layout keeps the held instances, keeps any
 *       subset of the idle ones where they are, and adds any set of instances that {@link
 *       PlacementSearch} can place beside those (placed where they leave the most room).
 *   <li>A layout scores the sum of the speeds the demands get on it: each demand, in queue order up
 *       to the quota, goes to the free instance where it runs fastest (ties: the smallest profile,
 *       then an instance that exists already); a demand goes only where its speed is at least
 *       {@link Params#minSpeed()} or where it runs as fast as anywhere on the model.
 *   <li>Keeping the idle instances as they are is the default. Another layout is taken only when it
 *       destroys nothing or the GPU may be reshaped now (see {@link Gpu#reshapable()}), it serves
 *       the first queued demand that could be placed in the free room (no starving a large demand),
 *       and it scores more than keeping by more than {@code gain} × what it puts at stake: the
 *       speeds that keeping would give on the idle instances the layout destroys (a hysteresis
 *       against thrashing; a layout that destroys only unused idle instances needs just to score
 *       more). Among layouts of equal score, the one with the fewest driver operations (destroyed
 *       plus created instances) wins, since each operation takes reconfiguration time and disturbs
 *       the GPU; then the one that leaves the most room for later demands. An idle instance that a
 *       layout has at the same placement is kept, not recreated.
 * </ul>
 *
 * <p>The decision is a pure function of its arguments; an instance caches the placements of
 * additions beside a set of fixed instances, which only depend on the model.
 */
public final class Repartitioner {

  /** Slack when comparing scores. */
  private static final double EPS = 1e-9;

  /** The most idle instances whose subsets are searched (MIG GPUs have at most 7 instances). */
  private static final int MAX_IDLE = 12;

  /**
   * Tuning.
   *
   * @param gain a reshape must score more than keeping by more than {@code gain} × the speeds
   *     keeping would give on the idle instances it destroys
   * @param minSpeed a demand is placed only on an instance where its speed (relative to the whole
   *     GPU) is at least this, or on one where it runs as fast as on any profile of the model
   */
  public record Params(double gain, double minSpeed) {

    public Params {
      if (!(gain >= 0) || !(minSpeed >= 0)) {
        throw new IllegalArgumentException(
            "gain and minSpeed must be >= 0, were " + gain + ", " + minSpeed);
      }
    }

    /** 10% gain, minimum speed 0.45. */
    public static Params defaults() {
      return new Params(0.10, 0.45);
    }
  }

  /**
   * Something waiting for an instance: a job of the daemon's queue or of a simulated trace.
   *
   * @param name how reasons name it (a job id)
   * @param speeds its speed on each profile relative to the whole GPU; 0 where it does not fit
   */
  public record Demand(String name, ToDoubleFunction<GpuInstanceProfile> speeds) {

    public Demand {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(speeds, "speeds");
    }

    /** Its speed on an instance of {@code profile}; 0 when it does not fit there. */
    public double speed(GpuInstanceProfile profile) {
      return speeds.applyAsDouble(profile);
    }

    /**
     * A demand that runs equally well (speed 1.0) on every profile without attributes that offers
     * the requirement's memory and compute slices, and fits no other profile; with ties going to
     * the smallest profile, it gets the smallest profile of the model that offers the need.
     */
    public static Demand of(String name, Requirement need) {
      Objects.requireNonNull(need, "need");
      return new Demand(
          name,
          p ->
              p.name().attributes().isEmpty()
                      && p.memoryMiB() >= need.memoryMiB()
                      && p.computeSlices() >= need.computeSlices()
                  ? 1.0
                  : 0.0);
    }
  }

  /**
   * One GPU as the repartitioner sees it.
   *
   * @param index the GPU's index
   * @param model its model
   * @param held instances a job or a process holds (or that are promised to one); never touched
   * @param idle instances nobody holds; they may be kept, destroyed, or given to a demand
   * @param reshapable whether idle instances of the GPU may be destroyed now (not cooling down, not
   *     being reshaped); room that no instance takes may always be filled, since that destroys
   *     nothing and so cannot thrash
   */
  public record Gpu(
      int index,
      GpuModel model,
      List<PlacedInstance> held,
      List<PlacedInstance> idle,
      boolean reshapable) {

    public Gpu {
      Objects.requireNonNull(model, "model");
      held = List.copyOf(held);
      idle = List.copyOf(idle);
    }

    /** Compute slices that no held instance takes. */
    public int freeSlices() {
      return model.computeSlices() - computeSlices(held);
    }
  }

  /**
   * A demand given an instance.
   *
   * @param demand the demand's index in the queue given to {@link #plan} or {@link #decide}
   * @param instance the instance (an idle one kept, or one created)
   * @param speed the demand's speed there
   */
  public record Assigned(int demand, PlacedInstance instance, double speed) {}

  /**
   * What to do with one GPU: keep its idle instances and give some to demands, or reshape.
   *
   * @param gpu the GPU's index
   * @param layout the GPU's instances afterwards (held, kept idle and created), by placement
   * @param destroyed idle instances to destroy, by placement
   * @param created instances to create, by placement
   * @param assigned demands given an instance of {@code layout}, in queue order
   * @param score the sum of the assigned demands' speeds
   * @param keepScore what keeping the idle instances as they are would score
   * @param reason why, in words
   */
  public record Decision(
      int gpu,
      List<PlacedInstance> layout,
      List<PlacedInstance> destroyed,
      List<PlacedInstance> created,
      List<Assigned> assigned,
      double score,
      double keepScore,
      String reason) {

    public Decision {
      layout = List.copyOf(layout);
      destroyed = List.copyOf(destroyed);
      created = List.copyOf(created);
      assigned = List.copyOf(assigned);
    }

    /** Whether the GPU's instances change. */
    public boolean reshapes() {
      return !destroyed.isEmpty() || !created.isEmpty();
    }

    /** Driver operations the reshape takes: one per destroyed and created GPU instance. */
    public int operations() {
      return destroyed.size() + created.size();
    }

    /**
     * What changes, e.g. {@code GPU 0: destroy idle 1g.5gb@4:1, 1g.5gb@5:1, 1g.5gb@6:1; create
     * 3g.20gb@4:4}.
     */
    public String describe() {
      String gone =
          destroyed.isEmpty()
              ? "destroy nothing"
              : "destroy idle "
                  + destroyed.stream()
                      .map(PlacedInstance::toString)
                      .collect(Collectors.joining(", "));
      String made =
          created.isEmpty()
              ? "create nothing"
              : "create "
                  + created.stream()
                      .map(PlacedInstance::toString)
                      .collect(Collectors.joining(", "));
      return "GPU " + gpu + ": " + gone + "; " + made;
    }

    /**
     * The layout for {@code mig apply}'s planner: MIG on, every instance of {@link #layout()}
     * pinned at its placement, kept ones with their compute instances, created ones with their
     * profile's default compute instance.
     */
    public DesiredGpu desiredGpu() {
      List<DesiredInstance> instances = new ArrayList<>();
      for (PlacedInstance p : layout) {
        instances.add(desired(p));
      }
      return new DesiredGpu(gpu, true, instances, "a reshape of idle instances");
    }

    private static DesiredInstance desired(PlacedInstance p) {
      if (p.computeInstances().isEmpty()) {
        ComputeInstanceProfile ci =
            ComputeInstanceProfile.of(p.profile()).stream()
                .filter(ComputeInstanceProfile::isDefault)
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            p.profile().name() + " has no default compute instance"));
        return new DesiredInstance(p.profile(), List.of(ci), Optional.of(p.placement()), List.of());
      }
      return new DesiredInstance(
          p.profile(),
          p.computeInstances().stream().map(PlacedComputeInstance::profile).toList(),
          Optional.of(p.placement()),
          p.computeInstances().stream().map(PlacedComputeInstance::placement).toList());
    }
  }

  private final Params params;
  private final Function<GpuModel, List<GpuInstanceProfile>> profiles;
  private final Map<Fixed, List<List<PlacedInstance>>> additions = lru(CACHE_ENTRIES);
  private final Map<Shape, List<Candidate>> candidates = lru(CACHE_ENTRIES);

  /**
   * How many shapes each cache keeps: a GPU model has a few hundred layouts, so a node's decisions
   * meet far fewer; the least recently used go first, so a long-running daemon's memory stays
   * bounded.
   */
  static final int CACHE_ENTRIES = 4096;

  private static <K, V> Map<K, V> lru(int capacity) {
    return Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
          }
        });
  }

  /**
   * A repartitioner that creates instances of {@code profiles.apply(model)} only.
   *
   * @param profiles the profiles a layout may create on a model
   */
  public Repartitioner(Params params, Function<GpuModel, List<GpuInstanceProfile>> profiles) {
    this.params = Objects.requireNonNull(params, "params");
    this.profiles = Objects.requireNonNull(profiles, "profiles");
  }

  /** A repartitioner that creates instances of every profile without attributes. */
  public Repartitioner(Params params) {
    this(params, Repartitioner::plainProfiles);
  }

  /** The tuning. */
  public Params params() {
    return params;
  }

  /** The profiles of {@code model} without attributes ({@code +me}, {@code +gfx}). */
  public static List<GpuInstanceProfile> plainProfiles(GpuModel model) {
    return model.profiles().stream().filter(p -> p.name().attributes().isEmpty()).toList();
  }

  /**
   * Decides every GPU with free room, most free room first, each for its quota of the demands that
   * earlier GPUs did not take.
   *
   * @param gpus the GPUs
   * @param queue the waiting demands, in priority order
   * @return one decision per GPU visited (those with free room, until the queue is used up), in
   *     visiting order; {@link Decision#assigned()} indexes {@code queue}
   */
  public List<Decision> plan(List<Gpu> gpus, List<Demand> queue) {
    List<Gpu> order = new ArrayList<>();
    int freeSum = 0;
    for (Gpu g : gpus) {
      if (g.freeSlices() > 0) {
        order.add(g);
        freeSum += g.freeSlices();
      }
    }
    order.sort(Comparator.comparingInt((Gpu g) -> -g.freeSlices()).thenComparingInt(Gpu::index));
    List<Integer> remaining = new ArrayList<>();
    for (int i = 0; i < queue.size(); i++) {
      remaining.add(i);
    }
    List<Decision> out = new ArrayList<>();
    for (Gpu g : order) {
      if (remaining.isEmpty()) {
        break;
      }
      int quota = (int) Math.ceil((double) remaining.size() * g.freeSlices() / freeSum);
      freeSum -= g.freeSlices();
      Decision d = decide(g, queue, remaining, Math.max(1, quota));
      for (Assigned a : d.assigned()) {
        remaining.remove(Integer.valueOf(a.demand()));
      }
      out.add(d);
    }
    return out;
  }

  /**
   * Decides one GPU for up to {@code quota} demands of {@code queue}.
   *
   * @return the decision; {@link Decision#assigned()} indexes {@code queue}
   */
  public Decision decide(Gpu gpu, List<Demand> queue, int quota) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < queue.size(); i++) {
      all.add(i);
    }
    return decide(gpu, queue, all, quota);
  }

  private Decision decide(Gpu gpu, List<Demand> queue, List<Integer> waiting, int quota) {
    GpuModel model = gpu.model();
    List<PlacedInstance> idle = sorted(gpu.idle());
    List<Assigned> keep = assign(model, queue, waiting, quota, idle);
    double keepScore = score(keep);
    Decision kept =
        new Decision(
            gpu.index(),
            sorted(concat(gpu.held(), idle)),
            List.of(),
            List.of(),
            keep,
            keepScore,
            keepScore,
            keep.isEmpty()
                ? "nothing fits the idle instances"
                : "idle instances kept for " + names(queue, keep));
    if (gpu.freeSlices() == 0) {
      return kept;
    }
    Map<PlacedInstance, PlacedInstance> original = new HashMap<>();
    for (PlacedInstance p : idle) {
      original.put(bare(p), p);
    }
    List<Candidate> options =
        candidates(model, sorted(bare(gpu.held())), sorted(bare(idle))).stream()
            .filter(c -> gpu.reshapable() || c.destroyed().isEmpty())
            .toList();
    Set<GpuInstanceProfile> possible = new HashSet<>();
    for (Candidate c : options) {
      for (PlacedInstance p : c.usable()) {
        possible.add(p.profile());
      }
    }
    Integer head = null;
    for (int i : waiting) {
      if (possible.stream().anyMatch(p -> queue.get(i).speed(p) > 0)) {
        head = i;
        break;
      }
    }
    if (head == null) {
      return kept;
    }
    Candidate best = null;
    List<Assigned> bestAssigned = null;
    double bestScore = 0;
    for (Candidate c : options) {
      if (c.operations() == 0) {
        continue;
      }
      List<Assigned> a = assign(model, queue, waiting, quota, c.usable());
      int first = head;
      if (a.stream().noneMatch(x -> x.demand() == first)) {
        continue;
      }
      double s = score(a);
      if (best == null
          || s > bestScore + EPS
          || (s >= bestScore - EPS && CHEAPEST.compare(c, best) < 0)) {
        best = c;
        bestAssigned = a;
        bestScore = s;
      }
    }
    if (best == null || bestScore - keepScore <= atStake(keep, best) * params.gain() + EPS) {
      return kept;
    }
    List<Assigned> assigned = new ArrayList<>();
    for (Assigned a : bestAssigned) {
      assigned.add(
          new Assigned(a.demand(), original.getOrDefault(a.instance(), a.instance()), a.speed()));
    }
    List<PlacedInstance> usable =
        best.usable().stream().map(p -> original.getOrDefault(p, p)).toList();
    return new Decision(
        gpu.index(),
        sorted(concat(gpu.held(), usable)),
        best.destroyed().stream().map(original::get).toList(),
        best.created(),
        assigned,
        bestScore,
        keepScore,
        String.format(
            "queue %d: free room reshaped for %s (score %.2f vs %.2f kept; destroy %d, create %d)",
            queue.size(),
            names(queue, bestAssigned),
            bestScore,
            keepScore,
            best.destroyed().size(),
            best.created().size()));
  }

  /** The speeds {@code keep} gives on idle instances that {@code c} destroys. */
  private static double atStake(List<Assigned> keep, Candidate c) {
    Set<PlacedInstance> gone = new HashSet<>(c.destroyed());
    double s = 0;
    for (Assigned a : keep) {
      if (gone.contains(bare(a.instance()))) {
        s += a.speed();
      }
    }
    return s;
  }

  /**
   * A layout of the free room: the idle instances it keeps and those it creates (together {@code
   * usable}, kept ones first), and the idle ones it destroys.
   */
  private record Candidate(
      List<PlacedInstance> usable,
      List<PlacedInstance> destroyed,
      List<PlacedInstance> created,
      int roomLeft) {
    int operations() {
      return destroyed.size() + created.size();
    }

    int computeSlices() {
      return Repartitioner.computeSlices(usable);
    }

    long createdMemoryMiB() {
      return created.stream().mapToLong(p -> p.profile().memoryMiB()).sum();
    }
  }

  /**
   * Among layouts of equal score: the fewest operations; then the one that leaves the most room
   * ({@link PlacementSearch#roomLeft}, as instances are placed); then the most compute slices in
   * the free instances; then the least memory created.
   */
  private static final Comparator<Candidate> CHEAPEST =
      Comparator.comparingInt(Candidate::operations)
          .thenComparing(Comparator.comparingInt(Candidate::roomLeft).reversed())
          .thenComparing(Comparator.comparingInt(Candidate::computeSlices).reversed())
          .thenComparingLong(Candidate::createdMemoryMiB);

  /** Cache key: a GPU's model and its held and idle instances, without compute instances. */
  private record Shape(String model, List<PlacedInstance> held, List<PlacedInstance> idle) {}

  /**
   * Every layout of the free room, one per multiset of usable profiles (the score depends on
   * nothing else): the one with the fewest operations, the first found among as many. Instances are
   * bare (no compute instances); the caller maps kept ones back to the GPU's.
   */
  private List<Candidate> candidates(
      GpuModel model, List<PlacedInstance> held, List<PlacedInstance> idle) {
    Shape key = new Shape(model.key(), held, idle);
    List<Candidate> found = candidates.get(key);
    if (found == null) {
      found = enumerateCandidates(model, held, idle);
      candidates.put(key, found);
    }
    return found;
  }

  private List<Candidate> enumerateCandidates(
      GpuModel model, List<PlacedInstance> held, List<PlacedInstance> idle) {
    int n = idle.size();
    List<List<PlacedInstance>> keptSets = new ArrayList<>();
    if (n > MAX_IDLE) {
      keptSets.add(idle);
      keptSets.add(List.of());
    } else {
      // Most kept first: the first candidate found for a multiset is the cheapest so far.
      for (int m = (1 << n) - 1; m >= 0; m--) {
        List<PlacedInstance> keptIdle = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if ((m & (1 << i)) != 0) {
            keptIdle.add(idle.get(i));
          }
        }
        keptSets.add(keptIdle);
      }
    }
    Set<PlacedInstance> idleSet = new HashSet<>(idle);
    PlacementSearch search = new PlacementSearch(model);
    Map<List<Integer>, Candidate> out = new LinkedHashMap<>();
    for (List<PlacedInstance> keptIdle : keptSets) {
      List<List<PlacedInstance>> adds = new ArrayList<>();
      adds.add(List.of());
      adds.addAll(additions(model, concat(held, keptIdle)));
      for (List<PlacedInstance> add : adds) {
        List<PlacedInstance> keptNow = new ArrayList<>(keptIdle);
        List<PlacedInstance> created = new ArrayList<>();
        for (PlacedInstance p : add) {
          (idleSet.contains(p) ? keptNow : created).add(p);
        }
        Set<PlacedInstance> stays = new HashSet<>(keptNow);
        List<PlacedInstance> destroyed = idle.stream().filter(p -> !stays.contains(p)).toList();
        List<PlacedInstance> usable = concat(sorted(keptNow), sorted(created));
        long occupied = 0;
        for (PlacedInstance p : concat(held, usable)) {
          occupied |= p.placement().mask();
        }
        Candidate c =
            new Candidate(
                List.copyOf(usable), destroyed, sorted(created), search.roomLeft(occupied));
        List<Integer> profileIds =
            usable.stream().map(p -> p.profile().id()).sorted().collect(Collectors.toList());
        Candidate old = out.get(profileIds);
        if (old == null || CHEAPEST.compare(c, old) < 0) {
          out.put(profileIds, c);
        }
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * Gives up to {@code quota} demands, in order, each the unused instance where it runs fastest
   * (ties: the smallest profile, then the first instance); demands that fit none are skipped.
   *
   * @param model the instances' model
   * @param queue the demands
   * @param quota the most demands to place
   * @param instances the free instances
   * @return the demands placed, in queue order, indexing {@code queue}
   */
  public List<Assigned> assign(
      GpuModel model, List<Demand> queue, int quota, List<PlacedInstance> instances) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < queue.size(); i++) {
      all.add(i);
    }
    return assign(model, queue, all, quota, instances);
  }

  private List<Assigned> assign(
      GpuModel model,
      List<Demand> queue,
      List<Integer> waiting,
      int quota,
      List<PlacedInstance> instances) {
    boolean[] used = new boolean[instances.size()];
    List<Assigned> out = new ArrayList<>();
    List<GpuInstanceProfile> onModel = profiles.apply(model);
    for (int d : waiting) {
      if (out.size() >= quota || out.size() == instances.size()) {
        break;
      }
      Demand demand = queue.get(d);
      double top = 0;
      for (GpuInstanceProfile p : onModel) {
        top = Math.max(top, demand.speed(p));
      }
      int best = -1;
      double bestSpeed = 0;
      for (int i = 0; i < instances.size(); i++) {
        if (used[i]) {
          continue;
        }
        GpuInstanceProfile p = instances.get(i).profile();
        double v = demand.speed(p);
        if (!(v > 0) || (v < params.minSpeed() && v < top)) {
          continue;
        }
        if (v > bestSpeed
            || (v == bestSpeed
                && ProfileChoice.SMALLEST.compare(p, instances.get(best).profile()) < 0)) {
          best = i;
          bestSpeed = v;
        }
      }
      if (best >= 0) {
        used[best] = true;
        out.add(new Assigned(d, instances.get(best), bestSpeed));
      }
    }
    return out;
  }

  /** The sum of the assigned speeds. */
  public static double score(List<Assigned> assigned) {
    double s = 0;
    for (Assigned a : assigned) {
      s += a.speed();
    }
    return s;
  }

  /** Cache key: a model and instances by placement, without their compute instances. */
  private record Fixed(String model, List<PlacedInstance> instances) {}

  /**
   * Every non-empty multiset of this repartitioner's profiles that can be placed beside {@code
   * fixed}, each placed where it leaves the most room and sorted by placement (cached).
   */
  public List<List<PlacedInstance>> additions(GpuModel model, List<PlacedInstance> fixed) {
    List<PlacedInstance> plain = sorted(bare(fixed));
    Fixed key = new Fixed(model.key(), plain);
    List<List<PlacedInstance>> found = additions.get(key);
    if (found == null) {
      found = additions(model, profiles.apply(model), plain);
      additions.put(key, found);
    }
    return found;
  }

  /**
   * Every non-empty multiset of {@code profiles} that can be placed beside {@code fixed}, each with
   * its placement found by {@link PlacementSearch#placeLeavingMostRoom} and sorted by placement.
   */
  public static List<List<PlacedInstance>> additions(
      GpuModel model, List<GpuInstanceProfile> profiles, List<PlacedInstance> fixed) {
    List<List<PlacedInstance>> out = new ArrayList<>();
    enumerate(
        new PlacementSearch(model),
        profiles,
        fixed,
        0,
        model.computeSlices() - computeSlices(fixed),
        new LinkedHashMap<>(),
        out);
    return List.copyOf(out);
  }

  private static void enumerate(
      PlacementSearch search,
      List<GpuInstanceProfile> profiles,
      List<PlacedInstance> fixed,
      int index,
      int room,
      Map<GpuInstanceProfile, Integer> counts,
      List<List<PlacedInstance>> out) {
    if (index == profiles.size()) {
      if (counts.isEmpty()) {
        return;
      }
      Feasibility f = search.placeLeavingMostRoom(fixed, counts);
      if (f instanceof Feasibility.Placeable(List<PlacedInstance> placed)) {
        out.add(sorted(placed));
      }
      return;
    }
    GpuInstanceProfile p = profiles.get(index);
    for (int n = 0; n * p.computeSlices() <= room && n <= p.maxCount(); n++) {
      if (n > 0) {
        counts.put(p, n);
      }
      enumerate(search, profiles, fixed, index + 1, room - n * p.computeSlices(), counts, out);
    }
    counts.remove(p);
  }

  private static PlacedInstance bare(PlacedInstance p) {
    return p.computeInstances().isEmpty() ? p : new PlacedInstance(p.profile(), p.placement());
  }

  private static List<PlacedInstance> bare(List<PlacedInstance> instances) {
    return instances.stream().map(Repartitioner::bare).toList();
  }

  private static int computeSlices(List<PlacedInstance> instances) {
    int n = 0;
    for (PlacedInstance p : instances) {
      n += p.profile().computeSlices();
    }
    return n;
  }

  private static List<PlacedInstance> sorted(List<PlacedInstance> instances) {
    List<PlacedInstance> copy = new ArrayList<>(instances);
    copy.sort(Comparator.comparing(PlacedInstance::placement));
    return List.copyOf(copy);
  }

  private static List<PlacedInstance> concat(List<PlacedInstance> a, List<PlacedInstance> b) {
    List<PlacedInstance> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static String names(List<Demand> queue, List<Assigned> assigned) {
    return assigned.stream()
        .map(a -> queue.get(a.demand()).name())
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
