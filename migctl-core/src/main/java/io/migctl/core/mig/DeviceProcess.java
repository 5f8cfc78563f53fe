package io.migctl.core.mig;

/**
 * A process that holds a MIG device (a compute process, or anything else that keeps it in use).
 *
 * @param pid the process id
 * @param deviceUuid the {@code MIG-…} UUID of the device it holds
 * @param usedMemoryMiB the device memory it uses, 0 when unknown
 */
public record DeviceProcess(long pid, String deviceUuid, long usedMemoryMiB) {}
