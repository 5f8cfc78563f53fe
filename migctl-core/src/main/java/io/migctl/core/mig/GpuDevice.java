package io.migctl.core.mig;

/**
 * One physical GPU as the driver reports it.
 *
 * @param index the driver's index ({@code nvidia-smi -i})
 * @param uuid {@code GPU-…}
 * @param productName the name NVML reports, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param pciBusId e.g. {@code 00000000:07:00.0}
 * @param pciDeviceId device and vendor id, e.g. {@code 0x20B010DE}
 * @param pciSubsystemId subsystem and vendor id, e.g. {@code 0x134F10DE}
 * @param memoryMiB total framebuffer memory
 * @param migMode current and pending MIG mode
 */
public record GpuDevice(
    int index,
    String uuid,
    String productName,
    String pciBusId,
    int pciDeviceId,
    int pciSubsystemId,
    long memoryMiB,
    MigMode migMode) {}
