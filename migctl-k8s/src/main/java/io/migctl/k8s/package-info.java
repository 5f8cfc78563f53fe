/**
 * {@code migctl k8s agent}: a drop-in for the GPU Operator's MIG manager. {@link
 * io.migctl.k8s.MigManagerAgent} performs what {@link io.migctl.core.k8s.MigConfigDecision}
 * decides, through two ports: the cluster node ({@link io.migctl.k8s.node.ClusterNode}: labels,
 * annotations, events, the operator's pods) and the kubelet's device allocations ({@link
 * io.migctl.k8s.kubelet.DeviceAllocations}), each with a real and an in-memory side.
 */
package io.migctl.k8s;
