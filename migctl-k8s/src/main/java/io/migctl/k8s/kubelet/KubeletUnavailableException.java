package io.migctl.k8s.kubelet;

/** The kubelet's PodResources API could not be asked; the message says where and why. */
public final class KubeletUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KubeletUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
