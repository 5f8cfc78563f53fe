/**
 * The kubelet's device allocations port: which devices the kubelet has given to which container.
 * {@link io.migctl.k8s.kubelet.PodResourcesAllocations} asks the kubelet's PodResources API over
 * gRPC on its Unix socket; {@link io.migctl.k8s.kubelet.InMemoryDeviceAllocations} is the same in
 * memory.
 */
package io.migctl.k8s.kubelet;
