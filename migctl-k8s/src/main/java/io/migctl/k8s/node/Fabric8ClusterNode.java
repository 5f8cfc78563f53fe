package io.migctl.k8s.node;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.ConnectException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The cluster node on the Kubernetes API server, through fabric8's client.
 *
 * <p>Writes are JSON merge patches only (never strategic merge or server-side apply): a label or
 * annotation set to {@code null} is removed, and a patch made on a read carries that read's {@code
 * metadata.resourceVersion}, so the server refuses it with 409 when the node has changed since.
 * Events go to the namespace {@code default}, where the API server keeps a Node's events. The watch
 * is an informer on this node alone (field selector {@code metadata.name}); it lists and watches
 * again by itself when a watch ends.
 *
 * <p>Every failure is a {@link ClusterException} whose message names the node, what was being done,
 * the HTTP code and the server's reason, and for 403 the RBAC verb the agent's ServiceAccount
 * lacks. Safe for use from several threads, as the fabric8 client is.
 */
public final class Fabric8ClusterNode implements ClusterNode, AutoCloseable {

  /** The Event source and reporting component, as the operator's MIG manager has its own. */
  public static final String COMPONENT = "migctl-mig-manager";

  /** The namespace where the API server keeps the Events of cluster-scoped objects. */
  public static final String EVENT_NAMESPACE = "default";

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String nodeName;
  private final String operatorNamespace;
  private final Clock clock;

  /**
   * A node on the API server that {@code client} talks to; the client stays the caller's to close.
   */
  public Fabric8ClusterNode(
      KubernetesClient client, String nodeName, String operatorNamespace, Clock clock) {
    this(client, false, nodeName, operatorNamespace, clock);
  }

  private Fabric8ClusterNode(
      KubernetesClient client,
      boolean ownsClient,
      String nodeName,
      String operatorNamespace,
      Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.nodeName = requireText(nodeName, "node name");
    this.operatorNamespace = requireText(operatorNamespace, "operator namespace");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Connects as fabric8 configures itself: in a pod, with its ServiceAccount; elsewhere, from
   * {@code KUBECONFIG} or {@code ~/.kube/config}. Nothing is sent until the first call. {@link
   * #close()} closes the connection.
   */
  public static Fabric8ClusterNode connect(String nodeName, String operatorNamespace) {
    KubernetesClient client;
    try {
      client = new KubernetesClientBuilder().build();
    } catch (KubernetesClientException e) {
      throw new ClusterException(
          "cannot configure a Kubernetes client for node "
              + nodeName
              + ": "
              + e.getMessage()
              + ". Run the agent in a pod with a ServiceAccount, or set KUBECONFIG.",
          e);
    }
    return new Fabric8ClusterNode(client, true, nodeName, operatorNamespace, Clock.systemUTC());
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "the " + what + " is empty: give it (the DaemonSet sets NODE_NAME from spec.nodeName)");
    }
    return value;
  }

  @Override
  public String name() {
    return nodeName;
  }

  @Override
  public NodeState read() {
    return stateOf(readNode());
  }

  private Node readNode() {
    Node node = call(Operation.READ, () -> node().get());
    if (node == null) {
      throw new ClusterException(
          "node "
              + nodeName
              + " does not exist on the API server at "
              + client.getMasterUrl()
              + ": check NODE_NAME (the DaemonSet sets it from spec.nodeName)");
    }
    return node;
  }

  @Override
  public NodeState patch(NodePatch patch) {
    String json = mergePatch(patch);
    Node after =
        call(Operation.PATCH, () -> node().patch(PatchContext.of(PatchType.JSON_MERGE), json));
    return stateOf(after);
  }

  /** The JSON merge patch for {@code patch}: {@code null} removes a key. */
  static String mergePatch(NodePatch patch) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = root.putObject("metadata");
    patch.expectedVersion().ifPresent(v -> metadata.put("resourceVersion", v));
    if (!patch.labels().isEmpty()) {
      putAll(metadata.putObject("labels"), patch.labels());
    }
    if (!patch.annotations().isEmpty()) {
      putAll(metadata.putObject("annotations"), patch.annotations());
    }
    return root.toString();
  }

  private static void putAll(ObjectNode target, Map<String, Optional<String>> changes) {
    changes.forEach(
        (key, value) -> value.ifPresentOrElse(v -> target.put(key, v), () -> target.putNull(key)));
  }

  @Override
  public void record(NodeEvent event) {
    String uid = readNode().getMetadata().getUid();
    String now =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    Event e =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(nodeName + ".migctl-")
            .withNamespace(EVENT_NAMESPACE)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Node")
            .withName(nodeName)
            .withUid(uid)
            .endInvolvedObject()
            .withReason(event.reason())
            .withMessage(event.message())
            .withType(event.type())
            .withNewSource()
            .withComponent(COMPONENT)
            .withHost(nodeName)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withReportingInstance(nodeName)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    call(
        Operation.RECORD,
        () -> client.v1().events().inNamespace(EVENT_NAMESPACE).resource(e).create());
  }

  @Override
  public List<OperatorPod> operatorPods() {
    List<Pod> pods =
        call(
            Operation.LIST_PODS,
            () ->
                client
                    .pods()
                    .inNamespace(operatorNamespace)
                    .withField("spec.nodeName", nodeName)
                    .list()
                    .getItems());
    return pods.stream()
        .map(p -> new OperatorPod(p.getMetadata().getName(), appOf(p.getMetadata())))
        .toList();
  }

  private static String appOf(ObjectMeta metadata) {
    Map<String, String> labels = metadata.getLabels();
    return labels == null ? "" : labels.getOrDefault("app", "");
  }

  @Override
  public void deletePod(String pod) {
    call(
        Operation.DELETE_POD.on(pod),
        () -> client.pods().inNamespace(operatorNamespace).withName(pod).delete());
  }

  @Override
  public AutoCloseable watch(Runnable onChange) {
    ResourceEventHandler<Node> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Node node) {
            onChange.run();
          }

          @Override
          public void onUpdate(Node before, Node after) {
            onChange.run();
          }

          @Override
          public void onDelete(Node node, boolean finalStateUnknown) {
            // A deleted node has no labels to act on; the agent's pod goes with it.
          }
        };
    SharedIndexInformer<Node> informer = call(Operation.WATCH, () -> node().inform(handler, 0));
    return informer::close;
  }

  /** Closes the connection when {@link #connect} opened it; a given client stays open. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  private Resource<Node> node() {
    return client.nodes().withName(nodeName);
  }

  private static NodeState stateOf(Node node) {
    ObjectMeta m = node.getMetadata();
    return new NodeState(
        m.getName(),
        m.getResourceVersion(),
        Objects.requireNonNullElse(m.getLabels(), Map.of()),
        Objects.requireNonNullElse(m.getAnnotations(), Map.of()));
  }

  private <T> T call(Operation op, Supplier<T> request) {
    return call(op.on(""), request);
  }

  private <T> T call(Request request, Supplier<T> send) {
    try {
      return send.get();
    } catch (KubernetesClientException e) {
      throw failure(request, e);
    }
  }

  private ClusterException failure(Request request, KubernetesClientException e) {
    Operation op = request.op;
    String what = op.describe(nodeName, operatorNamespace, request.object);
    if (e.getCode() <= 0) {
      return new ClusterException(
          "cannot reach the Kubernetes API server at "
              + client.getMasterUrl()
              + " to "
              + what
              + ": "
              + transportFailure(e),
          e);
    }
    String reason = serverReason(e);
    if (e.getCode() == 409 && op == Operation.PATCH) {
      return new NodeConflictException(
          "node " + nodeName + " changed since it was read (HTTP 409 Conflict: " + reason + ")");
    }
    String hint =
        switch (e.getCode()) {
          case 401 -> " The agent's credentials were refused: check its ServiceAccount token.";
          case 403 ->
              " The agent's ServiceAccount needs the verb '"
                  + op.verb
                  + "' on "
                  + op.resource
                  + ": grant it in the agent's ClusterRole (deploy/k8s/).";
          case 404 -> " Check NODE_NAME and the operator namespace.";
          default -> "";
        };
    return new ClusterException(
        "cannot " + what + ": HTTP " + e.getCode() + " " + reason + "." + hint, e);
  }

  private static String serverReason(KubernetesClientException e) {
    if (e.getStatus() == null) {
      return transportFailure(e);
    }
    String reason = Objects.requireNonNullElse(e.getStatus().getReason(), "");
    String message = Objects.requireNonNullElse(e.getStatus().getMessage(), "");
    return message.isEmpty() ? reason : reason + " (" + message + ")";
  }

  /** What went wrong below HTTP, from the innermost cause, e.g. "connection refused". */
  private static String transportFailure(Throwable e) {
    boolean refused = false;
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
      refused |= t instanceof ConnectException;
    }
    String detail = Objects.requireNonNullElse(t.getMessage(), t.getClass().getSimpleName());
    return refused ? "connection refused (" + detail + ")" : detail;
  }

  /** What the agent asks of the API server, with the RBAC verb and resource it needs. */
  private enum Operation {
    READ("read node %s", "get", "nodes"),
    PATCH("patch node %s", "patch", "nodes"),
    RECORD("record an Event about node %s", "create", "events"),
    LIST_PODS("list the pods of namespace %2$s on node %1$s", "list", "pods"),
    DELETE_POD("delete pod %3$s of namespace %2$s (node %1$s)", "delete", "pods"),
    WATCH("watch node %s", "list and watch", "nodes");

    private final String pattern;
    private final String verb;
    private final String resource;

    Operation(String pattern, String verb, String resource) {
      this.pattern = pattern;
      this.verb = verb;
      this.resource = resource;
    }

    String describe(String node, String namespace, String object) {
      return pattern.formatted(node, namespace, object);
    }

    Request on(String object) {
      return new Request(this, object);
    }
  }

  /** An operation on one object (a pod's name), or on the node itself (empty). */
  private record Request(Operation op, String object) {}
}
