package io.migctl.core.k8s;

import java.util.List;

/**
 * One of the GPU Operator's GPU clients that the MIG manager pauses during a change: the node label
 * that tells the operator to deploy it on the node, and the {@code app} label of its pods.
 *
 * @param component the part after {@code nvidia.com/gpu.deploy.}
 * @param app the {@code app} label of its pods in the operator's namespace
 */
public record OperatorClient(String component, String app) {

  /** What the operator's MIG manager pauses, in the order it pauses them. */
  public static final List<OperatorClient> ALL =
      List.of(
          new OperatorClient("device-plugin", "nvidia-device-plugin-daemonset"),
          new OperatorClient("gpu-feature-discovery", "gpu-feature-discovery"),
          new OperatorClient("dcgm-exporter", "nvidia-dcgm-exporter"),
          new OperatorClient("dcgm", "nvidia-dcgm"),
          new OperatorClient("nvsm", "nvidia-nvsm"));

  /**
   * The {@code app} label of the operator's validator pods, deleted so that they validate again.
   */
  public static final String VALIDATOR_APP = "nvidia-operator-validator";

  /** {@code nvidia.com/gpu.deploy.<component>}. */
  public String deployLabel() {
    return MigManagerLabels.DEPLOY_PREFIX + component;
  }
}
