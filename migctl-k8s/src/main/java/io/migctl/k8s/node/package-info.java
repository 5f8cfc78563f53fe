/**
 * The cluster node port: the Node this agent runs on (labels and annotations, written only with
 * JSON merge patches), its Events, and the GPU Operator's pods on it. {@link
 * io.migctl.k8s.node.Fabric8ClusterNode} talks to the API server; {@link
 * io.migctl.k8s.node.InMemoryClusterNode} is the same in memory.
 */
package io.migctl.k8s.node;
