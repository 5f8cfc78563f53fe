package io.migctl.k8s.node;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real kube-apiserver with etcd, through fabric8's kube-api-test in offline mode: it never
 * downloads, so it runs only where the binaries are installed already, in kube-api-test's own place
 * ({@code $KUBE_API_TEST_DIR}, else {@code ~/.kubeapitest}, then {@code k8s/<version>-<os>-<arch>/}
 * holding {@code kube-apiserver}, {@code etcd} and {@code kubectl}). Elsewhere {@link #start()}
 * skips the test with that reason; it never fails for their absence.
 *
 * <p>Unlike {@link MockCluster} it checks everything an API server checks (pods need containers,
 * namespaces must exist), and no kubelet confirms graceful deletions: a pod bound to a node and
 * deleted with a grace period stays, terminating.
 */
public final class KubeApiTestCluster implements TestCluster {

  private final KubeAPIServer server;
  private final Config config;
  private final List<KubernetesClient> clients = new ArrayList<>();

  private KubeApiTestCluster(KubeAPIServer server) {
    this.server = server;
    this.config = Config.fromKubeconfig(server.getKubeConfigYaml());
  }

  /**
   * Starts a cluster with the namespaces {@code namespaces} created, or skips the calling test
   * (JUnit assumption) when kube-api-test's binaries are not installed.
   */
  public static KubeApiTestCluster start(String... namespaces) {
    Optional<String> missing = missingBinaries();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "kube-api-test skipped: " + missing.get());
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .build());
    server.start();
    KubeApiTestCluster cluster = new KubeApiTestCluster(server);
    KubernetesClient admin = cluster.newClient();
    for (String ns : namespaces) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    return cluster;
  }

  /** Why kube-api-test cannot start here, or empty when its binaries are installed. */
  static Optional<String> missingBinaries() {
    String dir = System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR);
    Path root =
        dir != null
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), KubeAPIServerConfigBuilder.DIRECTORY_NAME);
    Path k8s = root.resolve("k8s");
    if (!Files.isDirectory(k8s)) {
      return Optional.of(
          "no binaries under "
              + k8s
              + " (kube-api-test downloads them only online; put kube-apiserver, etcd and kubectl"
              + " in "
              + k8s
              + "/<version>-linux-amd64/ or set KUBE_API_TEST_DIR)");
    }
    try (Stream<Path> versions = Files.list(k8s)) {
      boolean found =
          versions.anyMatch(
              v ->
                  Stream.of("kube-apiserver", "etcd", "kubectl")
                      .allMatch(b -> Files.isExecutable(v.resolve(b))));
      return found
          ? Optional.empty()
          : Optional.of("no directory under " + k8s + " holds kube-apiserver, etcd and kubectl");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized KubernetesClient newClient() {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(client);
    return client;
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.stop();
  }
}
