package io.migctl.nvidia.nvml;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layouts in {@link NvmlLibrary} against the sizes and offsets {@code nvml.h} (API 12, LP64
 * Linux: {@code unsigned int} 4 bytes, {@code unsigned long long} and pointers 8, aligned to their
 * size) implies. Each expectation is written out from the C declaration above it.
 */
class NvmlLayoutTest {

  @Test
  void pciInfo() {
    // typedef struct nvmlPciInfo_st {
    //   char busIdLegacy[16];          0
    //   unsigned int domain;          16
    //   unsigned int bus;             20
    //   unsigned int device;          24
    //   unsigned int pciDeviceId;     28
    //   unsigned int pciSubSystemId;  32
    //   char busId[32];               36
    // } nvmlPciInfo_t;                68
    assertLayout(
        NvmlLibrary.PCI_INFO,
        68,
        fields(
            "busIdLegacy",
            0,
            "domain",
            16,
            "bus",
            20,
            "device",
            24,
            "pciDeviceId",
            28,
            "pciSubSystemId",
            32,
            "busId",
            36));
  }

  @Test
  void memory() {
    // typedef struct nvmlMemory_st {
    //   unsigned long long total;      0
    //   unsigned long long free;       8
    //   unsigned long long used;      16
    // } nvmlMemory_t;                 24
    assertLayout(NvmlLibrary.MEMORY, 24, fields("total", 0, "free", 8, "used", 16));
  }

  @Test
  void processInfo() {
    // typedef struct nvmlProcessInfo_v2_st {
    //   unsigned int pid;                       0 (then 4 bytes of padding)
    //   unsigned long long usedGpuMemory;       8
    //   unsigned int gpuInstanceId;            16
    //   unsigned int computeInstanceId;        20
    // } nvmlProcessInfo_v2_t, nvmlProcessInfo_t;  24
    assertLayout(
        NvmlLibrary.PROCESS_INFO,
        24,
        fields("pid", 0, "usedGpuMemory", 8, "gpuInstanceId", 16, "computeInstanceId", 20));
  }

  @Test
  void placements() {
    // typedef struct nvmlGpuInstancePlacement_st { unsigned int start; unsigned int size; } (8)
    // typedef struct nvmlComputeInstancePlacement_st { unsigned int start; unsigned int size; } (8)
    assertLayout(NvmlLibrary.GPU_INSTANCE_PLACEMENT, 8, fields("start", 0, "size", 4));
    assertLayout(NvmlLibrary.COMPUTE_INSTANCE_PLACEMENT, 8, fields("start", 0, "size", 4));
  }

  @Test
  void gpuInstanceProfileInfoV2() {
    // typedef struct nvmlGpuInstanceProfileInfo_v2_st {
    //   unsigned int version;               0
    //   unsigned int id;                    4
    //   unsigned int isP2pSupported;        8
    //   unsigned int sliceCount;           12
    //   unsigned int instanceCount;        16
    //   unsigned int multiprocessorCount;  20
    //   unsigned int copyEngineCount;      24
    //   unsigned int decoderCount;         28
    //   unsigned int encoderCount;         32
    //   unsigned int jpegCount;            36
    //   unsigned int ofaCount;             40 (then 4 bytes of padding)
    //   unsigned long long memorySizeMB;   48
    //   char name[96];                     56  (NVML_DEVICE_NAME_V2_BUFFER_SIZE)
    // } nvmlGpuInstanceProfileInfo_v2_t;  152
    assertLayout(
        NvmlLibrary.GPU_INSTANCE_PROFILE_INFO_V2,
        152,
        fields(
            "version",
            0,
            "id",
            4,
            "isP2pSupported",
            8,
            "sliceCount",
            12,
            "instanceCount",
            16,
            "multiprocessorCount",
            20,
            "copyEngineCount",
            24,
            "decoderCount",
            28,
            "encoderCount",
            32,
            "jpegCount",
            36,
            "ofaCount",
            40,
            "memorySizeMB",
            48,
            "name",
            56));
  }

  @Test
  void gpuInstanceInfo() {
    // typedef struct nvmlGpuInstanceInfo_st {
    //   nvmlDevice_t device;                    0
    //   unsigned int id;                        8
    //   unsigned int profileId;                12
    //   nvmlGpuInstancePlacement_t placement;  16
    // } nvmlGpuInstanceInfo_t;                 24
    assertLayout(
        NvmlLibrary.GPU_INSTANCE_INFO,
        24,
        fields("device", 0, "id", 8, "profileId", 12, "placement", 16));
  }

  @Test
  void computeInstanceProfileInfoV2() {
    // typedef struct nvmlComputeInstanceProfileInfo_v2_st {
    //   unsigned int version;                 0
    //   unsigned int id;                      4
    //   unsigned int sliceCount;              8
    //   unsigned int instanceCount;          12
    //   unsigned int multiprocessorCount;    16
    //   unsigned int sharedCopyEngineCount;  20
    //   unsigned int sharedDecoderCount;     24
    //   unsigned int sharedEncoderCount;     28
    //   unsigned int sharedJpegCount;        32
    //   unsigned int sharedOfaCount;         36
    //   char name[96];                       40
    // } nvmlComputeInstanceProfileInfo_v2_t; 136
    assertLayout(
        NvmlLibrary.COMPUTE_INSTANCE_PROFILE_INFO_V2,
        136,
        fields(
            "version",
            0,
            "id",
            4,
            "sliceCount",
            8,
            "instanceCount",
            12,
            "multiprocessorCount",
            16,
            "sharedCopyEngineCount",
            20,
            "sharedDecoderCount",
            24,
            "sharedEncoderCount",
            28,
            "sharedJpegCount",
            32,
            "sharedOfaCount",
            36,
            "name",
            40));
  }

  @Test
  void computeInstanceInfo() {
    // typedef struct nvmlComputeInstanceInfo_st {
    //   nvmlDevice_t device;                         0
    //   nvmlGpuInstance_t gpuInstance;               8
    //   unsigned int id;                            16
    //   unsigned int profileId;                     20
    //   nvmlComputeInstancePlacement_t placement;   24
    // } nvmlComputeInstanceInfo_t;                  32
    assertLayout(
        NvmlLibrary.COMPUTE_INSTANCE_INFO,
        32,
        fields("device", 0, "gpuInstance", 8, "id", 16, "profileId", 20, "placement", 24));
  }

  @Test
  void versionWordsAreTheSizeWithTheVersionInTheTopByte() {
    // #define NVML_STRUCT_VERSION(data, ver) (unsigned int)(sizeof(nvml##data##_v##ver##_t) | (ver
    // << 24U))
    assertThat(NvmlLibrary.GPU_INSTANCE_PROFILE_INFO_V2_VERSION).isEqualTo(0x0200_0098);
    assertThat(NvmlLibrary.GPU_INSTANCE_PROFILE_INFO_V2_VERSION).isEqualTo(152 | 2 << 24);
    assertThat(NvmlLibrary.COMPUTE_INSTANCE_PROFILE_INFO_V2_VERSION).isEqualTo(0x0200_0088);
    assertThat(NvmlLibrary.COMPUTE_INSTANCE_PROFILE_INFO_V2_VERSION).isEqualTo(136 | 2 << 24);
  }

  @Test
  void bufferSizesAreTheHeadersV2Sizes() {
    // NVML_DEVICE_NAME_V2_BUFFER_SIZE 96, NVML_DEVICE_UUID_V2_BUFFER_SIZE 96,
    // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
    assertThat(NvmlLibrary.NAME_BUFFER_SIZE).isEqualTo(96);
    assertThat(NvmlLibrary.UUID_BUFFER_SIZE).isEqualTo(96);
    assertThat(NvmlLibrary.DRIVER_VERSION_BUFFER_SIZE).isEqualTo(80);
  }

  private static Map<String, Long> fields(Object... nameOffsetPairs) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < nameOffsetPairs.length; i += 2) {
      out.put((String) nameOffsetPairs[i], ((Integer) nameOffsetPairs[i + 1]).longValue());
    }
    return out;
  }

  private static void assertLayout(StructLayout layout, long size, Map<String, Long> offsets) {
    assertThat(layout.byteSize()).as("sizeof(%s)", layout.name().orElseThrow()).isEqualTo(size);
    Map<String, Long> actual = new LinkedHashMap<>();
    for (String field : offsets.keySet()) {
      PathElement path = groupElement(field);
      actual.put(field, layout.byteOffset(path));
    }
    assertThat(actual).as("offsets in %s", layout.name().orElseThrow()).isEqualTo(offsets);
    long named = layout.memberLayouts().stream().filter(m -> m.name().isPresent()).count();
    assertThat(named).as("fields of %s", layout.name().orElseThrow()).isEqualTo(offsets.size());
  }
}
