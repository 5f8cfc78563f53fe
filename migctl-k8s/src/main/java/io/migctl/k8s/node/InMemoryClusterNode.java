package io.migctl.k8s.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node held in memory, with the API server's rules that matter to the agent: every write bumps
 * the resource version, a patch at a stale version is refused, watchers hear every change. Tests
 * make it refuse the next patches ({@link #conflictNext}) and play the operator ({@link
 * #onPatched}).
 */
public final class InMemoryClusterNode implements ClusterNode {

  private final String name;
  private final Map<String, String> labels = new LinkedHashMap<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private final List<OperatorPod> pods = new ArrayList<>();
  private final List<NodeEvent> events = new ArrayList<>();
  private final List<Map<String, String>> labelHistory = new ArrayList<>();
  private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
  private final List<Consumer<InMemoryClusterNode>> afterPatch = new CopyOnWriteArrayList<>();
  private long version = 1;
  private int conflicts;

  public InMemoryClusterNode(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized NodeState read() {
    return new NodeState(name, Long.toString(version), labels, annotations);
  }

  @Override
  public NodeState patch(NodePatch patch) {
    NodeState after;
    synchronized (this) {
      if (conflicts > 0) {
        conflicts--;
        version++;
        throw new NodeConflictException("node " + name + " changed since it was read (test)");
      }
      if (patch.expectedVersion().isPresent()
          && !patch.expectedVersion().get().equals(Long.toString(version))) {
        throw new NodeConflictException(
            "node "
                + name
                + " is at version "
                + version
                + ", not "
                + patch.expectedVersion().get());
      }
      apply(patch);
      after = read();
    }
    afterPatch.forEach(c -> c.accept(this));
    watchers.forEach(Runnable::run);
    return after;
  }

  private void apply(NodePatch patch) {
    Map<String, String> l = NodePatch.merge(labels, patch.labels());
    Map<String, String> a = NodePatch.merge(annotations, patch.annotations());
    labels.clear();
    labels.putAll(l);
    annotations.clear();
    annotations.putAll(a);
    version++;
    if (!patch.labels().isEmpty()) {
      labelHistory.add(Map.copyOf(labels));
    }
  }

  /** Sets labels as a user or another controller would (not counted as the agent's patch). */
  public void setLabels(Map<String, String> values) {
    NodePatch p = NodePatch.unconditional().labels(values);
    synchronized (this) {
      apply(p);
    }
    watchers.forEach(Runnable::run);
  }

  @Override
  public synchronized void record(NodeEvent event) {
    events.add(event);
  }

  @Override
  public synchronized List<OperatorPod> operatorPods() {
    return List.copyOf(pods);
  }

  @Override
  public synchronized void deletePod(String pod) {
    pods.removeIf(p -> p.name().equals(pod));
  }

  /** A pod of the operator's namespace starts on this node. */
  public synchronized void addPod(OperatorPod pod) {
    pods.add(pod);
  }

  @Override
  public AutoCloseable watch(Runnable onChange) {
    watchers.add(onChange);
    onChange.run();
    return () -> watchers.remove(onChange);
  }

  /** The next {@code n} patches fail with a conflict, as if someone wrote the node just before. */
  public synchronized void conflictNext(int n) {
    conflicts = n;
  }

  /** Runs {@code then} after every successful patch (e.g. the operator reacting to labels). */
  public void onPatched(Consumer<InMemoryClusterNode> then) {
    afterPatch.add(then);
  }

  /** Every Event recorded, oldest first. */
  public synchronized List<NodeEvent> events() {
    return List.copyOf(events);
  }

  /** The labels after every write that changed labels, oldest first. */
  public synchronized List<Map<String, String>> labelHistory() {
    return List.copyOf(labelHistory);
  }
}
