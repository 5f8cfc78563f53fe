package io.migctl.k8s.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Fabric8ClusterNode} against an API server (fabric8's mock in CRUD mode). */
class Fabric8ClusterNodeIT {

  private static final String NS = "gpu-operator";
  private static final Instant NOW = Instant.parse("2026-12-06T10:15:30.456Z");

  private MockCluster cluster;
  private KubernetesClient agentClient;
  private KubernetesClient userClient;
  private Fabric8ClusterNode node;

  @BeforeEach
  void start() {
    cluster = MockCluster.start();
    cluster.createNode("gpu-1", Map.of("nvidia.com/mig.config", "all-disabled", "keep", "me"));
    agentClient = cluster.newClient();
    userClient = cluster.newClient();
    node = new Fabric8ClusterNode(agentClient, "gpu-1", NS, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void readsLabelsAnnotationsAndResourceVersion() {
    NodeState state = node.read();

    assertThat(state.name()).isEqualTo("gpu-1");
    assertThat(state.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("nvidia.com/mig.config", "all-disabled", "keep", "me"));
    assertThat(state.annotations()).isEmpty();
    assertThat(state.resourceVersion())
        .isEqualTo(userClient.nodes().withName("gpu-1").get().getMetadata().getResourceVersion());
  }

  @Test
  void patchSetsAndRemovesLabelsAndAnnotationsLeavingTheRest() {
    node.patch(NodePatch.unconditional().annotate("migctl.io/reason", "x").annotate("other", "y"));

    NodeState after =
        node.patch(
            NodePatch.unconditional()
                .label("nvidia.com/mig.config.state", "pending")
                .removeAnnotation("migctl.io/reason"));

    assertThat(after.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "nvidia.com/mig.config", "all-disabled",
                "keep", "me",
                "nvidia.com/mig.config.state", "pending"));
    assertThat(after.annotations()).containsExactlyEntriesOf(Map.of("other", "y"));
    assertThat(node.read()).isEqualTo(after);
  }

  @Test
  void patchAtTheReadVersionIsApplied() {
    NodeState read = node.read();

    NodeState after = node.patch(NodePatch.ifAt(read.resourceVersion()).label("a", "1"));

    assertThat(after.label("a")).contains("1");
    assertThat(after.resourceVersion()).isNotEqualTo(read.resourceVersion());
  }

  @Test
  void patchAfterSomeoneElseWroteIsAConflictAndChangesNothing() {
    NodeState read = node.read();
    someoneSetsTheConfigLabel();

    assertThatThrownBy(
            () ->
                node.patch(
                    NodePatch.ifAt(read.resourceVersion())
                        .label("nvidia.com/mig.config.state", "success")))
        .isInstanceOf(NodeConflictException.class)
        .hasMessageContaining("gpu-1")
        .hasMessageContaining("409");
    assertThat(node.read().labels()).doesNotContainKey("nvidia.com/mig.config.state");
  }

  @Test
  void recordsAnEventAboutTheNodeInTheDefaultNamespace() {
    node.record(new NodeEvent(true, NodeEvent.REFUSED, "pod a/b holds MIG-1"));

    List<Event> events = userClient.v1().events().inNamespace("default").list().getItems();
    assertThat(events).hasSize(1);
    Event e = events.getFirst();
    assertThat(e.getMetadata().getName()).startsWith("gpu-1.migctl-");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
    assertThat(e.getInvolvedObject().getName()).isEqualTo("gpu-1");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
    assertThat(e.getInvolvedObject().getUid())
        .isNotBlank()
        .isEqualTo(userClient.nodes().withName("gpu-1").get().getMetadata().getUid());
    assertThat(e.getReason()).isEqualTo("MigConfigRefused");
    assertThat(e.getMessage()).isEqualTo("pod a/b holds MIG-1");
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getSource().getComponent()).isEqualTo("migctl-mig-manager");
    assertThat(e.getReportingComponent()).isEqualTo("migctl-mig-manager");
    assertThat(e.getReportingInstance()).isEqualTo("gpu-1");
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-06T10:15:30Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-12-06T10:15:30Z");
    assertThat(e.getCount()).isEqualTo(1);
  }

  @Test
  void operatorPodsAreThoseOfThisNodeInTheOperatorNamespace() {
    pod(NS, "dp-gpu-1", "gpu-1", "nvidia-device-plugin-daemonset");
    pod(NS, "bare-gpu-1", "gpu-1", null);
    pod(NS, "dp-gpu-2", "gpu-2", "nvidia-device-plugin-daemonset");
    pod("default", "job-gpu-1", "gpu-1", "nvidia-device-plugin-daemonset");

    assertThat(node.operatorPods())
        .containsExactlyInAnyOrder(
            new OperatorPod("dp-gpu-1", "nvidia-device-plugin-daemonset"),
            new OperatorPod("bare-gpu-1", ""));
  }

  @Test
  void deletePodRemovesItAndAPodAlreadyGoneIsFine() {
    pod(NS, "validator-gpu-1", "gpu-1", "nvidia-operator-validator");

    node.deletePod("validator-gpu-1");
    node.deletePod("validator-gpu-1");

    assertThat(node.operatorPods()).isEmpty();
  }

  @Test
  void watchHearsTheStartAndALabelChangeByAnotherClient() throws Exception {
    AtomicInteger heard = new AtomicInteger();
    AutoCloseable watch = node.watch(heard::incrementAndGet);
    try {
      Await.until("the watch has started", () -> heard.get() == 1, heard::get);

      someoneSetsTheConfigLabel();

      Await.until("the change is heard", () -> heard.get() == 2, heard::get);
    } finally {
      watch.close();
    }
  }

  @Test
  void aMissingNodeIsAClusterExceptionNamingItAndNodeName() {
    Fabric8ClusterNode missing =
        new Fabric8ClusterNode(agentClient, "gpu-9", NS, Clock.systemUTC());

    assertThatThrownBy(missing::read)
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining("node gpu-9 does not exist")
        .hasMessageContaining("NODE_NAME");
    assertThatThrownBy(() -> missing.patch(NodePatch.unconditional().label("a", "b")))
        .isInstanceOf(ClusterException.class)
        .isNotInstanceOf(NodeConflictException.class)
        .hasMessageContaining("cannot patch node gpu-9: HTTP 404");
  }

  @Test
  void aForbiddenPatchNamesTheMissingVerb() {
    cluster
        .server()
        .expect()
        .patch()
        .withPath("/api/v1/nodes/gpu-1")
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "nodes \"gpu-1\" is forbidden: User \"system:serviceaccount:gpu-operator:migctl\""
                        + " cannot patch resource \"nodes\"")
                .build())
        .once();

    assertThatThrownBy(() -> node.patch(NodePatch.unconditional().label("a", "b")))
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining("cannot patch node gpu-1: HTTP 403 Forbidden")
        .hasMessageContaining("cannot patch resource \"nodes\"")
        .hasMessageContaining("needs the verb 'patch' on nodes");
  }

  @Test
  void anUnreachableServerSaysWhereItWasLookedFor() {
    String url = agentClient.getMasterUrl().toString();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(agentClient.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      Fabric8ClusterNode noRetries = new Fabric8ClusterNode(client, "gpu-1", NS, Clock.systemUTC());
      cluster.server().shutdown();

      assertThatThrownBy(noRetries::read)
          .isInstanceOf(ClusterException.class)
          .hasMessageContaining("cannot reach the Kubernetes API server at " + url)
          .hasMessageContaining("to read node gpu-1: connection refused");
    }
  }

  private void someoneSetsTheConfigLabel() {
    userClient
        .nodes()
        .withName("gpu-1")
        .edit(
            n -> {
              n.getMetadata().getLabels().put("nvidia.com/mig.config", "all-1g.5gb");
              return n;
            });
  }

  private void pod(String namespace, String name, String nodeName, String app) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNodeName(nodeName)
            .endSpec();
    if (app != null) {
      pod.editMetadata().addToLabels("app", app).endMetadata();
    }
    userClient.pods().inNamespace(namespace).resource(pod.build()).create();
  }
}
