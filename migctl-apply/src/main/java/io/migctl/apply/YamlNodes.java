package io.migctl.apply;

import io.migctl.core.mig.config.ConfigException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** Reading composed YAML nodes. */
final class YamlNodes {

  /** The value of a mapping's key (the last one when the key repeats), or null. */
  static Node child(Node node, String key) {
    Node found = null;
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (scalar(t.getKeyNode()).filter(key::equals).isPresent()) {
          found = t.getValueNode();
        }
      }
    }
    return found;
  }

  static Optional<String> scalar(Node node) {
    return node instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
  }

  static List<String> keys(MappingNode m) {
    List<String> keys = new ArrayList<>();
    for (NodeTuple t : m.getValue()) {
      scalar(t.getKeyNode()).filter(k -> !keys.contains(k)).ifPresent(keys::add);
    }
    return keys;
  }

  static boolean isConfigMap(MappingNode m) {
    return scalar(child(m, "kind")).filter("ConfigMap"::equals).isPresent();
  }

  static boolean isEntry(MappingNode m) {
    List<String> keys = keys(m);
    return keys.contains("devices") || keys.contains("mig-enabled");
  }

  static boolean isEmpty(Node node) {
    return node == null || (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
  }

  static int firstLine(Node node) {
    return node.getStartMark().map(Mark::getLine).orElse(0);
  }

  /** The lines a node covers, 0-based and inclusive. */
  static int[] span(Node node) {
    int first = firstLine(node);
    int last =
        node.getEndMark()
            .map(m -> m.getColumn() == 0 && m.getLine() > first ? m.getLine() - 1 : m.getLine())
            .orElse(first);
    return new int[] {first, last};
  }

  static void collectSpans(
      Node node, List<int[]> flows, List<int[]> blockScalars, Map<Node, Boolean> seen) {
    if (node == null || seen.put(node, true) != null) {
      return;
    }
    switch (node) {
      case ScalarNode s
          when s.getScalarStyle() == ScalarStyle.LITERAL
              || s.getScalarStyle() == ScalarStyle.FOLDED ->
          blockScalars.add(span(s));
      case MappingNode m -> {
        if (m.getFlowStyle() == FlowStyle.FLOW) {
          flows.add(span(m));
        }
        for (NodeTuple t : m.getValue()) {
          collectSpans(t.getKeyNode(), flows, blockScalars, seen);
          collectSpans(t.getValueNode(), flows, blockScalars, seen);
        }
      }
      case SequenceNode q -> {
        if (q.getFlowStyle() == FlowStyle.FLOW) {
          flows.add(span(q));
        }
        for (Node item : q.getValue()) {
          collectSpans(item, flows, blockScalars, seen);
        }
      }
      default -> {}
    }
  }

  /** The Java value of a node: maps, lists, strings, numbers, booleans and nulls. */
  static Object value(Node node, String source, String label) {
    return value(node, new IdentityHashMap<>(), source, label);
  }

  private static Object value(Node node, Map<Node, Boolean> active, String source, String label) {
    if (node == null) {
      return null;
    }
    if (active.containsKey(node)) {
      throw new ConfigException(
          source + ":" + (firstLine(node) + 1) + (label.isEmpty() ? "" : " (" + label + ")"),
          "an alias refers to a node that contains it; the YAML is recursive");
    }
    active.put(node, true);
    try {
      return switch (node) {
        case ScalarNode s -> scalarValue(s);
        case SequenceNode q -> {
          List<Object> list = new ArrayList<>();
          for (Node item : q.getValue()) {
            list.add(value(item, active, source, label));
          }
          yield list;
        }
        case MappingNode m -> {
          Map<Object, Object> map = new LinkedHashMap<>();
          List<Node> merges = new ArrayList<>();
          for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode().getTag().equals(Tag.MERGE)) {
              merges.add(t.getValueNode());
            } else {
              map.put(
                  value(t.getKeyNode(), active, source, label),
                  value(t.getValueNode(), active, source, label));
            }
          }
          for (Node merge : merges) {
            List<Node> sources = merge instanceof SequenceNode q ? q.getValue() : List.of(merge);
            for (Node from : sources) {
              if (value(from, active, source, label) instanceof Map<?, ?> extra) {
                extra.forEach(map::putIfAbsent);
              }
            }
          }
          yield map;
        }
        default -> null;
      };
    } finally {
      active.remove(node);
    }
  }

  private static Object scalarValue(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (tag.equals(Tag.BOOL) && (Yaml11Schema.TRUE.contains(v) || Yaml11Schema.FALSE.contains(v))) {
      return Yaml11Schema.TRUE.contains(v);
    }
    if (tag.equals(Tag.INT)) {
      Optional<Number> n = Yaml11Schema.integer(v);
      if (n.isPresent()) {
        return n.get();
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      Optional<Double> d = Yaml11Schema.floating(v);
      if (d.isPresent()) {
        return d.get();
      }
    }
    return v;
  }
}
