package io.migctl.bench;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one transition with one tool on a fresh one-GPU simulated node and measures it. The node is
 * built through the driver with explicit placements, so both tools start from identical GPUs (same
 * instance ids, same MIG UUIDs, same holders).
 */
final class TransitionRunner {

  private static final int GPU = 0;
  private static final long FIRST_PID = 4000;

  private final ApplyJournal journal;

  /**
   * @param journal where migctl's applier journals (every run appends to it)
   */
  TransitionRunner(ApplyJournal journal) {
    this.journal = journal;
  }

  /** Applies the transition's target as mig-parted does. */
  Measurement baseline(Transition t) {
    SimulatedMigDriver node = setUp(t);
    Observation before = observe(node);
    MigPartedBaseline.Result r = new MigPartedBaseline(node).apply(GPU, t.targetCounts());
    boolean failed = r.outcome() == MigPartedBaseline.Outcome.FAILED;
    return measure(t, before, observe(node), r.operations(), r.failedCalls(), false, failed);
  }

  /** Applies the transition's target with migctl's planner and applier. */
  Measurement migctl(Transition t) {
    SimulatedMigDriver node = setUp(t);
    Observation before = observe(node);
    CountingMigDriver counting = new CountingMigDriver(node);
    DesiredGpu desired =
        new DesiredGpu(
            GPU,
            true,
            t.target().stream()
                .map(
                    p ->
                        new DesiredInstance(p, List.of(MigDeviceProfile.defaultComputeInstance(p))))
                .toList(),
            "benchmark transition " + t.index());
    ApplyResult r =
        new LayoutApplier(
                counting, journal, ApplyHooks.NONE, () -> "transition " + t.index(), line -> {})
            .apply(Map.of(GPU, desired));
    return measure(
        t,
        before,
        observe(node),
        counting.operations(),
        counting.failedCalls(),
        !r.refusals().isEmpty(),
        r.failure().isPresent());
  }

  /** A fresh node holding the transition's current layout and busy devices. */
  static SimulatedMigDriver setUp(Transition t) {
    SimulatedMigDriver node =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(t.model().key() + ":1"));
    for (int i = 0; i < t.current().size(); i++) {
      PlacedInstance p = t.current().get(i);
      GpuInstance gi = node.createGpuInstance(GPU, p.profile().id(), Optional.of(p.placement()));
      ComputeInstance ci =
          node.createComputeInstance(
              GPU,
              gi.id(),
              MigDeviceProfile.defaultComputeInstance(p.profile()).id(),
              Optional.empty());
      if (t.busy().get(i)) {
        node.hold(ci.uuid(), FIRST_PID + i);
      }
    }
    return node;
  }

  /** The GPU's MIG devices: which are held, which are idle, and their counts by kind. */
  record Observation(Set<String> busy, Set<String> idle, Map<MigDeviceProfile, Integer> devices) {}

  static Observation observe(SimulatedMigDriver node) {
    GpuSnapshot snapshot = GpuSnapshot.read(node, node.gpus().get(GPU));
    Set<String> busy = new HashSet<>();
    Set<String> idle = new HashSet<>();
    Map<MigDeviceProfile, Integer> devices = new LinkedHashMap<>();
    for (GpuSnapshot.Instance gi : snapshot.instances()) {
      GpuInstanceProfile profile = gi.profile();
      for (GpuSnapshot.Compute ci : gi.computeInstances()) {
        (ci.isBusy() ? busy : idle).add(ci.computeInstance().uuid());
        devices.merge(new MigDeviceProfile(profile, ci.profile()), 1, Integer::sum);
      }
    }
    return new Observation(busy, idle, devices);
  }

  private static Measurement measure(
      Transition t,
      Observation before,
      Observation after,
      int operations,
      int failedCalls,
      boolean refused,
      boolean failed) {
    boolean reached = after.devices().equals(t.targetCounts());
    int busyDestroyed = gone(before.busy(), after);
    int idleDestroyed = gone(before.idle(), after);
    boolean emptied = !reached && !before.idle().isEmpty() && after.idle().isEmpty();
    return new Measurement(
        operations,
        failedCalls,
        refused,
        failed,
        reached,
        busyDestroyed,
        reached ? 0 : idleDestroyed,
        emptied);
  }

  private static int gone(Set<String> uuids, Observation after) {
    int n = 0;
    for (String uuid : uuids) {
      if (!after.busy().contains(uuid) && !after.idle().contains(uuid)) {
        n++;
      }
    }
    return n;
  }
}
