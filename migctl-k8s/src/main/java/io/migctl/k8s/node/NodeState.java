package io.migctl.k8s.node;

import java.util.Map;
import java.util.Optional;

/** A node as read: its resource version, labels and annotations. */
public record NodeState(
    String name,
    String resourceVersion,
    Map<String, String> labels,
    Map<String, String> annotations) {

  public NodeState {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  /** A label's value. */
  public Optional<String> label(String key) {
    return Optional.ofNullable(labels.get(key));
  }

  /** An annotation's value. */
  public Optional<String> annotation(String key) {
    return Optional.ofNullable(annotations.get(key));
  }
}
