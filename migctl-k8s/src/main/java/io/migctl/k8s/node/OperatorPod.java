package io.migctl.k8s.node;

/**
 * A pod of the operator's namespace on this node.
 *
 * @param app its {@code app} label, empty when it has none
 */
public record OperatorPod(String name, String app) {}
