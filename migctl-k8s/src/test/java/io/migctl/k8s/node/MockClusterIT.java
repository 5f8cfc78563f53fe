package io.migctl.k8s.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What fabric8's mock server in CRUD mode does, as {@link Fabric8ClusterNode} and the agent's tests
 * rely on it: proved here against the plain client, so that a change of the mock shows up as a
 * failure of this test rather than as a puzzling one elsewhere.
 */
class MockClusterIT {

  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private MockCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = MockCluster.start();
    client = cluster.newClient();
    cluster.createNode("gpu-1", Map.of("a", "1", "b", "2"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aMergePatchSetsAndRemovesLabelsAndAnnotations() {
    mergePatch("{\"metadata\":{\"annotations\":{\"x\":\"1\",\"y\":\"2\"}}}");

    Node after =
        mergePatch(
            "{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"},\"annotations\":{\"x\":null}}}");

    assertThat(after.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("b", "2", "c", "3"));
    assertThat(after.getMetadata().getAnnotations()).containsExactlyEntriesOf(Map.of("y", "2"));
    assertThat(client.nodes().withName("gpu-1").get().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("b", "2", "c", "3"));
  }

  @Test
  void aMergePatchAtAStaleResourceVersionIsRefusedWith409() {
    String seen = client.nodes().withName("gpu-1").get().getMetadata().getResourceVersion();
    mergePatch("{\"metadata\":{\"labels\":{\"a\":\"9\"}}}");

    assertThatThrownBy(
            () ->
                mergePatch(
                    "{\"metadata\":{\"resourceVersion\":\""
                        + seen
                        + "\",\"labels\":{\"b\":\"9\"}}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(client.nodes().withName("gpu-1").get().getMetadata().getLabels())
        .containsEntry("b", "2");
  }

  @Test
  void aMergePatchAtTheCurrentResourceVersionIsApplied() {
    String current = client.nodes().withName("gpu-1").get().getMetadata().getResourceVersion();

    Node after =
        mergePatch(
            "{\"metadata\":{\"resourceVersion\":\"" + current + "\",\"labels\":{\"b\":\"9\"}}}");

    assertThat(after.getMetadata().getLabels()).containsEntry("b", "9");
    assertThat(after.getMetadata().getResourceVersion()).isNotEqualTo(current);
  }

  private Node mergePatch(String json) {
    return client.nodes().withName("gpu-1").patch(MERGE, json);
  }

  @Test
  void aWatchOnOneNodeHearsItsModification() throws InterruptedException {
    cluster.createNode("gpu-2", Map.of());
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    Watch watch =
        client
            .nodes()
            .withField("metadata.name", "gpu-1")
            .watch(
                new Watcher<Node>() {
                  @Override
                  public void eventReceived(Action action, Node node) {
                    heard.add(
                        action
                            + " "
                            + node.getMetadata().getName()
                            + " "
                            + node.getMetadata().getLabels().get("a"));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    try {
      KubernetesClient other = cluster.newClient();
      other.nodes().withName("gpu-2").patch(MERGE, "{\"metadata\":{\"labels\":{\"a\":\"7\"}}}");
      other.nodes().withName("gpu-1").patch(MERGE, "{\"metadata\":{\"labels\":{\"a\":\"8\"}}}");

      assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED gpu-1 1");
      assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("MODIFIED gpu-1 8");
    } finally {
      watch.close();
    }
  }

  @Test
  void eventsAreCreatedWithAGeneratedNameAndListed() {
    client
        .v1()
        .events()
        .inNamespace("default")
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withGenerateName("gpu-1.migctl-")
                .endMetadata()
                .withReason("R")
                .withMessage("m")
                .build())
        .create();

    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getMetadata().getName()).startsWith("gpu-1.migctl-");
              assertThat(e.getReason()).isEqualTo("R");
            });
  }

  @Test
  void aFieldSelectorOnPodsSpecNodeName() {
    for (String node : new String[] {"gpu-1", "gpu-2"}) {
      client
          .pods()
          .inNamespace("ns")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("p-" + node)
                  .endMetadata()
                  .withNewSpec()
                  .withNodeName(node)
                  .endSpec()
                  .build())
          .create();
    }

    assertThat(
            client.pods().inNamespace("ns").withField("spec.nodeName", "gpu-1").list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("p-gpu-1");
  }
}
