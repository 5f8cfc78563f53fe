package io.migctl.k8s.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Plays the GPU Operator's DaemonSets on one node, through its own client, as the agent's tests
 * need them: for every {@link OperatorClient} whose deploy label is {@code true} one pod {@code
 * <app>-<node>-<n>} (label {@code app}, {@code spec.nodeName}) exists in the operator's namespace;
 * when the label becomes anything else ({@value MigManagerLabels#PAUSED}, {@code false}) the pod is
 * deleted, after {@code deleteDelay}; when it is {@code true} again a new pod starts. The validator
 * ({@value OperatorClient#VALIDATOR_APP}) always has a pod, recreated when deleted.
 *
 * <p>Everything it sees and does is kept in {@link #timeline()}, in order: the values of the MIG
 * manager's labels (config, state, deploy labels) as each node update brings them, and the pods of
 * this node appearing and going. One thread does all the work, in the order of the events.
 */
public final class OperatorPlayer implements AutoCloseable {

  /** One thing the player saw. */
  public sealed interface Seen {}

  /** A label of the MIG manager's protocol took {@code value} (empty: removed). */
  public record Label(String key, Optional<String> value) implements Seen {
    /** The label set to {@code value}. */
    public static Label of(String key, String value) {
      return new Label(key, Optional.of(value));
    }
  }

  /** A pod of this node appeared in the operator's namespace. */
  public record PodCreated(String name, String app) implements Seen {}

  /** A pod of this node left the operator's namespace. */
  public record PodDeleted(String name, String app) implements Seen {}

  /** Something the player tried failed; a test that sees this has a broken harness. */
  public record Failed(String what) implements Seen {}

  private record DaemonSet(String app, Optional<String> deployLabel) {
    boolean wanted(Map<String, String> labels) {
      return deployLabel.map(l -> "true".equals(labels.get(l))).orElse(true);
    }
  }

  private static final List<String> WATCHED_LABELS =
      Stream.concat(
              Stream.of(MigManagerLabels.CONFIG, MigManagerLabels.STATE),
              OperatorClient.ALL.stream().map(OperatorClient::deployLabel))
          .toList();

  private final KubernetesClient client;
  private final String node;
  private final String namespace;
  private final Duration deleteDelay;
  private final List<DaemonSet> daemonSets;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
  private final List<Seen> timeline = new ArrayList<>();
  private final Map<String, ScheduledFuture<?>> pendingDeletes = new HashMap<>();
  private final Map<String, Integer> started = new HashMap<>();
  private Map<String, String> labels;
  private SharedIndexInformer<Node> nodeInformer;
  private SharedIndexInformer<Pod> podInformer;

  private OperatorPlayer(
      KubernetesClient client, String node, String namespace, Duration deleteDelay) {
    this.client = client;
    this.node = node;
    this.namespace = namespace;
    this.deleteDelay = deleteDelay;
    List<DaemonSet> sets = new ArrayList<>();
    OperatorClient.ALL.forEach(c -> sets.add(new DaemonSet(c.app(), Optional.of(c.deployLabel()))));
    sets.add(new DaemonSet(OperatorClient.VALIDATOR_APP, Optional.empty()));
    this.daemonSets = List.copyOf(sets);
  }

  /** Starts playing at once: a paused client's pod goes as soon as its label says so. */
  public static OperatorPlayer start(KubernetesClient client, String node, String namespace) {
    return start(client, node, namespace, Duration.ZERO);
  }

  /** Starts playing; a client's pod goes {@code deleteDelay} after its label stops being true. */
  public static OperatorPlayer start(
      KubernetesClient client, String node, String namespace, Duration deleteDelay) {
    OperatorPlayer player = new OperatorPlayer(client, node, namespace, deleteDelay);
    player.podInformer = client.pods().inNamespace(namespace).inform(player.podHandler());
    player.nodeInformer = client.nodes().withName(node).inform(player.nodeHandler());
    return player;
  }

  /** What the player saw and did so far, oldest first. */
  public synchronized List<Seen> timeline() {
    return List.copyOf(timeline);
  }

  /** The names of this node's pods of {@code app} in the operator's namespace, as stored now. */
  public List<String> pods(String app) {
    return podsHere().stream()
        .filter(p -> app.equals(appOf(p)))
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  private ResourceEventHandler<Node> nodeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        run(() -> nodeSeen(n));
      }

      @Override
      public void onUpdate(Node before, Node after) {
        run(() -> nodeSeen(after));
      }

      @Override
      public void onDelete(Node n, boolean finalStateUnknown) {
        // A deleted node has no DaemonSet pods; the tests never delete it.
      }
    };
  }

  private ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        run(
            () -> {
              if (isHere(pod)) {
                note(new PodCreated(pod.getMetadata().getName(), appOf(pod)));
              }
            });
      }

      @Override
      public void onUpdate(Pod before, Pod after) {
        // DaemonSet pods are created and deleted, not changed, in these tests.
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        run(
            () -> {
              if (isHere(pod)) {
                note(new PodDeleted(pod.getMetadata().getName(), appOf(pod)));
                reconcile();
              }
            });
      }
    };
  }

  private void run(Runnable task) {
    worker.execute(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            note(new Failed(e.toString()));
          }
        });
  }

  private void nodeSeen(Node n) {
    Map<String, String> now = Objects.requireNonNullElse(n.getMetadata().getLabels(), Map.of());
    for (String key : WATCHED_LABELS) {
      Optional<String> value = Optional.ofNullable(now.get(key));
      Optional<String> before =
          labels == null ? Optional.empty() : Optional.ofNullable(labels.get(key));
      if (labels == null ? value.isPresent() : !value.equals(before)) {
        note(new Label(key, value));
      }
    }
    labels = new LinkedHashMap<>(now);
    reconcile();
  }

  private void reconcile() {
    if (labels == null) {
      return;
    }
    List<Pod> here = podsHere();
    for (DaemonSet ds : daemonSets) {
      List<Pod> mine = here.stream().filter(p -> ds.app().equals(appOf(p))).toList();
      if (ds.wanted(labels)) {
        Optional.ofNullable(pendingDeletes.remove(ds.app())).ifPresent(f -> f.cancel(false));
        if (mine.isEmpty()) {
          create(ds);
        }
      } else if (!mine.isEmpty() && !pendingDeletes.containsKey(ds.app())) {
        if (deleteDelay.isZero()) {
          mine.forEach(this::delete);
        } else {
          pendingDeletes.put(
              ds.app(),
              worker.schedule(
                  () -> run(() -> deleteIfUnwanted(ds)),
                  deleteDelay.toMillis(),
                  TimeUnit.MILLISECONDS));
        }
      }
    }
  }

  private void deleteIfUnwanted(DaemonSet ds) {
    pendingDeletes.remove(ds.app());
    if (!ds.wanted(labels)) {
      podsHere().stream().filter(p -> ds.app().equals(appOf(p))).forEach(this::delete);
    }
  }

  private void create(DaemonSet ds) {
    int n = started.merge(ds.app(), 1, Integer::sum);
    client
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(ds.app() + "-" + node + "-" + n)
                .withNamespace(namespace)
                .addToLabels("app", ds.app())
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName(ds.app())
                .withImage("registry.invalid/" + ds.app())
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private void delete(Pod pod) {
    // Grace period 0: no kubelet confirms a graceful deletion in these clusters.
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod.getMetadata().getName())
        .withGracePeriod(0)
        .delete();
  }

  private List<Pod> podsHere() {
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(this::isHere)
        .toList();
  }

  private boolean isHere(Pod pod) {
    return pod.getSpec() != null && node.equals(pod.getSpec().getNodeName());
  }

  private static String appOf(Pod pod) {
    Map<String, String> l = pod.getMetadata().getLabels();
    return l == null ? "" : l.getOrDefault("app", "");
  }

  private synchronized void note(Seen seen) {
    timeline.add(seen);
  }

  /** Stops watching and playing; the pods stay as they are. */
  @Override
  public void close() {
    nodeInformer.close();
    podInformer.close();
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
