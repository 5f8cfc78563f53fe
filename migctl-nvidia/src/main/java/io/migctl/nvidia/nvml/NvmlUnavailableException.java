package io.migctl.nvidia.nvml;

/**
 * NVML cannot be used on this machine: {@code libnvidia-ml.so.1} is missing or is not NVML, native
 * access is disabled, or {@code nvmlInit} failed. The message is one line for people, e.g. {@code
 * nvmlInit failed: Driver Not Loaded}.
 */
public final class NvmlUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NvmlUnavailableException(String reason) {
    super(reason);
  }

  public NvmlUnavailableException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
