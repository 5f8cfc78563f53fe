package io.migctl.core.mig;

/**
 * A compute instance that exists inside a GPU instance: a MIG device.
 *
 * @param gpu the GPU's index
 * @param gpuInstanceId the GPU instance it lives in
 * @param id the compute-instance id within that GPU instance
 * @param profileId the compute-instance profile id ({@code -lcip} "Profile ID")
 * @param placement where it sits on its GPU instance's compute slices
 * @param uuid {@code MIG-…}, what {@code CUDA_VISIBLE_DEVICES} takes
 */
public record ComputeInstance(
    int gpu, int gpuInstanceId, int id, int profileId, Placement placement, String uuid) {}
