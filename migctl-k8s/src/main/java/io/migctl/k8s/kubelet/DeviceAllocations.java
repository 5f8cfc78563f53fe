package io.migctl.k8s.kubelet;

import io.migctl.core.k8s.PodAllocation;
import java.util.List;

/** The devices the kubelet has allocated to the containers of this node. */
public interface DeviceAllocations {

  /**
   * Every container's devices; containers without devices are left out.
   *
   * @throws KubeletUnavailableException when the kubelet cannot be asked
   */
  List<PodAllocation> list();
}
