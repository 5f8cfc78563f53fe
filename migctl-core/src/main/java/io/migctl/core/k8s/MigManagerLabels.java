package io.migctl.core.k8s;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node labels of the MIG manager's protocol, and the pure rules for pausing and restoring the
 * operator's GPU clients around a change.
 *
 * <p>Pausing turns every deploy label whose value is {@code true} into {@value #PAUSED}; a label
 * that is {@code false} (the client is not wanted on this node) or absent is never touched. A label
 * already {@value #PAUSED} (a manager stopped in the middle of a change) stays paused and is
 * restored with the others. Restoring turns exactly the labels that are {@value #PAUSED} back into
 * {@code true}.
 */
public final class MigManagerLabels {

  /** The layout the node should have: a config name of the mig-parted file. */
  public static final String CONFIG = "nvidia.com/mig.config";

  /** Where the change stands: {@link MigConfigState}. */
  public static final String STATE = "nvidia.com/mig.config.state";

  /** The prefix of the operator's per-node deploy labels. */
  public static final String DEPLOY_PREFIX = "nvidia.com/gpu.deploy.";

  /** The value a deploy label has while its client is paused for a MIG change. */
  public static final String PAUSED = "paused-for-mig-change";

  private MigManagerLabels() {}

  /** The deploy labels that pausing changes: those that are {@code true} or already paused. */
  public static List<OperatorClient> toPause(Map<String, String> labels) {
    List<OperatorClient> out = new ArrayList<>();
    for (OperatorClient c : OperatorClient.ALL) {
      String v = labels.get(c.deployLabel());
      if ("true".equals(v) || PAUSED.equals(v)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The label changes that pause {@code clients}. */
  public static Map<String, String> pause(Collection<OperatorClient> clients) {
    Map<String, String> out = new LinkedHashMap<>();
    clients.forEach(c -> out.put(c.deployLabel(), PAUSED));
    return out;
  }

  /** The label changes that restore every paused client of {@code labels}: each back to true. */
  public static Map<String, String> restore(Map<String, String> labels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (OperatorClient c : OperatorClient.ALL) {
      if (PAUSED.equals(labels.get(c.deployLabel()))) {
        out.put(c.deployLabel(), "true");
      }
    }
    return out;
  }

  /** The clients whose deploy label is paused in {@code labels}. */
  public static List<OperatorClient> paused(Map<String, String> labels) {
    return OperatorClient.ALL.stream()
        .filter(c -> PAUSED.equals(labels.get(c.deployLabel())))
        .toList();
  }
}
