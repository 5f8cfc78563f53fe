package io.migctl.k8s.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * An API server the tests start: {@link MockCluster} always, {@link KubeApiTestCluster} where it
 * can.
 */
public interface TestCluster extends AutoCloseable {

  /** A new client of this cluster, closed with it; one per actor (agent, operator, user). */
  KubernetesClient newClient();

  /** Creates the Node {@code name} with {@code labels} and returns it as stored. */
  default Node createNode(String name, Map<String, String> labels) {
    return newClient()
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  /** Stops the cluster and closes its clients. */
  @Override
  void close();
}
