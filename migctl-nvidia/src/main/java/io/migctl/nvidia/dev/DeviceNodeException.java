package io.migctl.nvidia.dev;

/**
 * A device node cannot be named or made: the driver's numbering lacks it, or the simulated node
 * could not create it. The message says which node and why.
 */
public final class DeviceNodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DeviceNodeException(String message) {
    super(message);
  }

  public DeviceNodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
