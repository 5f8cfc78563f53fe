package io.migctl.core.mig.change;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans the undo of a GPU's interrupted layout change: the steps that take the GPU from what it has
 * now back to the state it had before the change.
 *
 * <p>The undo is derived from the live GPU and the recorded state, not from the steps the change
 * performed, so it is right whatever the driver did with the failed step: GPU instances the GPU has
 * and the old state lacks are destroyed (their compute instances first), those it lacks are created
 * again at their placements with their compute instances at theirs, compute instances inside a kept
 * GPU instance are destroyed or created likewise, and a MIG mode that changed is asked for again
 * (with a reset where the architecture needs one to make it take effect). Recreated MIG devices get
 * new UUIDs from the driver. Instances both have are not touched, so a busy one never is. Steps run
 * in {@link StepOrder}'s order, except that a mode change goes between destroys and creates.
 *
 * <p>{@link #needs} says which later steps to skip when an undo step fails.
 */
public final class UndoPlanner {

  private UndoPlanner() {}

  /** The steps from {@code live} back to {@code before}; a no-op plan when they are equal. */
  public static GpuPlan plan(GpuSnapshot live, GpuState before) {
    int gpu = live.device().index();
    MigMode now = live.device().migMode();
    MigMode was = before.mode();
    if (now.current() == was.current()) {
      List<PlanStep> diff = now.current() ? diff(live, before) : List.of();
      if (now.pending() == was.pending()) {
        return new GpuPlan(
            gpu, StepOrder.createsFirst(live.model(), live.layout().instances(), diff));
      }
      // Asking for MIG mode off needs a GPU without GPU instances: between destroys and creates.
      return new GpuPlan(
          gpu, StepOrder.destroysFirst(diff, List.of(new PlanStep.SetMigMode(was.pending()))));
    }
    List<PlanStep> steps = new ArrayList<>();
    for (GpuSnapshot.Instance inst : live.instances()) {
      ReconfigurationPlanner.destroy(inst, steps);
    }
    if (live.model().architecture().modeChangeNeedsReset()) {
      if (now.pending() != was.current()) {
        steps.add(new PlanStep.SetMigMode(was.current()));
      }
      steps.add(new PlanStep.ResetGpu());
    } else {
      steps.add(new PlanStep.SetMigMode(was.current()));
    }
    if (was.pending() != was.current()) {
      steps.add(new PlanStep.SetMigMode(was.pending()));
    }
    for (PlacedInstance inst : before.layout().instances()) {
      create(inst, inst.computeInstances(), steps);
    }
    return new GpuPlan(gpu, steps);
  }

  /**
   * Whether {@code later} cannot run once {@code failed} has failed (or was skipped): the destroy
   * of a GPU instance whose compute instance stayed, a create where something that stayed sits, a
   * compute instance in a GPU instance that was not created, and anything after a mode step, or a
   * mode step after a destroy (turning MIG off and resetting need an empty GPU).
   */
  public static boolean needs(PlanStep later, PlanStep failed) {
    return switch (failed) {
      case PlanStep.SetMigMode m -> true;
      case PlanStep.ResetGpu r -> true;
      case PlanStep.DestroyComputeInstance d ->
          switch (later) {
            case PlanStep.DestroyGpuInstance g -> g.placement().equals(d.gpuInstancePlacement());
            case PlanStep.CreateComputeInstance c ->
                c.gpuInstancePlacement().equals(d.gpuInstancePlacement())
                    && c.placement().overlaps(d.placement());
            case PlanStep.CreateGpuInstance c -> c.placement().overlaps(d.gpuInstancePlacement());
            case PlanStep.SetMigMode m -> true;
            case PlanStep.ResetGpu r -> true;
            default -> false;
          };
      case PlanStep.DestroyGpuInstance d ->
          switch (later) {
            case PlanStep.CreateGpuInstance c -> c.placement().overlaps(d.placement());
            case PlanStep.SetMigMode m -> true;
            case PlanStep.ResetGpu r -> true;
            default -> false;
          };
      case PlanStep.CreateGpuInstance c ->
          later instanceof PlanStep.CreateComputeInstance ci
              && ci.gpuInstancePlacement().equals(c.placement());
      default -> false;
    };
  }

  /** Keeps, destroys and creates between two GPUs with MIG mode in effect. */
  private static List<PlanStep> diff(GpuSnapshot live, GpuState before) {
    List<PlanStep> out = new ArrayList<>();
    List<PlacedInstance> matched = new ArrayList<>();
    for (GpuSnapshot.Instance inst : live.instances()) {
      Optional<PlacedInstance> old =
          before.layout().instances().stream()
              .filter(
                  o ->
                      o.placement().equals(inst.gpuInstance().placement())
                          && o.profile().equals(inst.profile()))
              .findFirst();
      if (old.isEmpty()) {
        ReconfigurationPlanner.destroy(inst, out);
        continue;
      }
      matched.add(old.get());
      out.add(
          new PlanStep.KeepGpuInstance(
              inst.gpuInstance().id(), inst.profile(), inst.gpuInstance().placement()));
      List<PlacedComputeInstance> missing = new ArrayList<>(old.get().computeInstances());
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        boolean wanted =
            missing.remove(new PlacedComputeInstance(c.profile(), c.computeInstance().placement()));
        out.add(ReconfigurationPlanner.computeStep(inst, c, wanted));
      }
      for (PlacedComputeInstance c : missing) {
        out.add(
            new PlanStep.CreateComputeInstance(
                inst.profile(), inst.gpuInstance().placement(), c.profile(), c.placement()));
      }
    }
    for (PlacedInstance old : before.layout().instances()) {
      if (!matched.contains(old)) {
        create(old, old.computeInstances(), out);
      }
    }
    return out;
  }

  private static void create(
      PlacedInstance gi, List<PlacedComputeInstance> cis, List<PlanStep> steps) {
    steps.add(new PlanStep.CreateGpuInstance(gi.profile(), gi.placement()));
    for (PlacedComputeInstance c : cis) {
      steps.add(
          new PlanStep.CreateComputeInstance(
              gi.profile(), gi.placement(), c.profile(), c.placement()));
    }
  }
}
