package io.migctl.k8s;

import io.migctl.core.k8s.PodAllocation;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.MigDriver;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's driver as the applier should see it on a Kubernetes node: a MIG device the kubelet has
 * allocated to a pod is held (a {@link DeviceProcess#reservation}) even before the pod's first CUDA
 * process, so that the applier's own planning never destroys it.
 */
final class AllocationAwareDriver extends ForwardingMigDriver {

  private final List<PodAllocation> allocations;

  AllocationAwareDriver(MigDriver delegate, List<PodAllocation> allocations) {
    super(delegate);
    this.allocations = List.copyOf(allocations);
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    List<DeviceProcess> out = new ArrayList<>(delegate.processes(gpu));
    for (PodAllocation a : allocations) {
      for (String id : a.deviceIds()) {
        if (out.stream().noneMatch(p -> p.deviceUuid().equals(id))) {
          out.add(DeviceProcess.reservation(id));
        }
      }
    }
    return out;
  }
}
