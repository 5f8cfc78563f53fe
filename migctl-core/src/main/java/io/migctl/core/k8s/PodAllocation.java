package io.migctl.core.k8s;

import java.util.List;

/**
 * Devices the kubelet has allocated to one container (its PodResources API): a pod that got a MIG
 * device holds it from allocation on, before it has started any CUDA process.
 *
 * @param resource the extended resource, e.g. {@code nvidia.com/mig-3g.20gb} or {@code
 *     nvidia.com/gpu}
 * @param deviceIds the device plugin's ids: {@code MIG-…} or {@code GPU-…} UUIDs
 */
public record PodAllocation(
    String namespace, String pod, String container, String resource, List<String> deviceIds) {

  public PodAllocation {
    deviceIds = List.copyOf(deviceIds);
  }

  /** {@code pod ns/name (container c)}. */
  public String holder() {
    return "pod " + namespace + "/" + pod + " (container " + container + ")";
  }
}
