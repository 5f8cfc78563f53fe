package io.migctl.nvidia.nvml;

/**
 * An NVML function returned something other than {@code NVML_SUCCESS}. Thrown by {@link
 * NvmlLibrary}; {@link NvmlMigDriver} turns it into a {@link io.migctl.core.mig.MigDriverException}
 * that names the operation.
 */
final class NvmlCallException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String function;
  private final String nvmlText;

  NvmlCallException(int code, String function, String nvmlText) {
    super(function + " returned " + code + ": " + nvmlText);
    this.code = code;
    this.function = function;
    this.nvmlText = nvmlText;
  }

  /** The {@code nvmlReturn_t} value. */
  int code() {
    return code;
  }

  /** The NVML function that returned it, e.g. {@code nvmlDeviceCreateGpuInstance}. */
  String function() {
    return function;
  }

  /** NVML's words for the code ({@code nvmlErrorString}). */
  String nvmlText() {
    return nvmlText;
  }
}
