package io.migctl.nvidia.nvml;

import io.migctl.core.mig.DriverError;

/**
 * NVML's return codes ({@code nvmlReturn_t} in {@code nvml.h}) that migctl tells apart, and how
 * they map to {@link DriverError}.
 */
final class NvmlReturn {

  static final int SUCCESS = 0;
  static final int UNINITIALIZED = 1;
  static final int INVALID_ARGUMENT = 2;
  static final int NOT_SUPPORTED = 3;
  static final int NO_PERMISSION = 4;
  static final int NOT_FOUND = 6;
  static final int INSUFFICIENT_SIZE = 7;
  static final int DRIVER_NOT_LOADED = 9;
  static final int TIMEOUT = 10;
  static final int LIBRARY_NOT_FOUND = 12;
  static final int FUNCTION_NOT_FOUND = 13;
  static final int GPU_IS_LOST = 15;
  static final int RESET_REQUIRED = 16;
  static final int IN_USE = 19;
  static final int INSUFFICIENT_RESOURCES = 23;
  static final int ARGUMENT_VERSION_MISMATCH = 25;
  static final int UNKNOWN = 999;

  private NvmlReturn() {}

  /** The driver error for an NVML return code; codes migctl does not tell apart are UNKNOWN. */
  static DriverError toDriverError(int code) {
    return switch (code) {
      case INVALID_ARGUMENT -> DriverError.INVALID_ARGUMENT;
      case NOT_SUPPORTED -> DriverError.NOT_SUPPORTED;
      case NO_PERMISSION -> DriverError.NO_PERMISSION;
      case NOT_FOUND -> DriverError.NOT_FOUND;
      case DRIVER_NOT_LOADED -> DriverError.DRIVER_NOT_LOADED;
      case RESET_REQUIRED -> DriverError.RESET_REQUIRED;
      case IN_USE -> DriverError.IN_USE;
      case INSUFFICIENT_RESOURCES -> DriverError.INSUFFICIENT_RESOURCES;
      default -> DriverError.UNKNOWN;
    };
  }
}
