package io.migctl.k8s.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An API server for tests: fabric8's {@link KubernetesMockServer} in CRUD mode, which stores what
 * it is sent, serves lists and watches, applies JSON merge and JSON patches, bumps resource
 * versions and refuses stale ones with 409 (proved by {@code MockClusterIT}), with two repairs
 * ({@link MockClusterDispatcher}: a merge patch's {@code null} removes, pods list by {@code
 * spec.nodeName}). It does not do strategic merge or server-side apply, other field selectors than
 * those, RBAC, or graceful pod deletion. Expectations set with {@link #server()}{@code .expect()}
 * are answered first (e.g. a 403), everything else goes to the store.
 */
public final class MockCluster implements TestCluster {

  // Held so that the level stays: the mock logs every request at INFO, hiding the test's output.
  private static final Logger MOCK_LOG = quiet(Logger.getLogger("io.fabric8.mockwebserver"));

  private final KubernetesMockServer server;
  private final List<KubernetesClient> clients = new ArrayList<>();

  private MockCluster(KubernetesMockServer server) {
    this.server = server;
  }

  /** Starts an empty cluster on a free local port (plain HTTP). */
  public static MockCluster start() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new MockClusterDispatcher(expectations),
            false);
    server.init();
    return new MockCluster(server);
  }

  private static Logger quiet(Logger log) {
    log.setLevel(Level.WARNING);
    return log;
  }

  @Override
  public synchronized KubernetesClient newClient() {
    KubernetesClient client = server.createClient();
    clients.add(client);
    return client;
  }

  /** The mock server itself, for expectations that answer before the store. */
  public KubernetesMockServer server() {
    return server;
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }
}
