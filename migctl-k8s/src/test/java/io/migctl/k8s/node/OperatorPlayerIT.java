package io.migctl.k8s.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.k8s.node.OperatorPlayer.Label;
import io.migctl.k8s.node.OperatorPlayer.PodCreated;
import io.migctl.k8s.node.OperatorPlayer.PodDeleted;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator player keeps DaemonSet pods as the deploy labels say, as the real operator does. */
class OperatorPlayerIT {

  private static final String NS = "gpu-operator";
  private static final String DP = "nvidia.com/gpu.deploy.device-plugin";
  private static final String DP_APP = "nvidia-device-plugin-daemonset";
  private static final String DCGM = "nvidia.com/gpu.deploy.dcgm";
  private static final String DCGM_APP = "nvidia-dcgm";

  private MockCluster cluster;
  private KubernetesClient user;

  @BeforeEach
  void start() {
    cluster = MockCluster.start();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(DP, "true");
    labels.put(DCGM, "false");
    cluster.createNode("gpu-1", labels);
    cluster.createNode("gpu-2", Map.of(DP, "true"));
    user = cluster.newClient();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void startsThePodsOfTrueLabelsAndTheValidator() {
    try (OperatorPlayer player = OperatorPlayer.start(cluster.newClient(), "gpu-1", NS)) {
      String validator = OperatorClient.VALIDATOR_APP;
      Await.until(
          "pods started",
          () ->
              player
                  .timeline()
                  .containsAll(
                      List.of(
                          new PodCreated(DP_APP + "-gpu-1-1", DP_APP),
                          new PodCreated(validator + "-gpu-1-1", validator))),
          player::timeline);

      assertThat(player.pods(DP_APP)).containsExactly(DP_APP + "-gpu-1-1");
      assertThat(player.pods(validator)).containsExactly(validator + "-gpu-1-1");
      assertThat(player.pods(DCGM_APP)).isEmpty();
      assertThat(player.timeline()).startsWith(Label.of(DP, "true"), Label.of(DCGM, "false"));
    }
  }

  @Test
  void deletesAPausedClientsPodAndStartsANewOneWhenRestored() {
    try (OperatorPlayer player = OperatorPlayer.start(cluster.newClient(), "gpu-1", NS)) {
      Await.until("device plugin started", () -> player.pods(DP_APP).size() == 1, player::timeline);

      label(DP, MigManagerLabels.PAUSED);
      Await.until("device plugin gone", () -> player.pods(DP_APP).isEmpty(), player::timeline);
      label(DP, "true");
      Await.until(
          "device plugin back",
          () -> player.timeline().contains(new PodCreated(DP_APP + "-gpu-1-2", DP_APP)),
          player::timeline);

      assertThat(player.pods(DP_APP)).containsExactly(DP_APP + "-gpu-1-2");
      assertThat(player.timeline())
          .containsSubsequence(
              new PodCreated(DP_APP + "-gpu-1-1", DP_APP),
              Label.of(DP, MigManagerLabels.PAUSED),
              new PodDeleted(DP_APP + "-gpu-1-1", DP_APP),
              Label.of(DP, "true"),
              new PodCreated(DP_APP + "-gpu-1-2", DP_APP))
          .noneMatch(OperatorPlayer.Failed.class::isInstance);
    }
  }

  @Test
  void aDelayedDeletionHappensAfterTheDelay() {
    try (OperatorPlayer player =
        OperatorPlayer.start(cluster.newClient(), "gpu-1", NS, Duration.ofMillis(300))) {
      Await.until("device plugin started", () -> player.pods(DP_APP).size() == 1, player::timeline);

      label(DP, "false");
      Await.until("device plugin gone", () -> player.pods(DP_APP).isEmpty(), player::timeline);

      Await.until(
          "the deletion seen",
          () -> player.timeline().contains(new PodDeleted(DP_APP + "-gpu-1-1", DP_APP)),
          player::timeline);
      assertThat(player.timeline())
          .containsSubsequence(Label.of(DP, "false"), new PodDeleted(DP_APP + "-gpu-1-1", DP_APP));
    }
  }

  @Test
  void recreatesAValidatorPodDeletedByTheAgent() {
    try (OperatorPlayer player = OperatorPlayer.start(cluster.newClient(), "gpu-1", NS)) {
      String validator = OperatorClient.VALIDATOR_APP;
      Await.until("validator started", () -> player.pods(validator).size() == 1, player::timeline);

      new Fabric8ClusterNode(user, "gpu-1", NS, Clock.systemUTC())
          .deletePod(validator + "-gpu-1-1");

      Await.until(
          "validator recreated",
          () -> player.timeline().contains(new PodCreated(validator + "-gpu-1-2", validator)),
          player::timeline);
      assertThat(player.pods(validator)).containsExactly(validator + "-gpu-1-2");
      assertThat(player.timeline())
          .containsSubsequence(
              new PodDeleted(validator + "-gpu-1-1", validator),
              new PodCreated(validator + "-gpu-1-2", validator));
    }
  }

  @Test
  void leavesOtherNodesAlone() {
    try (OperatorPlayer player = OperatorPlayer.start(cluster.newClient(), "gpu-1", NS)) {
      Await.until("device plugin started", () -> player.pods(DP_APP).size() == 1, player::timeline);

      assertThat(user.pods().inNamespace(NS).list().getItems())
          .allMatch(p -> p.getSpec().getNodeName().equals("gpu-1"));
    }
  }

  private void label(String key, String value) {
    user.nodes()
        .withName("gpu-1")
        .edit(
            n -> {
              n.getMetadata().getLabels().put(key, value);
              return n;
            });
  }
}
