package io.migctl.core.k8s;

import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.change.LayoutAssertion;
import io.migctl.core.mig.change.PlanOutcome;
import io.migctl.core.mig.change.ReconfigurationPlanner;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.MigPartedConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what the MIG manager does for a node: the label's config against the live GPUs, the
 * kubelet's allocations and how long the node has been waiting. Pure: snapshots in, an {@link
 * MigConfigAction} out.
 *
 * <ol>
 *   <li>No label: {@link MigConfigAction.NoConfig}.
 *   <li>A config the file does not have, or one this node's GPUs cannot take: {@link
 *       MigConfigAction.Invalid}.
 *   <li>Every GPU the config covers already as it asks, judged as {@code mig assert} judges (MIG
 *       mode, and MIG devices by profile): {@link MigConfigAction.AsDesired}.
 *   <li>Otherwise each GPU is planned with {@link ReconfigurationPlanner}, where a device is busy
 *       when a process holds it or the kubelet has allocated it to a pod (a pod that has not
 *       started CUDA yet is protected too). A GPU allocated whole ({@code GPU-…}) is busy as a
 *       whole: it may not change at all. Any GPU that cannot change: {@link
 *       MigConfigAction.Blocked}, given up once the node has been pending for {@code deadline}.
 *       Else {@link MigConfigAction.Change}.
 * </ol>
 */
public final class MigConfigDecision {

  private MigConfigDecision() {}

  /**
   * What the decision looks at.
   *
   * @param config the label's value; empty when the node has no label
   * @param file the mig-parted file the operator mounts
   * @param pendingSince when the node went {@code pending} for this config, if it is
   * @param deadline how long a blocked change may stay pending before it fails
   */
  public record Request(
      Optional<String> config,
      MigPartedConfig file,
      List<GpuSnapshot> gpus,
      List<PodAllocation> allocations,
      Optional<Instant> pendingSince,
      Instant now,
      Duration deadline) {
    public Request {
      gpus = List.copyOf(gpus);
      allocations = List.copyOf(allocations);
    }
  }

  /** Decides. */
  public static MigConfigAction decide(Request r) {
    if (r.config().isEmpty() || r.config().get().isBlank()) {
      return new MigConfigAction.NoConfig();
    }
    String name = r.config().get();
    Map<Integer, DesiredGpu> desired;
    try {
      if (!r.file().configs().containsKey(name)) {
        return new MigConfigAction.Invalid(
            name,
            "the config file has no config \""
                + name
                + "\"; it has "
                + String.join(", ", r.file().configs().keySet())
                + "; label the node with one of them");
      }
      List<ConfigEntry> entries = r.file().select(Optional.of(name));
      desired = DesiredLayouts.resolve(entries, r.gpus());
    } catch (ConfigException e) {
      return new MigConfigAction.Invalid(name, e.getMessage());
    }
    if (asDesired(r.gpus(), desired)) {
      return new MigConfigAction.AsDesired(name);
    }
    Map<String, PodAllocation> byDevice = new HashMap<>();
    for (PodAllocation a : r.allocations()) {
      a.deviceIds().forEach(id -> byDevice.putIfAbsent(id, a));
    }
    List<GpuPlan> plans = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    List<MigConfigAction.Holder> holders = new ArrayList<>();
    for (GpuSnapshot live : r.gpus()) {
      DesiredGpu want = desired.get(live.device().index());
      if (want == null) {
        continue;
      }
      GpuSnapshot busy = withAllocations(live, byDevice);
      PodAllocation whole = byDevice.get(live.device().uuid());
      switch (ReconfigurationPlanner.plan(busy, want)) {
        case PlanOutcome.Planned(GpuPlan plan) when whole != null && !plan.isNoop() -> {
          reasons.add(
              "GPU "
                  + plan.gpu()
                  + " must change but is allocated whole to "
                  + whole.holder()
                  + "; it changes once that pod is gone");
          holders.add(
              new MigConfigAction.Holder(plan.gpu(), live.device().uuid(), "", whole.holder()));
        }
        case PlanOutcome.Planned(GpuPlan plan) -> plans.add(plan);
        case PlanOutcome.Refused(int gpu, String reason) -> {
          reasons.add("GPU " + gpu + ": " + reason);
          holders.addAll(holdersOf(busy, byDevice));
        }
      }
    }
    if (!reasons.isEmpty()) {
      boolean gaveUp =
          r.pendingSince().map(since -> !r.now().isBefore(since.plus(r.deadline()))).orElse(false);
      return new MigConfigAction.Blocked(name, String.join("; ", reasons), holders, gaveUp);
    }
    if (plans.stream().allMatch(GpuPlan::isNoop)) {
      return new MigConfigAction.AsDesired(name);
    }
    return new MigConfigAction.Change(name, plans, desired);
  }

  private static boolean asDesired(List<GpuSnapshot> gpus, Map<Integer, DesiredGpu> desired) {
    for (GpuSnapshot g : gpus) {
      DesiredGpu want = desired.get(g.device().index());
      if (want != null && !LayoutAssertion.differences(g, want).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The GPU with every kubelet-allocated MIG device marked busy. */
  static GpuSnapshot withAllocations(GpuSnapshot gpu, Map<String, PodAllocation> byDevice) {
    List<GpuSnapshot.Instance> instances = new ArrayList<>();
    for (GpuSnapshot.Instance inst : gpu.instances()) {
      List<GpuSnapshot.Compute> computes = new ArrayList<>();
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        String uuid = c.computeInstance().uuid();
        if (byDevice.containsKey(uuid) && !c.isBusy()) {
          computes.add(
              new GpuSnapshot.Compute(
                  c.computeInstance(), c.profile(), List.of(DeviceProcess.reservation(uuid))));
        } else {
          computes.add(c);
        }
      }
      instances.add(new GpuSnapshot.Instance(inst.gpuInstance(), inst.profile(), computes));
    }
    return new GpuSnapshot(gpu.device(), gpu.model(), instances);
  }

  private static List<MigConfigAction.Holder> holdersOf(
      GpuSnapshot gpu, Map<String, PodAllocation> byDevice) {
    List<MigConfigAction.Holder> out = new ArrayList<>();
    for (GpuSnapshot.Instance inst : gpu.instances()) {
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        if (!c.isBusy()) {
          continue;
        }
        String uuid = c.computeInstance().uuid();
        List<String> by = new ArrayList<>();
        PodAllocation pod = byDevice.get(uuid);
        if (pod != null) {
          by.add(pod.holder());
        }
        c.processes().stream()
            .filter(p -> !p.isReservation())
            .map(p -> "pid " + p.pid())
            .distinct()
            .forEach(by::add);
        out.add(
            new MigConfigAction.Holder(
                gpu.device().index(),
                uuid,
                inst.profile().name() + "@" + inst.gpuInstance().placement(),
                String.join(", ", by)));
      }
    }
    return out;
  }
}
