package io.migctl.core.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * DCGM's profiling ratios of a GPU or of one GPU instance, each the share of a sample period
 * (0..1), as NVML's GPM reports them on Hopper and later. Empty = not reported (never 0): Ampere
 * has no GPM, and the first sample of a pair has nothing to compare with.
 *
 * @param grEngineActive the graphics/compute engine was active ({@code
 *     DCGM_FI_PROF_GR_ENGINE_ACTIVE})
 * @param smActive at least one warp was resident on an SM, averaged over SMs ({@code
 *     DCGM_FI_PROF_SM_ACTIVE})
 * @param smOccupancy resident warps over the maximum, averaged over SMs ({@code
 *     DCGM_FI_PROF_SM_OCCUPANCY})
 * @param tensorActive the tensor (HMMA) pipe was active ({@code DCGM_FI_PROF_PIPE_TENSOR_ACTIVE})
 * @param dramActive the device memory interface was sending or receiving ({@code
 *     DCGM_FI_PROF_DRAM_ACTIVE})
 * @param fp64Active the FP64 pipe was active ({@code DCGM_FI_PROF_PIPE_FP64_ACTIVE})
 * @param fp32Active the FMA (FP32) pipe was active ({@code DCGM_FI_PROF_PIPE_FP32_ACTIVE})
 * @param fp16Active the FP16 pipe was active ({@code DCGM_FI_PROF_PIPE_FP16_ACTIVE})
 */
public record ProfRatios(
    OptionalDouble grEngineActive,
    OptionalDouble smActive,
    OptionalDouble smOccupancy,
    OptionalDouble tensorActive,
    OptionalDouble dramActive,
    OptionalDouble fp64Active,
    OptionalDouble fp32Active,
    OptionalDouble fp16Active) {

  /** Nothing reported. */
  public static final ProfRatios NONE = engineOnly(OptionalDouble.empty());

  public ProfRatios {
    requireRatio("grEngineActive", grEngineActive);
    requireRatio("smActive", smActive);
    requireRatio("smOccupancy", smOccupancy);
    requireRatio("tensorActive", tensorActive);
    requireRatio("dramActive", dramActive);
    requireRatio("fp64Active", fp64Active);
    requireRatio("fp32Active", fp32Active);
    requireRatio("fp16Active", fp16Active);
  }

  /** Only the graphics engine's activity, as GPM reports it where nothing else was asked for. */
  public static ProfRatios engineOnly(OptionalDouble grEngineActive) {
    return new ProfRatios(
        grEngineActive,
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty());
  }

  private static void requireRatio(String name, OptionalDouble value) {
    Objects.requireNonNull(value, name);
    if (value.isPresent()) {
      double v = value.getAsDouble();
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException(name + " must lie in 0..1, was " + v);
      }
    }
  }
}
