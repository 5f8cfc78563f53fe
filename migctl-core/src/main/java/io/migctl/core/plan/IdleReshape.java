package io.migctl.core.plan;

import io.migctl.core.job.Requirement;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.Feasibility;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.mig.plan.DesiredGpu;
import io.migctl.core.mig.plan.DesiredInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/**
 * A reshape of one GPU's idle instances so that a waiting job fits: the busy instances and the idle
 * ones not in the way stay, the idle ones in the way go, and one instance of the job's profile is
 * created.
 *
 * <p>{@link #plan} is pure: per GPU it takes the smallest profile of the GPU's model that meets the
 * requirement (by memory slices, then compute slices, then memory, then id; profiles with
 * attributes are never chosen), and tries every set of idle instances to destroy, fewest first, for
 * one where the new instance fits beside the rest (placed where it leaves the most room). Among
 * GPUs, the reshape with the fewest driver operations (destroys plus creates) wins, since
 * reconfiguration takes time; ties go to the lower GPU index. A busy instance is never destroyed.
 *
 * @param gpu the GPU's index
 * @param model its model
 * @param kept the instances that stay (busy ones and idle ones not in the way)
 * @param destroyed the idle instances that go
 * @param created the instance made for the job
 */
public record IdleReshape(
    int gpu,
    GpuModel model,
    List<PlacedInstance> kept,
    List<PlacedInstance> destroyed,
    PlacedInstance created) {

  public IdleReshape {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(created, "created");
    kept = List.copyOf(kept);
    destroyed = List.copyOf(destroyed);
  }

  /**
   * One GPU as a reshape sees it.
   *
   * @param index the GPU's index
   * @param model its model
   * @param busy instances a job or a process holds; never touched
   * @param idle instances nobody holds; they may be destroyed
   */
  public record GpuState(
      int index, GpuModel model, List<PlacedInstance> busy, List<PlacedInstance> idle) {
    public GpuState {
      Objects.requireNonNull(model, "model");
      busy = List.copyOf(busy);
      idle = List.copyOf(idle);
    }
  }

  /** The most idle instances a GPU may have for an exhaustive search (MIG GPUs have at most 7). */
  private static final int MAX_IDLE = 16;

  /**
   * The cheapest reshape that makes room for {@code need}, if any.
   *
   * @param gpus the node's GPUs with MIG on
   * @param need what the job needs of a device
   * @param allowed which GPU indexes may be reshaped now (e.g. those past their cooldown)
   */
  public static Optional<IdleReshape> plan(
      List<GpuState> gpus, Requirement need, IntPredicate allowed) {
    IdleReshape best = null;
    for (GpuState g : gpus) {
      if (!allowed.test(g.index())) {
        continue;
      }
      Optional<IdleReshape> r = planOn(g, need);
      if (r.isPresent() && (best == null || r.get().operations() < best.operations())) {
        best = r.get();
      }
    }
    return Optional.ofNullable(best);
  }

  /** The cheapest reshape of one GPU for {@code need}, if one exists. */
  static Optional<IdleReshape> planOn(GpuState g, Requirement need) {
    Optional<GpuInstanceProfile> profile = smallestProfile(g.model(), need);
    if (profile.isEmpty() || g.idle().size() > MAX_IDLE) {
      return Optional.empty();
    }
    PlacementSearch search = new PlacementSearch(g.model());
    int n = g.idle().size();
    List<Integer> masks = new ArrayList<>();
    for (int m = 0; m < (1 << n); m++) {
      masks.add(m);
    }
    // Fewest destroyed first; among as many, the lower-placed instances first (stable order).
    masks.sort(Comparator.comparingInt(Integer::bitCount));
    for (int m : masks) {
      List<PlacedInstance> kept = new ArrayList<>(g.busy());
      List<PlacedInstance> destroyed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ((m & (1 << i)) != 0 ? destroyed : kept).add(g.idle().get(i));
      }
      Feasibility f = search.placeLeavingMostRoom(kept, Map.of(profile.get(), 1));
      if (f instanceof Feasibility.Placeable p) {
        kept.sort(Comparator.comparing(PlacedInstance::placement));
        destroyed.sort(Comparator.comparing(PlacedInstance::placement));
        return Optional.of(
            new IdleReshape(g.index(), g.model(), kept, destroyed, p.placed().getFirst()));
      }
    }
    return Optional.empty();
  }

  /** The smallest profile of {@code model} without attributes that offers {@code need}. */
  public static Optional<GpuInstanceProfile> smallestProfile(GpuModel model, Requirement need) {
    return model.profiles().stream()
        .filter(q -> q.name().attributes().isEmpty())
        .filter(q -> q.memoryMiB() >= need.memoryMiB() && q.computeSlices() >= need.computeSlices())
        .min(ProfileChoice.SMALLEST);
  }

  /** Driver operations the reshape takes: one per destroyed and created GPU instance. */
  public int operations() {
    return destroyed.size() + 1;
  }

  /**
   * The layout for {@code mig apply}'s planner: MIG on, every kept instance pinned where it is with
   * its compute instances, and the created one pinned with its default compute instance.
   */
  public DesiredGpu desiredGpu() {
    List<DesiredInstance> instances = new ArrayList<>();
    for (PlacedInstance p : kept) {
      instances.add(desired(p));
    }
    instances.add(desired(created));
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
    return "GPU " + gpu + ": " + gone + "; create " + created;
  }
}
