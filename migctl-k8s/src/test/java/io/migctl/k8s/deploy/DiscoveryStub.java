package io.migctl.k8s.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of an API server for {@code kubectl apply --dry-run=client}: kubectl maps each
 * document's kind to a resource through the server's discovery documents ({@code /api}, {@code
 * /apis} and one list per group version) and reads the object before it prints what it would
 * change. This serves the discovery of the kinds below and answers {@code 404 Not Found} to
 * everything else, so kubectl sees an empty cluster. It stores nothing and accepts no writes.
 */
final class DiscoveryStub implements AutoCloseable {

  /** A resource as discovery lists it. */
  record Resource(String groupVersion, String plural, String kind, boolean namespaced) {}

  /** The kinds a manifest under deploy/k8s may use; any other makes kubectl fail. */
  static final List<Resource> RESOURCES =
      List.of(
          new Resource("v1", "namespaces", "Namespace", false),
          new Resource("v1", "serviceaccounts", "ServiceAccount", true),
          new Resource("v1", "configmaps", "ConfigMap", true),
          new Resource("apps/v1", "daemonsets", "DaemonSet", true),
          new Resource("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false),
          new Resource(
              "rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false),
          new Resource("rbac.authorization.k8s.io/v1", "roles", "Role", true),
          new Resource("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, ObjectNode> documents = new LinkedHashMap<>();

  private DiscoveryStub(HttpServer server) {
    this.server = server;
    ObjectNode api = JSON.createObjectNode().put("kind", "APIVersions");
    api.putArray("versions").add("v1");
    documents.put("/api", api);
    ObjectNode apis = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = apis.putArray("groups");
    Map<String, ArrayNode> lists = new LinkedHashMap<>();
    for (Resource r : RESOURCES) {
      ArrayNode list =
          lists.computeIfAbsent(
              r.groupVersion(),
              gv -> {
                ObjectNode doc =
                    JSON.createObjectNode()
                        .put("kind", "APIResourceList")
                        .put("apiVersion", "v1")
                        .put("groupVersion", gv);
                boolean core = !gv.contains("/");
                documents.put(core ? "/api/" + gv : "/apis/" + gv, doc);
                if (!core) {
                  ObjectNode version =
                      JSON.createObjectNode()
                          .put("groupVersion", gv)
                          .put("version", gv.substring(gv.indexOf('/') + 1));
                  ObjectNode group =
                      groups.addObject().put("name", gv.substring(0, gv.indexOf('/')));
                  group.putArray("versions").add(version);
                  group.set("preferredVersion", version);
                }
                return doc.putArray("resources");
              });
      ObjectNode resource =
          list.addObject()
              .put("name", r.plural())
              .put("singularName", "")
              .put("namespaced", r.namespaced())
              .put("kind", r.kind());
      resource.putArray("verbs").add("create").add("delete").add("get").add("list").add("patch");
    }
    documents.put("/apis", apis);
  }

  /** Starts serving on a free port of the loopback address. */
  static DiscoveryStub start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      DiscoveryStub stub = new DiscoveryStub(server);
      server.createContext("/", stub::answer);
      server.start();
      return stub;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The address to give kubectl's {@code --server}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void answer(HttpExchange exchange) throws IOException {
    ObjectNode body = documents.get(exchange.getRequestURI().getPath());
    int status = 200;
    if (body == null || !exchange.getRequestMethod().equals("GET")) {
      status = 404;
      body =
          JSON.createObjectNode()
              .put("kind", "Status")
              .put("apiVersion", "v1")
              .put("status", "Failure")
              .put("reason", "NotFound")
              .put("code", 404);
    }
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
