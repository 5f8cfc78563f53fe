package io.migctl.core.mig.change;

import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a GPU has, as a layout change records it: its MIG mode (in effect and pending) and its GPU
 * instances with their compute instances, by profile and placement. It is what an undo returns to
 * and what a change interrupted by a crash is finished to. Driver ids and MIG UUIDs are not part of
 * it: a GPU instance recreated at the same placement is the same entry, although the driver gives
 * it new ids and its MIG devices new UUIDs.
 *
 * <p>Instances are kept sorted by placement (compute instances too), so two states with the same
 * instances are equal.
 *
 * @param mode the MIG mode
 * @param layout the instances (none while MIG mode is not in effect)
 */
public record GpuState(MigMode mode, Layout layout) {

  private static final Comparator<PlacedInstance> BY_PLACEMENT =
      Comparator.comparing(PlacedInstance::placement);

  public GpuState {
    if (!mode.current() && !layout.instances().isEmpty()) {
      throw new IllegalArgumentException(
          "a GPU without MIG mode in effect has no instances, but "
              + layout.instances()
              + " given");
    }
    layout =
        new Layout(
            layout.instances().stream()
                .map(
                    i ->
                        new PlacedInstance(
                            i.profile(),
                            i.placement(),
                            i.computeInstances().stream()
                                .sorted(Comparator.comparing(PlacedComputeInstance::placement))
                                .toList()))
                .sorted(BY_PLACEMENT)
                .toList());
  }

  /** The state of a live GPU. */
  public static GpuState of(GpuSnapshot live) {
    return new GpuState(live.device().migMode(), live.layout());
  }

  /** Whether the live GPU is in this state. */
  public boolean isReachedBy(GpuSnapshot live) {
    return of(live).equals(this);
  }

  /**
   * The state this one becomes when the steps of {@code plan} are performed on a GPU of {@code
   * model}, as the driver performs them: a mode change waits for a reset where the architecture
   * needs one, and a reset leaves no instance.
   *
   * @throws IllegalArgumentException when a step does not fit the state (a destroy of an instance
   *     it does not have, a create in a GPU instance it does not have)
   */
  public GpuState after(GpuPlan plan, GpuModel model) {
    boolean current = mode.current();
    boolean pending = mode.pending();
    List<PlacedInstance> instances = new ArrayList<>(layout.instances());
    for (PlanStep step : plan.steps()) {
      switch (step) {
        case PlanStep.KeepGpuInstance k -> {}
        case PlanStep.KeepComputeInstance k -> {}
        case PlanStep.DestroyComputeInstance d -> {
          PlacedInstance gi = find(instances, d.gpuInstancePlacement(), step);
          List<PlacedComputeInstance> cis = new ArrayList<>(gi.computeInstances());
          if (!cis.remove(new PlacedComputeInstance(d.profile(), d.placement()))) {
            throw new IllegalArgumentException(step + ": no such compute instance in " + gi);
          }
          instances.set(
              instances.indexOf(gi), new PlacedInstance(gi.profile(), gi.placement(), cis));
        }
        case PlanStep.DestroyGpuInstance d ->
            instances.remove(find(instances, d.placement(), step));
        case PlanStep.CreateGpuInstance c ->
            instances.add(new PlacedInstance(c.profile(), c.placement()));
        case PlanStep.CreateComputeInstance c -> {
          PlacedInstance gi = find(instances, c.gpuInstancePlacement(), step);
          List<PlacedComputeInstance> cis = new ArrayList<>(gi.computeInstances());
          cis.add(new PlacedComputeInstance(c.profile(), c.placement()));
          instances.set(
              instances.indexOf(gi), new PlacedInstance(gi.profile(), gi.placement(), cis));
        }
        case PlanStep.SetMigMode m -> {
          pending = m.enabled();
          if (!model.architecture().modeChangeNeedsReset()) {
            current = m.enabled();
          }
        }
        case PlanStep.ResetGpu r -> {
          current = pending;
          instances.clear();
        }
      }
    }
    return new GpuState(new MigMode(current, pending), new Layout(instances));
  }

  /**
   * What {@link ReconfigurationPlanner} needs to reach this state: every GPU instance and compute
   * instance pinned to its placement. A pending mode change is not part of it (the planner makes a
   * GPU's mode take effect).
   */
  public DesiredGpu desired(int gpu, String source) {
    return new DesiredGpu(
        gpu,
        mode.current(),
        layout.instances().stream()
            .map(
                i ->
                    new DesiredInstance(
                        i.profile(),
                        i.computeInstances().stream().map(PlacedComputeInstance::profile).toList(),
                        Optional.of(i.placement()),
                        i.computeInstances().stream()
                            .map(PlacedComputeInstance::placement)
                            .toList()))
            .toList(),
        source);
  }

  /**
   * What of this state the live GPU lacks, one phrase each: {@code MIG mode enabled}, {@code
   * 2g.10gb@0:2 with 2g.10gb@0:2}, {@code compute instance 1c.3g.20gb@1:1 in 3g.20gb@4:4}. Empty
   * when the GPU has all of it (it may have more; see {@link #extraOn}).
   */
  public List<String> missingFrom(GpuSnapshot live) {
    List<String> out = new ArrayList<>();
    MigMode now = live.device().migMode();
    if (now.current() != mode.current()) {
      out.add("MIG mode " + (mode.current() ? "enabled" : "disabled"));
    } else if (now.pending() != mode.pending()) {
      out.add("MIG mode " + (mode.pending() ? "enabled" : "disabled") + " after a reset");
    }
    out.addAll(absent(layout.instances(), GpuState.of(live).layout().instances()));
    return out;
  }

  /**
   * What the live GPU has beyond this state, one phrase each, as {@link #missingFrom} words them.
   */
  public List<String> extraOn(GpuSnapshot live) {
    return absent(GpuState.of(live).layout().instances(), layout.instances());
  }

  /** The instances and compute instances of {@code these} that {@code in} lacks, in words. */
  private static List<String> absent(List<PlacedInstance> these, List<PlacedInstance> in) {
    List<String> out = new ArrayList<>();
    for (PlacedInstance i : these) {
      Optional<PlacedInstance> same = at(in, i);
      if (same.isEmpty()) {
        out.add(withComputeInstances(i));
        continue;
      }
      for (PlacedComputeInstance ci : i.computeInstances()) {
        if (!same.get().computeInstances().contains(ci)) {
          out.add("compute instance " + ci + " in " + i);
        }
      }
    }
    return out;
  }

  private static String withComputeInstances(PlacedInstance i) {
    if (i.computeInstances().isEmpty()) {
      return i + " without compute instances";
    }
    return i
        + " with "
        + String.join(
            ", ", i.computeInstances().stream().map(PlacedComputeInstance::toString).toList());
  }

  private static Optional<PlacedInstance> at(List<PlacedInstance> in, PlacedInstance like) {
    return in.stream()
        .filter(i -> i.placement().equals(like.placement()) && i.profile().equals(like.profile()))
        .findFirst();
  }

  private static PlacedInstance find(List<PlacedInstance> in, Placement at, PlanStep step) {
    return in.stream()
        .filter(i -> i.placement().equals(at))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException(step + ": no GPU instance at " + at + " in " + in));
  }
}
