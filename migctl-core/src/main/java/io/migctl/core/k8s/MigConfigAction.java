package io.migctl.core.k8s;

import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.change.PlanStep;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the MIG manager does for a node's {@code nvidia.com/mig.config} label: {@link
 * MigConfigDecision}.
 */
public sealed interface MigConfigAction {

  /** The node has no {@code nvidia.com/mig.config} label: nothing is asked, nothing is done. */
  record NoConfig() implements MigConfigAction {}

  /**
   * The label names no config of the file, or the config cannot be met on this node's GPUs (a
   * profile it does not have, counts that cannot be placed): {@code failed}, nothing changed.
   */
  record Invalid(String config, String reason) implements MigConfigAction {}

  /**
   * The GPUs already are as the config asks ({@code mig assert}): {@code success}, nothing paused.
   */
  record AsDesired(String config) implements MigConfigAction {}

  /**
   * The change cannot be made without harming busy devices: {@code pending} while it may still
   * become possible, {@code failed} once the deadline has passed ({@code gaveUp}).
   *
   * @param reason the planner's reasons, one sentence per GPU
   * @param holders who holds what on the GPUs that cannot change
   */
  record Blocked(String config, String reason, List<Holder> holders, boolean gaveUp)
      implements MigConfigAction {
    public Blocked {
      holders = List.copyOf(holders);
    }

    /** One line naming every holder, for an Event. */
    public String holdersText() {
      return String.join("; ", holders.stream().map(Holder::text).toList());
    }
  }

  /**
   * The change to make: one plan per GPU the config covers (those already as desired have no
   * steps), each minimal and busy-safe.
   *
   * @param desired the desired layouts the plans were made for, by GPU index
   */
  record Change(
      String config,
      List<GpuPlan> plans,
      Map<Integer, io.migctl.core.mig.change.DesiredGpu> desired)
      implements MigConfigAction {
    public Change {
      plans = List.copyOf(plans);
      desired = Map.copyOf(desired);
    }

    /** The GPUs the change resets (only those whose MIG mode changes, on Ampere). */
    public Set<Integer> resetGpus() {
      Set<Integer> out = new TreeSet<>();
      for (GpuPlan p : plans) {
        if (p.steps().stream().anyMatch(s -> s instanceof PlanStep.ResetGpu)) {
          out.add(p.gpu());
        }
      }
      return out;
    }

    /** The GPUs the change touches. */
    public Set<Integer> changedGpus() {
      Set<Integer> out = new TreeSet<>();
      plans.stream().filter(p -> !p.isNoop()).forEach(p -> out.add(p.gpu()));
      return out;
    }

    /** How many driver operations the change performs. */
    public int operations() {
      return plans.stream().mapToInt(GpuPlan::operations).sum();
    }
  }

  /**
   * Who holds a device on a GPU that cannot change.
   *
   * @param device the {@code MIG-…} (or {@code GPU-…}) UUID
   * @param instance the GPU instance as {@code 3g.20gb@4:4}, empty for a whole GPU
   * @param by {@code pod ns/name (container c)} or {@code pid N}
   */
  record Holder(int gpu, String device, String instance, String by) {
    /** {@code GPU 0 MIG-… (3g.20gb@4:4): pod default/train (container main)}. */
    public String text() {
      return "GPU "
          + gpu
          + " "
          + device
          + (instance.isEmpty() ? "" : " (" + instance + ")")
          + ": "
          + by;
    }
  }
}
