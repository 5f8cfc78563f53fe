package io.migctl.k8s;

import io.migctl.k8s.node.KubeApiTestCluster;
import io.migctl.k8s.node.TestCluster;

/**
 * The same scenarios on a real kube-apiserver and etcd, started by fabric8's kube-api-test in
 * offline mode when their binaries are on this machine (see {@link KubeApiTestCluster}); skipped,
 * with the reason, when they are not — never failing for their absence.
 */
class MigManagerAgentKubeApiTestIT extends MigManagerAgentIT {

  @Override
  TestCluster startCluster() {
    return KubeApiTestCluster.start("gpu-operator");
  }
}
