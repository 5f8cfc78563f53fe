package io.migctl.k8s.node;

import java.util.List;

/**
 * The Node this agent runs on, as the MIG manager sees it. Every write is a JSON merge patch; a
 * patch that names a resource version fails with {@link NodeConflictException} when the node has
 * changed since (HTTP 409), so that a decision made on an old read is never written.
 */
public interface ClusterNode {

  /** The node's name. */
  String name();

  /**
   * Reads the node.
   *
   * @throws ClusterException when the API server cannot be reached or refuses
   */
  NodeState read();

  /**
   * Patches labels and annotations.
   *
   * @return the node after the patch
   * @throws NodeConflictException when {@link NodePatch#expectedVersion} is set and stale
   * @throws ClusterException on any other failure
   */
  NodeState patch(NodePatch patch);

  /** Records a core/v1 Event about the node. Failures are the caller's to ignore. */
  void record(NodeEvent event);

  /** The pods of the operator's namespace that run on this node. */
  List<OperatorPod> operatorPods();

  /** Deletes a pod of the operator's namespace; a pod already gone is not an error. */
  void deletePod(String name);

  /**
   * Calls {@code onChange} whenever the node changes (and once the watch has started), until the
   * returned handle is closed.
   */
  AutoCloseable watch(Runnable onChange);
}
