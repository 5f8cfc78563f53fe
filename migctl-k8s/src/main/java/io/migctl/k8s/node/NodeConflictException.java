package io.migctl.k8s.node;

/** The node changed since it was read (HTTP 409): read it again and decide again. */
public final class NodeConflictException extends ClusterException {
  private static final long serialVersionUID = 1L;

  public NodeConflictException(String message) {
    super(message);
  }
}
