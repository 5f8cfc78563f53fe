package io.migctl.k8s.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a real kube-apiserver (kube-api-test, skipped where its binaries are not installed): what
 * {@link MockCluster} repairs or assumes holds there too, so that tests passing on the mock mean
 * the same on a cluster.
 */
class KubeApiTestClusterIT {

  private static final String NS = "gpu-operator";
  private static final String DP = "nvidia.com/gpu.deploy.device-plugin";

  private KubeApiTestCluster cluster;
  private Fabric8ClusterNode node;

  @BeforeEach
  void start() {
    cluster = KubeApiTestCluster.start(NS);
    cluster.createNode("gpu-1", Map.of(DP, "true"));
    node = new Fabric8ClusterNode(cluster.newClient(), "gpu-1", NS, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void mergePatchesRemoveWithNullAndConflictOnAStaleVersion() {
    NodeState read = node.read();
    node.patch(NodePatch.ifAt(read.resourceVersion()).annotate("a", "1"));
    NodeState after = node.patch(NodePatch.unconditional().removeAnnotation("a"));

    assertThat(after.annotations()).doesNotContainKey("a");
    assertThatThrownBy(() -> node.patch(NodePatch.ifAt(read.resourceVersion()).label("b", "2")))
        .isInstanceOf(NodeConflictException.class);
  }

  @Test
  void eventsPassTheServersValidation() {
    node.record(new NodeEvent(false, NodeEvent.APPLIED, "all-1g.5gb applied"));

    assertThat(cluster.newClient().v1().events().inNamespace("default").list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(NodeEvent.APPLIED));
  }

  @Test
  void thePlayerAndTheNodeAgreeOnPods() {
    KubernetesClient user = cluster.newClient();
    try (OperatorPlayer player = OperatorPlayer.start(cluster.newClient(), "gpu-1", NS)) {
      Await.until(
          "device plugin started",
          () -> node.operatorPods().size() == 2,
          () -> player.timeline() + " " + node.operatorPods());

      node.patch(NodePatch.unconditional().label(DP, MigManagerLabels.PAUSED));
      Await.until(
          "device plugin gone",
          () ->
              node.operatorPods().stream()
                  .map(OperatorPod::app)
                  .toList()
                  .equals(java.util.List.of(OperatorClient.VALIDATOR_APP)),
          player::timeline);
      assertThat(user.nodes().withName("gpu-1").get().getMetadata().getLabels())
          .containsEntry(DP, MigManagerLabels.PAUSED);
    }
  }
}
