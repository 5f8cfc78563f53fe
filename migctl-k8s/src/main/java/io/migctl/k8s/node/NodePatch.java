package io.migctl.k8s.node;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON merge patch of a node's labels and annotations: a key with a value sets it, a key with an
 * empty value removes it. With an expected resource version the patch carries it, and the API
 * server refuses it (409) when the node has changed since.
 */
public final class NodePatch {

  private final Optional<String> expectedVersion;
  private final Map<String, Optional<String>> labels = new LinkedHashMap<>();
  private final Map<String, Optional<String>> annotations = new LinkedHashMap<>();

  private NodePatch(Optional<String> expectedVersion) {
    this.expectedVersion = expectedVersion;
  }

  /** A patch applied whatever the node's version. */
  public static NodePatch unconditional() {
    return new NodePatch(Optional.empty());
  }

  /** A patch refused when the node is no longer at {@code resourceVersion}. */
  public static NodePatch ifAt(String resourceVersion) {
    return new NodePatch(Optional.of(resourceVersion));
  }

  public NodePatch label(String key, String value) {
    labels.put(key, Optional.of(value));
    return this;
  }

  public NodePatch labels(Map<String, String> values) {
    values.forEach(this::label);
    return this;
  }

  public NodePatch annotate(String key, String value) {
    annotations.put(key, Optional.of(value));
    return this;
  }

  public NodePatch removeAnnotation(String key) {
    annotations.put(key, Optional.empty());
    return this;
  }

  public Optional<String> expectedVersion() {
    return expectedVersion;
  }

  /** Label changes: a value sets, empty removes. */
  public Map<String, Optional<String>> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /** Annotation changes: a value sets, empty removes. */
  public Map<String, Optional<String>> annotations() {
    return Collections.unmodifiableMap(annotations);
  }

  /** Whether applying this patch to {@code node} would change any label or annotation. */
  public boolean changes(NodeState node) {
    return !merge(node.labels(), labels).equals(node.labels())
        || !merge(node.annotations(), annotations).equals(node.annotations());
  }

  /** This patch applied to {@code values} (labels or annotations), as the API server merges. */
  public static Map<String, String> merge(
      Map<String, String> values, Map<String, Optional<String>> changes) {
    Map<String, String> out = new LinkedHashMap<>(values);
    changes.forEach((k, v) -> v.ifPresentOrElse(x -> out.put(k, x), () -> out.remove(k)));
    return out;
  }
}
