package io.migctl.core.mig;

/**
 * A GPU instance that exists on a GPU.
 *
 * @param gpu the GPU's index
 * @param id the GPU-instance id the driver assigned ({@code -lgi} "Instance ID")
 * @param profileId the GPU-instance profile's {@code -lgip} id
 * @param placement where it sits on the memory slices
 */
public record GpuInstance(int gpu, int id, int profileId, Placement placement) {}
