/**
 * The GPU Operator's MIG-manager protocol as pure decisions: which layout a node's {@code
 * nvidia.com/mig.config} label asks for, whether the GPUs already have it, what a change would do
 * around busy devices (a process holds one, or the kubelet has allocated it to a pod), and which of
 * the operator's GPU clients to pause while it happens. The Kubernetes adapter ({@code migctl-k8s})
 * performs what these decide.
 */
package io.migctl.core.k8s;
