package io.migctl.k8s.kubelet;

import io.migctl.core.k8s.PodAllocation;
import java.util.ArrayList;
import java.util.List;

/** Allocations held in memory: what tests and nodes without a kubelet give the agent. */
public final class InMemoryDeviceAllocations implements DeviceAllocations {

  private final List<PodAllocation> allocations = new ArrayList<>();

  @Override
  public synchronized List<PodAllocation> list() {
    return List.copyOf(allocations);
  }

  /** The kubelet allocates {@code allocation}'s devices. */
  public synchronized void allocate(PodAllocation allocation) {
    allocations.add(allocation);
  }

  /** Every container of the pod {@code namespace/pod} is gone. */
  public synchronized void release(String namespace, String pod) {
    allocations.removeIf(a -> a.namespace().equals(namespace) && a.pod().equals(pod));
  }
}
