package io.migctl.nvidia.nvml;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.migctl.core.mig.Placement;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The binding to NVML ({@code libnvidia-ml.so.1}) through {@code java.lang.foreign}: every memory
 * layout, every downcall handle and all native memory of migctl live here, and nothing else in
 * migctl touches {@code java.lang.foreign}.
 *
 * <p>Layouts and signatures follow NVML's public header {@code nvml.h} (API version 12) on LP64
 * Linux; {@code NvmlLayoutTest} pins every size and offset. Each method is one NVML call (two for
 * the calls that first ask for a count), returns plain Java values, and throws {@link
 * NvmlCallException} with NVML's code and words when NVML does not return {@code NVML_SUCCESS}.
 * Handles are the native pointers NVML hands out, wrapped in records; they stay valid as NVML
 * documents (a GPU-instance handle until the instance is destroyed).
 *
 * <p>A function the loaded library lacks (an old driver) fails when called, with {@code
 * NVML_ERROR_FUNCTION_NOT_FOUND}, so that the rest stays usable.
 *
 * <p>Not synchronized: NVML itself is thread-safe, and the native memory of each call is confined
 * to that call; {@link NvmlMigDriver} serialises calls for its own atomicity.
 */
// Restricted methods (library lookup, downcalls, reinterpreting returned pointers) are this class's
// purpose; the launcher and the tests run the JVM with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
final class NvmlLibrary implements AutoCloseable {

  /** The library's name on Linux, as the driver installs it. */
  static final String SONAME = "libnvidia-ml.so.1";

  /** Where Debian and Ubuntu install it, tried when the system library path does not find it. */
  static final Path DEBIAN_PATH = Path.of("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1");

  /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}: room for device and profile names. */
  static final int NAME_BUFFER_SIZE = 96;

  /** {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}: room for {@code GPU-…} and {@code MIG-…} UUIDs. */
  static final int UUID_BUFFER_SIZE = 96;

  /** {@code NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE}. */
  static final int DRIVER_VERSION_BUFFER_SIZE = 80;

  /**
   * How many {@code NVML_GPU_INSTANCE_PROFILE_*} indices to ask about: {@code
   * NVML_GPU_INSTANCE_PROFILE_COUNT} of recent headers (0x11, with the {@code _GFX}, {@code _NO_ME}
   * and {@code _ALL_ME} indices); older drivers answer the indices they do not know with
   * INVALID_ARGUMENT.
   */
  static final int GPU_INSTANCE_PROFILE_INDICES = 0x11;

  /**
   * How many {@code NVML_COMPUTE_INSTANCE_PROFILE_*} indices to ask about ({@code
   * NVML_COMPUTE_INSTANCE_PROFILE_COUNT} is 8 in the 12.x headers; a few more cost nothing).
   */
  static final int COMPUTE_INSTANCE_PROFILE_INDICES = 0x10;

  /** {@code NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED}. */
  static final int COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED = 0;

  /** {@code NVML_VALUE_NOT_AVAILABLE} in an {@code unsigned long long} field. */
  static final long VALUE_NOT_AVAILABLE = -1L;

  /** {@code NVML_TEMPERATURE_GPU}: the GPU die's sensor. */
  static final int TEMPERATURE_GPU = 0;

  /** {@code NVML_CLOCK_SM}. */
  static final int CLOCK_SM = 1;

  /** {@code NVML_CLOCK_MEM}. */
  static final int CLOCK_MEM = 2;

  /** {@code NVML_GPM_SUPPORT_VERSION}. */
  static final int GPM_SUPPORT_VERSION = 1;

  /** {@code NVML_GPM_METRICS_GET_VERSION}. */
  static final int GPM_METRICS_GET_VERSION = 1;

  /** {@code NVML_GPM_METRIC_GRAPHICS_UTIL}: share of time any compute or graphics engine ran, %. */
  static final int GPM_METRIC_GRAPHICS_UTIL = 1;

  /** {@code NVML_GPM_METRIC_SM_UTIL}: share of SMs with at least one warp resident, %. */
  static final int GPM_METRIC_SM_UTIL = 2;

  /** {@code NVML_GPM_METRIC_SM_OCCUPANCY}: resident warps over the maximum, %. */
  static final int GPM_METRIC_SM_OCCUPANCY = 3;

  /** {@code NVML_GPM_METRIC_ANY_TENSOR_UTIL}: share of time any tensor pipe ran, %. */
  static final int GPM_METRIC_ANY_TENSOR_UTIL = 5;

  /** {@code NVML_GPM_METRIC_DRAM_BW_UTIL}: DRAM bandwidth used over the peak, %. */
  static final int GPM_METRIC_DRAM_BW_UTIL = 10;

  /** {@code NVML_GPM_METRIC_FP64_UTIL}: share of time the FP64 pipe ran, %. */
  static final int GPM_METRIC_FP64_UTIL = 11;

  /** {@code NVML_GPM_METRIC_FP32_UTIL}: share of time the FP32 (FMA) pipe ran, %. */
  static final int GPM_METRIC_FP32_UTIL = 12;

  /** {@code NVML_GPM_METRIC_FP16_UTIL}: share of time the FP16 pipe ran, %. */
  static final int GPM_METRIC_FP16_UTIL = 13;

  /** {@code NVML_PCIE_UTIL_TX_BYTES}: the counter of data the GPU sent. */
  static final int PCIE_UTIL_TX_BYTES = 0;

  /** {@code NVML_PCIE_UTIL_RX_BYTES}: the counter of data the GPU received. */
  static final int PCIE_UTIL_RX_BYTES = 1;

  /** {@code nvmlEventTypeXidCriticalError}. */
  static final long EVENT_TYPE_XID_CRITICAL_ERROR = 0x8L;

  /** {@code NVML_P2P_CAPS_INDEX_NVLINK}: whether two GPUs reach each other over NVLink. */
  static final int P2P_CAPS_INDEX_NVLINK = 2;

  /** {@code NVML_P2P_STATUS_OK}: the peer-to-peer capability asked about is there. */
  static final int P2P_STATUS_OK = 0;

  /** {@code NVML_P2P_STATUS_UNKNOWN}: the driver cannot say. */
  static final int P2P_STATUS_UNKNOWN = 6;

  /** {@code NVML_GPM_METRIC_MAX} of the 12.2 header: the length of {@code metrics[]}. */
  static final int GPM_METRIC_MAX = 98;

  /**
   * Entries of {@code metrics[]} to allocate: later headers raise {@code NVML_GPM_METRIC_MAX}
   * without changing {@code NVML_GPM_METRICS_GET_VERSION}, so a library built from one of them may
   * touch more of the struct than the 12.2 layout; the extra room costs 40 KiB for one call.
   */
  static final int GPM_METRICS_ROOM = 1024;

  // ------------------------------------------------------------------ layouts (nvml.h, LP64)

  /** {@code nvmlPciInfo_t} (68 bytes). */
  static final StructLayout PCI_INFO =
      MemoryLayout.structLayout(
              MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("busIdLegacy"),
              JAVA_INT.withName("domain"),
              JAVA_INT.withName("bus"),
              JAVA_INT.withName("device"),
              JAVA_INT.withName("pciDeviceId"),
              JAVA_INT.withName("pciSubSystemId"),
              MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("busId"))
          .withName("nvmlPciInfo_t");

  /** {@code nvmlMemory_t} (v1, 24 bytes). */
  static final StructLayout MEMORY =
      MemoryLayout.structLayout(
              JAVA_LONG.withName("total"), JAVA_LONG.withName("free"), JAVA_LONG.withName("used"))
          .withName("nvmlMemory_t");

  /** {@code nvmlProcessInfo_t} = {@code nvmlProcessInfo_v2_t} (24 bytes). */
  static final StructLayout PROCESS_INFO =
      MemoryLayout.structLayout(
              JAVA_INT.withName("pid"),
              MemoryLayout.paddingLayout(4),
              JAVA_LONG.withName("usedGpuMemory"),
              JAVA_INT.withName("gpuInstanceId"),
              JAVA_INT.withName("computeInstanceId"))
          .withName("nvmlProcessInfo_t");

  /** {@code nvmlGpuInstancePlacement_t} (8 bytes). */
  static final StructLayout GPU_INSTANCE_PLACEMENT =
      MemoryLayout.structLayout(JAVA_INT.withName("start"), JAVA_INT.withName("size"))
          .withName("nvmlGpuInstancePlacement_t");

  /** {@code nvmlGpuInstanceProfileInfo_v2_t} (152 bytes). */
  static final StructLayout GPU_INSTANCE_PROFILE_INFO_V2 =
      MemoryLayout.structLayout(
              JAVA_INT.withName("version"),
              JAVA_INT.withName("id"),
              JAVA_INT.withName("isP2pSupported"),
              JAVA_INT.withName("sliceCount"),
              JAVA_INT.withName("instanceCount"),
              JAVA_INT.withName("multiprocessorCount"),
              JAVA_INT.withName("copyEngineCount"),
              JAVA_INT.withName("decoderCount"),
              JAVA_INT.withName("encoderCount"),
              JAVA_INT.withName("jpegCount"),
              JAVA_INT.withName("ofaCount"),
              MemoryLayout.paddingLayout(4),
              JAVA_LONG.withName("memorySizeMB"),
              MemoryLayout.sequenceLayout(NAME_BUFFER_SIZE, JAVA_BYTE).withName("name"))
          .withName("nvmlGpuInstanceProfileInfo_v2_t");

  /**
   * {@code nvmlGpuInstanceProfileInfo_v2}: {@code NVML_STRUCT_VERSION(GpuInstanceProfileInfo, 2)}.
   */
  static final int GPU_INSTANCE_PROFILE_INFO_V2_VERSION =
      structVersion(GPU_INSTANCE_PROFILE_INFO_V2, 2);

  /** {@code nvmlGpuInstanceInfo_t} (24 bytes). */
  static final StructLayout GPU_INSTANCE_INFO =
      MemoryLayout.structLayout(
              ADDRESS.withName("device"),
              JAVA_INT.withName("id"),
              JAVA_INT.withName("profileId"),
              GPU_INSTANCE_PLACEMENT.withName("placement"))
          .withName("nvmlGpuInstanceInfo_t");

  /** {@code nvmlComputeInstancePlacement_t} (8 bytes). */
  static final StructLayout COMPUTE_INSTANCE_PLACEMENT =
      MemoryLayout.structLayout(JAVA_INT.withName("start"), JAVA_INT.withName("size"))
          .withName("nvmlComputeInstancePlacement_t");

  /** {@code nvmlComputeInstanceProfileInfo_v2_t} (136 bytes). */
  static final StructLayout COMPUTE_INSTANCE_PROFILE_INFO_V2 =
      MemoryLayout.structLayout(
              JAVA_INT.withName("version"),
              JAVA_INT.withName("id"),
              JAVA_INT.withName("sliceCount"),
              JAVA_INT.withName("instanceCount"),
              JAVA_INT.withName("multiprocessorCount"),
              JAVA_INT.withName("sharedCopyEngineCount"),
              JAVA_INT.withName("sharedDecoderCount"),
              JAVA_INT.withName("sharedEncoderCount"),
              JAVA_INT.withName("sharedJpegCount"),
              JAVA_INT.withName("sharedOfaCount"),
              MemoryLayout.sequenceLayout(NAME_BUFFER_SIZE, JAVA_BYTE).withName("name"))
          .withName("nvmlComputeInstanceProfileInfo_v2_t");

  /**
   * {@code nvmlComputeInstanceProfileInfo_v2}: {@code
   * NVML_STRUCT_VERSION(ComputeInstanceProfileInfo, 2)}.
   */
  static final int COMPUTE_INSTANCE_PROFILE_INFO_V2_VERSION =
      structVersion(COMPUTE_INSTANCE_PROFILE_INFO_V2, 2);

  /** {@code nvmlComputeInstanceInfo_t} (32 bytes). */
  static final StructLayout COMPUTE_INSTANCE_INFO =
      MemoryLayout.structLayout(
              ADDRESS.withName("device"),
              ADDRESS.withName("gpuInstance"),
              JAVA_INT.withName("id"),
              JAVA_INT.withName("profileId"),
              COMPUTE_INSTANCE_PLACEMENT.withName("placement"))
          .withName("nvmlComputeInstanceInfo_t");

  /** {@code nvmlUtilization_t} (8 bytes). */
  static final StructLayout UTILIZATION =
      MemoryLayout.structLayout(JAVA_INT.withName("gpu"), JAVA_INT.withName("memory"))
          .withName("nvmlUtilization_t");

  /** {@code nvmlGpmSupport_t} (8 bytes). */
  static final StructLayout GPM_SUPPORT =
      MemoryLayout.structLayout(
              JAVA_INT.withName("version"), JAVA_INT.withName("isSupportedDevice"))
          .withName("nvmlGpmSupport_t");

  /** {@code nvmlGpmMetric_t} (40 bytes). */
  static final StructLayout GPM_METRIC =
      MemoryLayout.structLayout(
              JAVA_INT.withName("metricId"),
              JAVA_INT.withName("nvmlReturn"),
              JAVA_DOUBLE.withName("value"),
              MemoryLayout.structLayout(
                      ADDRESS.withName("shortName"),
                      ADDRESS.withName("longName"),
                      ADDRESS.withName("unit"))
                  .withName("metricInfo"))
          .withName("nvmlGpmMetric_t");

  /** {@code nvmlGpmMetricsGet_t} with the 12.2 header's {@code metrics[98]} (3944 bytes). */
  static final StructLayout GPM_METRICS_GET =
      MemoryLayout.structLayout(
              JAVA_INT.withName("version"),
              JAVA_INT.withName("numMetrics"),
              ADDRESS.withName("sample1"),
              ADDRESS.withName("sample2"),
              MemoryLayout.sequenceLayout(GPM_METRIC_MAX, GPM_METRIC).withName("metrics"))
          .withName("nvmlGpmMetricsGet_t");

  /** {@code nvmlEventData_t} of the 12.x header, as {@code nvmlEventSetWait_v2} fills it. */
  static final StructLayout EVENT_DATA =
      MemoryLayout.structLayout(
              ADDRESS.withName("device"),
              JAVA_LONG.withName("eventType"),
              JAVA_LONG.withName("eventData"),
              JAVA_INT.withName("gpuInstanceId"),
              JAVA_INT.withName("computeInstanceId"))
          .withName("nvmlEventData_t");

  private static final VarHandle PCI_DEVICE_ID = field(PCI_INFO, "pciDeviceId");
  private static final VarHandle PCI_SUBSYSTEM_ID = field(PCI_INFO, "pciSubSystemId");
  private static final VarHandle MEMORY_TOTAL = field(MEMORY, "total");
  private static final VarHandle MEMORY_FREE = field(MEMORY, "free");
  private static final VarHandle MEMORY_USED = field(MEMORY, "used");
  private static final VarHandle UTILIZATION_GPU = field(UTILIZATION, "gpu");
  private static final VarHandle UTILIZATION_MEMORY = field(UTILIZATION, "memory");
  private static final VarHandle GPM_SUPPORT_VERSION_FIELD = field(GPM_SUPPORT, "version");
  private static final VarHandle GPM_SUPPORTED = field(GPM_SUPPORT, "isSupportedDevice");
  private static final VarHandle GPM_GET_VERSION = field(GPM_METRICS_GET, "version");
  private static final VarHandle GPM_GET_COUNT = field(GPM_METRICS_GET, "numMetrics");
  private static final VarHandle GPM_GET_SAMPLE1 = field(GPM_METRICS_GET, "sample1");
  private static final VarHandle GPM_GET_SAMPLE2 = field(GPM_METRICS_GET, "sample2");
  private static final VarHandle GPM_METRIC_ID = field(GPM_METRIC, "metricId");
  private static final VarHandle GPM_METRIC_RETURN = field(GPM_METRIC, "nvmlReturn");
  private static final VarHandle GPM_METRIC_VALUE = field(GPM_METRIC, "value");
  private static final VarHandle EVENT_DEVICE = field(EVENT_DATA, "device");
  private static final VarHandle EVENT_TYPE = field(EVENT_DATA, "eventType");
  private static final VarHandle EVENT_DATA_FIELD = field(EVENT_DATA, "eventData");
  private static final VarHandle PROCESS_PID = field(PROCESS_INFO, "pid");
  private static final VarHandle PROCESS_MEMORY = field(PROCESS_INFO, "usedGpuMemory");
  private static final VarHandle PROCESS_GI = field(PROCESS_INFO, "gpuInstanceId");
  private static final VarHandle PROCESS_CI = field(PROCESS_INFO, "computeInstanceId");
  private static final VarHandle GI_PLACEMENT_START = field(GPU_INSTANCE_PLACEMENT, "start");
  private static final VarHandle GI_PLACEMENT_SIZE = field(GPU_INSTANCE_PLACEMENT, "size");
  private static final VarHandle GIP_VERSION = field(GPU_INSTANCE_PROFILE_INFO_V2, "version");
  private static final VarHandle GIP_ID = field(GPU_INSTANCE_PROFILE_INFO_V2, "id");
  private static final VarHandle GIP_SLICES = field(GPU_INSTANCE_PROFILE_INFO_V2, "sliceCount");
  private static final VarHandle GIP_INSTANCES =
      field(GPU_INSTANCE_PROFILE_INFO_V2, "instanceCount");
  private static final VarHandle GIP_SMS =
      field(GPU_INSTANCE_PROFILE_INFO_V2, "multiprocessorCount");
  private static final VarHandle GIP_CE = field(GPU_INSTANCE_PROFILE_INFO_V2, "copyEngineCount");
  private static final VarHandle GIP_DEC = field(GPU_INSTANCE_PROFILE_INFO_V2, "decoderCount");
  private static final VarHandle GIP_ENC = field(GPU_INSTANCE_PROFILE_INFO_V2, "encoderCount");
  private static final VarHandle GIP_JPEG = field(GPU_INSTANCE_PROFILE_INFO_V2, "jpegCount");
  private static final VarHandle GIP_OFA = field(GPU_INSTANCE_PROFILE_INFO_V2, "ofaCount");
  private static final VarHandle GIP_MEMORY = field(GPU_INSTANCE_PROFILE_INFO_V2, "memorySizeMB");
  private static final VarHandle GI_ID = field(GPU_INSTANCE_INFO, "id");
  private static final VarHandle GI_PROFILE = field(GPU_INSTANCE_INFO, "profileId");
  private static final VarHandle GI_START =
      GPU_INSTANCE_INFO.varHandle(groupElement("placement"), groupElement("start"));
  private static final VarHandle GI_SIZE =
      GPU_INSTANCE_INFO.varHandle(groupElement("placement"), groupElement("size"));
  private static final VarHandle CIP_VERSION = field(COMPUTE_INSTANCE_PROFILE_INFO_V2, "version");
  private static final VarHandle CIP_ID = field(COMPUTE_INSTANCE_PROFILE_INFO_V2, "id");
  private static final VarHandle CIP_SLICES = field(COMPUTE_INSTANCE_PROFILE_INFO_V2, "sliceCount");
  private static final VarHandle CIP_INSTANCES =
      field(COMPUTE_INSTANCE_PROFILE_INFO_V2, "instanceCount");
  private static final VarHandle CI_PLACEMENT_START = field(COMPUTE_INSTANCE_PLACEMENT, "start");
  private static final VarHandle CI_PLACEMENT_SIZE = field(COMPUTE_INSTANCE_PLACEMENT, "size");
  private static final VarHandle CI_ID = field(COMPUTE_INSTANCE_INFO, "id");
  private static final VarHandle CI_PROFILE = field(COMPUTE_INSTANCE_INFO, "profileId");
  private static final VarHandle CI_START =
      COMPUTE_INSTANCE_INFO.varHandle(groupElement("placement"), groupElement("start"));
  private static final VarHandle CI_SIZE =
      COMPUTE_INSTANCE_INFO.varHandle(groupElement("placement"), groupElement("size"));

  // ------------------------------------------------------------------ entry points

  /** The NVML functions migctl calls, with their C signatures from {@code nvml.h}. */
  enum Function {
    /** {@code nvmlReturn_t nvmlInit_v2(void)} */
    INIT("nvmlInit_v2", FunctionDescriptor.of(JAVA_INT)),
    /** {@code nvmlReturn_t nvmlShutdown(void)} */
    SHUTDOWN("nvmlShutdown", FunctionDescriptor.of(JAVA_INT)),
    /** {@code const char *nvmlErrorString(nvmlReturn_t result)} */
    ERROR_STRING("nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
    /** {@code nvmlSystemGetDriverVersion(char *version, unsigned int length)} */
    DRIVER_VERSION(
        "nvmlSystemGetDriverVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
    /** {@code nvmlDeviceGetCount_v2(unsigned int *deviceCount)} */
    DEVICE_COUNT("nvmlDeviceGetCount_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)} */
    DEVICE_BY_INDEX(
        "nvmlDeviceGetHandleByIndex_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)} */
    GET_NAME("nvmlDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)),
    /** {@code nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)} */
    GET_UUID("nvmlDeviceGetUUID", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)),
    /** {@code nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)} */
    GET_PCI_INFO("nvmlDeviceGetPciInfo_v3", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)} */
    GET_MEMORY_INFO("nvmlDeviceGetMemoryInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetArchitecture(nvmlDevice_t, nvmlDeviceArchitecture_t *arch)} */
    ARCHITECTURE("nvmlDeviceGetArchitecture", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetMigMode(nvmlDevice_t, unsigned int *current, unsigned int *pending)} */
    GET_MIG_MODE(
        "nvmlDeviceGetMigMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceSetMigMode(nvmlDevice_t, unsigned int mode, nvmlReturn_t *status)} */
    SET_MIG_MODE(
        "nvmlDeviceSetMigMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /**
     * {@code nvmlDeviceGetGpuInstanceProfileInfoV(nvmlDevice_t, unsigned int profile, …_v2_t *)}
     */
    GI_PROFILE_INFO(
        "nvmlDeviceGetGpuInstanceProfileInfoV",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetGpuInstancePossiblePlacements_v2(device, profileId, placements, *n)} */
    GI_PLACEMENTS(
        "nvmlDeviceGetGpuInstancePossiblePlacements_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetGpuInstanceRemainingCapacity(device, profileId, unsigned int *n)} */
    GI_REMAINING(
        "nvmlDeviceGetGpuInstanceRemainingCapacity",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceCreateGpuInstance(device, profileId, nvmlGpuInstance_t *gi)} */
    CREATE_GI(
        "nvmlDeviceCreateGpuInstance", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceCreateGpuInstanceWithPlacement(device, profileId, *placement, *gi)} */
    CREATE_GI_AT(
        "nvmlDeviceCreateGpuInstanceWithPlacement",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetGpuInstances(device, profileId, nvmlGpuInstance_t *gis, *count)} */
    GET_GIS(
        "nvmlDeviceGetGpuInstances",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlGpuInstanceGetInfo(nvmlGpuInstance_t, nvmlGpuInstanceInfo_t *info)} */
    GI_INFO("nvmlGpuInstanceGetInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlGpuInstanceDestroy(nvmlGpuInstance_t)} */
    DESTROY_GI("nvmlGpuInstanceDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlGpuInstanceGetComputeInstanceProfileInfoV(gi, profile, engProfile, …_v2_t *)} */
    CI_PROFILE_INFO(
        "nvmlGpuInstanceGetComputeInstanceProfileInfoV",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS)),
    /** {@code nvmlGpuInstanceCreateComputeInstance(gi, profileId, nvmlComputeInstance_t *ci)} */
    CREATE_CI(
        "nvmlGpuInstanceCreateComputeInstance",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlGpuInstanceCreateComputeInstanceWithPlacement(gi, profileId, *placement, *ci)} */
    CREATE_CI_AT(
        "nvmlGpuInstanceCreateComputeInstanceWithPlacement",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlGpuInstanceGetComputeInstances(gi, profileId, nvmlComputeInstance_t *, *n)} */
    GET_CIS(
        "nvmlGpuInstanceGetComputeInstances",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlComputeInstanceGetInfo_v2(nvmlComputeInstance_t, nvmlComputeInstanceInfo_t *)} */
    CI_INFO("nvmlComputeInstanceGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlComputeInstanceDestroy(nvmlComputeInstance_t)} */
    DESTROY_CI("nvmlComputeInstanceDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t, unsigned int *count)} */
    MAX_MIG_DEVICES(
        "nvmlDeviceGetMaxMigDeviceCount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetMigDeviceHandleByIndex(device, unsigned int index, nvmlDevice_t *)} */
    MIG_DEVICE_BY_INDEX(
        "nvmlDeviceGetMigDeviceHandleByIndex",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minorNumber)} */
    MINOR_NUMBER("nvmlDeviceGetMinorNumber", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetGpuInstanceId(nvmlDevice_t migDevice, unsigned int *id)} */
    MIG_GI_ID("nvmlDeviceGetGpuInstanceId", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetComputeInstanceId(nvmlDevice_t migDevice, unsigned int *id)} */
    MIG_CI_ID("nvmlDeviceGetComputeInstanceId", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /**
     * {@code nvmlDeviceGetComputeRunningProcesses_v3(device, unsigned int *n, nvmlProcessInfo_t *)}
     */
    PROCESSES(
        "nvmlDeviceGetComputeRunningProcesses_v3",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetTemperature(device, nvmlTemperatureSensors_t, unsigned int *temp)} */
    TEMPERATURE(
        "nvmlDeviceGetTemperature", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)}, milliwatts */
    POWER_USAGE("nvmlDeviceGetPowerUsage", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetClockInfo(nvmlDevice_t, nvmlClockType_t type, unsigned int *clock)} */
    CLOCK_INFO(
        "nvmlDeviceGetClockInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceGetUtilizationRates(nvmlDevice_t, nvmlUtilization_t *utilization)} */
    UTILIZATION_RATES(
        "nvmlDeviceGetUtilizationRates", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /**
     * {@code nvmlDeviceGetEncoderUtilization(device, unsigned int *util, unsigned int *periodUs)}
     */
    ENCODER_UTILIZATION(
        "nvmlDeviceGetEncoderUtilization",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /**
     * {@code nvmlDeviceGetDecoderUtilization(device, unsigned int *util, unsigned int *periodUs)}
     */
    DECODER_UTILIZATION(
        "nvmlDeviceGetDecoderUtilization",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code nvmlDeviceGetPcieThroughput(device, nvmlPcieUtilCounter_t, unsigned int *kbPerS)} */
    PCIE_THROUGHPUT(
        "nvmlDeviceGetPcieThroughput", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /**
     * {@code nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t device1, nvmlDevice_t device2,
     * nvmlGpuTopologyLevel_t *pathInfo)}
     */
    TOPOLOGY_COMMON_ANCESTOR(
        "nvmlDeviceGetTopologyCommonAncestor",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /**
     * {@code nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2,
     * nvmlGpuP2PCapsIndex_t p2pIndex, nvmlGpuP2PStatus_t *p2pStatus)}
     */
    P2P_STATUS(
        "nvmlDeviceGetP2PStatus",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlEventSetCreate(nvmlEventSet_t *set)} */
    EVENT_SET_CREATE("nvmlEventSetCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlDeviceRegisterEvents(nvmlDevice_t, unsigned long long types, nvmlEventSet_t)} */
    REGISTER_EVENTS(
        "nvmlDeviceRegisterEvents", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS)),
    /**
     * {@code nvmlEventSetWait_v2(nvmlEventSet_t, nvmlEventData_t *data, unsigned int timeoutms)}
     */
    EVENT_SET_WAIT(
        "nvmlEventSetWait_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)),
    /** {@code nvmlEventSetFree(nvmlEventSet_t set)} */
    EVENT_SET_FREE("nvmlEventSetFree", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t *gpmSupport)} */
    GPM_QUERY_SUPPORT(
        "nvmlGpmQueryDeviceSupport", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlGpmSampleAlloc(nvmlGpmSample_t *gpmSample)} */
    GPM_SAMPLE_ALLOC("nvmlGpmSampleAlloc", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlGpmSampleFree(nvmlGpmSample_t gpmSample)} */
    GPM_SAMPLE_FREE("nvmlGpmSampleFree", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
    /** {@code nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t gpmSample)} */
    GPM_SAMPLE_GET("nvmlGpmSampleGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code nvmlGpmMigSampleGet(device, unsigned int gpuInstanceId, nvmlGpmSample_t)} */
    GPM_MIG_SAMPLE_GET(
        "nvmlGpmMigSampleGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
    /** {@code nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *metricsGet)} */
    GPM_METRICS_GET_CALL("nvmlGpmMetricsGet", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    final String symbol;
    final FunctionDescriptor descriptor;

    Function(String symbol, FunctionDescriptor descriptor) {
      this.symbol = symbol;
      this.descriptor = descriptor;
    }
  }

  // ------------------------------------------------------------------ values handed out

  /** An {@code nvmlDevice_t}: a GPU, or a MIG device. */
  record Device(long address) {}

  /** An {@code nvmlGpuInstance_t}. */
  record GpuInstanceHandle(long address) {}

  /** An {@code nvmlComputeInstance_t}. */
  record ComputeInstanceHandle(long address) {}

  /** What migctl reads of {@code nvmlPciInfo_t}. */
  record PciInfo(String busId, int pciDeviceId, int pciSubsystemId) {}

  /** {@code nvmlDeviceGetMigMode}'s two answers. */
  record MigModeInfo(boolean current, boolean pending) {}

  /** {@code nvmlGpuInstanceProfileInfo_v2_t}, less {@code version} and {@code isP2pSupported}. */
  record GpuInstanceProfileInfo(
      int id,
      int sliceCount,
      int instanceCount,
      int multiprocessorCount,
      int copyEngineCount,
      int decoderCount,
      int encoderCount,
      int jpegCount,
      int ofaCount,
      long memorySizeMB,
      String name) {}

  /** {@code nvmlComputeInstanceProfileInfo_v2_t}: what migctl reads of it. */
  record ComputeInstanceProfileInfo(int id, int sliceCount, int instanceCount, String name) {}

  /** {@code nvmlGpuInstanceInfo_t} without the parent handle. */
  record GpuInstanceInfo(int id, int profileId, Placement placement) {}

  /** {@code nvmlComputeInstanceInfo_t} without the parent handles. */
  record ComputeInstanceInfo(int id, int profileId, Placement placement) {}

  /**
   * {@code nvmlProcessInfo_t}.
   *
   * @param usedGpuMemoryBytes bytes, or {@link #VALUE_NOT_AVAILABLE}
   * @param gpuInstanceId {@code 0xFFFFFFFF} (-1) when not reported
   */
  record ProcessInfo(long pid, long usedGpuMemoryBytes, int gpuInstanceId, int computeInstanceId) {}

  /** {@code nvmlMemory_t}, in bytes. */
  record MemoryInfo(long totalBytes, long freeBytes, long usedBytes) {}

  /** {@code nvmlUtilization_t}: percentages of the last sample period. */
  record Utilization(int gpuPercent, int memoryPercent) {}

  /** An {@code nvmlGpmSample_t}, allocated by NVML. */
  record GpmSample(long address) {}

  /** An {@code nvmlEventSet_t}, created by NVML. */
  record EventSet(long address) {}

  /**
   * What migctl reads of {@code nvmlEventData_t}.
   *
   * @param device the address of the GPU's handle the event occurred on
   * @param eventType one {@code nvmlEventType*} bit
   * @param eventData the XID for {@link #EVENT_TYPE_XID_CRITICAL_ERROR} (999: an unknown one)
   */
  record Event(long device, long eventType, long eventData) {}

  // ------------------------------------------------------------------ state

  private final Arena arena;
  private final String origin;
  private final Map<Function, MethodHandle> handles;

  private NvmlLibrary(Arena arena, String origin, Map<Function, MethodHandle> handles) {
    this.arena = arena;
    this.origin = origin;
    this.handles = handles;
  }

  /**
   * Loads the library: {@code path} when given, else {@value #SONAME} through the system library
   * path, then {@link #DEBIAN_PATH}. Does not initialise NVML.
   *
   * @throws NvmlUnavailableException when no library loads or it is not NVML
   * @throws IllegalCallerException when the JVM forbids native access to this module
   */
  static NvmlLibrary load(Optional<Path> path) {
    Arena arena = Arena.ofShared();
    try {
      SymbolLookup lookup;
      String origin;
      if (path.isPresent()) {
        Path p = path.get();
        if (!Files.exists(p)) {
          throw new NvmlUnavailableException(SONAME + " was not found: " + p + " does not exist");
        }
        lookup = lookupOrExplain(p, arena);
        origin = p.toString();
      } else {
        LoadedLookup loaded = lookupDefault(arena);
        lookup = loaded.lookup;
        origin = loaded.origin;
      }
      if (lookup.find(Function.INIT.symbol).isEmpty()) {
        throw new NvmlUnavailableException(
            origin + " is not NVML: it has no " + Function.INIT.symbol);
      }
      Linker linker = Linker.nativeLinker();
      Map<Function, MethodHandle> handles = new EnumMap<>(Function.class);
      for (Function f : Function.values()) {
        lookup
            .find(f.symbol)
            .ifPresent(address -> handles.put(f, linker.downcallHandle(address, f.descriptor)));
      }
      return new NvmlLibrary(arena, origin, handles);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private record LoadedLookup(SymbolLookup lookup, String origin) {}

  private static LoadedLookup lookupDefault(Arena arena) {
    try {
      return new LoadedLookup(SymbolLookup.libraryLookup(SONAME, arena), SONAME);
    } catch (IllegalArgumentException onPath) {
      if (Files.exists(DEBIAN_PATH)) {
        return new LoadedLookup(lookupOrExplain(DEBIAN_PATH, arena), DEBIAN_PATH.toString());
      }
      throw new NvmlUnavailableException(
          SONAME
              + " was not found: not on the system library path nor at "
              + DEBIAN_PATH
              + " (is the NVIDIA driver installed?)",
          onPath);
    }
  }

  private static SymbolLookup lookupOrExplain(Path p, Arena arena) {
    try {
      return SymbolLookup.libraryLookup(p, arena);
    } catch (IllegalArgumentException e) {
      throw new NvmlUnavailableException(
          p + " could not be loaded: " + firstLine(e.getMessage()), e);
    }
  }

  /** Where the library was loaded from: the path, or {@value #SONAME} from the library path. */
  String origin() {
    return origin;
  }

  /** Unloads the library. NVML must have been shut down before. */
  @Override
  public void close() {
    arena.close();
  }

  // ------------------------------------------------------------------ calls

  /** Returns {@code nvmlInit_v2}'s code (initialisation failures are the caller's to explain). */
  int init() {
    return call(Function.INIT);
  }

  void shutdown() {
    check(Function.SHUTDOWN);
  }

  /** NVML's words for a return code, e.g. {@code Insufficient Resources}. */
  String errorString(int code) {
    MethodHandle h = handles.get(Function.ERROR_STRING);
    if (h == null) {
      return "NVML error " + code;
    }
    try {
      MemorySegment text = (MemorySegment) h.invokeExact(code);
      return text.equals(MemorySegment.NULL)
          ? "NVML error " + code
          : cString(text.reinterpret(256), 0, 256);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("nvmlErrorString failed", t);
    }
  }

  String driverVersion() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buffer = a.allocate(DRIVER_VERSION_BUFFER_SIZE);
      check(Function.DRIVER_VERSION, buffer, DRIVER_VERSION_BUFFER_SIZE);
      return cString(buffer, 0, DRIVER_VERSION_BUFFER_SIZE);
    }
  }

  int deviceCount() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      check(Function.DEVICE_COUNT, count);
      return count.get(JAVA_INT, 0);
    }
  }

  Device deviceByIndex(int index) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(Function.DEVICE_BY_INDEX, index, out);
      return new Device(out.get(ADDRESS, 0).address());
    }
  }

  String name(Device device) {
    return text(Function.GET_NAME, device, NAME_BUFFER_SIZE);
  }

  String uuid(Device device) {
    return text(Function.GET_UUID, device, UUID_BUFFER_SIZE);
  }

  PciInfo pciInfo(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pci = a.allocate(PCI_INFO);
      check(Function.GET_PCI_INFO, pointer(device.address()), pci);
      long busId = PCI_INFO.byteOffset(groupElement("busId"));
      return new PciInfo(
          cString(pci, busId, 32),
          (int) PCI_DEVICE_ID.get(pci, 0L),
          (int) PCI_SUBSYSTEM_ID.get(pci, 0L));
    }
  }

  long memoryTotalBytes(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment memory = a.allocate(MEMORY);
      check(Function.GET_MEMORY_INFO, pointer(device.address()), memory);
      return (long) MEMORY_TOTAL.get(memory, 0L);
    }
  }

  /** {@code nvmlDeviceArchitecture_t}: 7 Ampere, 9 Hopper, 10 Blackwell. */
  int architecture(Device device) {
    return uintOut(Function.ARCHITECTURE, device);
  }

  MigModeInfo migMode(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment current = a.allocate(JAVA_INT);
      MemorySegment pending = a.allocate(JAVA_INT);
      check(Function.GET_MIG_MODE, pointer(device.address()), current, pending);
      return new MigModeInfo(current.get(JAVA_INT, 0) != 0, pending.get(JAVA_INT, 0) != 0);
    }
  }

  /**
   * Asks for MIG mode on or off.
   *
   * @return the activation status NVML reports: {@code NVML_SUCCESS} when the mode is in effect,
   *     else why it stays pending (e.g. IN_USE)
   */
  int setMigMode(Device device, boolean enabled) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment status = a.allocate(JAVA_INT);
      check(Function.SET_MIG_MODE, pointer(device.address()), enabled ? 1 : 0, status);
      return status.get(JAVA_INT, 0);
    }
  }

  /** The profile at an {@code NVML_GPU_INSTANCE_PROFILE_*} index. */
  GpuInstanceProfileInfo gpuInstanceProfileInfo(Device device, int profileIndex) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = a.allocate(GPU_INSTANCE_PROFILE_INFO_V2);
      GIP_VERSION.set(info, 0L, GPU_INSTANCE_PROFILE_INFO_V2_VERSION);
      check(Function.GI_PROFILE_INFO, pointer(device.address()), profileIndex, info);
      long name = GPU_INSTANCE_PROFILE_INFO_V2.byteOffset(groupElement("name"));
      return new GpuInstanceProfileInfo(
          (int) GIP_ID.get(info, 0L),
          (int) GIP_SLICES.get(info, 0L),
          (int) GIP_INSTANCES.get(info, 0L),
          (int) GIP_SMS.get(info, 0L),
          (int) GIP_CE.get(info, 0L),
          (int) GIP_DEC.get(info, 0L),
          (int) GIP_ENC.get(info, 0L),
          (int) GIP_JPEG.get(info, 0L),
          (int) GIP_OFA.get(info, 0L),
          (long) GIP_MEMORY.get(info, 0L),
          cString(info, name, NAME_BUFFER_SIZE));
    }
  }

  /** The placements the profile allows, in NVML's order (count first, then the array). */
  List<Placement> gpuInstancePossiblePlacements(Device device, int profileId) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      MemorySegment dev = pointer(device.address());
      check(Function.GI_PLACEMENTS, dev, profileId, MemorySegment.NULL, count);
      int n = count.get(JAVA_INT, 0);
      if (n == 0) {
        return List.of();
      }
      MemorySegment array = a.allocate(GPU_INSTANCE_PLACEMENT, n);
      check(Function.GI_PLACEMENTS, dev, profileId, array, count);
      List<Placement> out = new ArrayList<>();
      for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
        MemorySegment p = array.asSlice(i * GPU_INSTANCE_PLACEMENT.byteSize());
        out.add(
            new Placement((int) GI_PLACEMENT_START.get(p, 0L), (int) GI_PLACEMENT_SIZE.get(p, 0L)));
      }
      return List.copyOf(out);
    }
  }

  int gpuInstanceRemainingCapacity(Device device, int profileId) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      check(Function.GI_REMAINING, pointer(device.address()), profileId, count);
      return count.get(JAVA_INT, 0);
    }
  }

  GpuInstanceHandle createGpuInstance(Device device, int profileId, Optional<Placement> at) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      MemorySegment dev = pointer(device.address());
      if (at.isPresent()) {
        MemorySegment placement = a.allocate(GPU_INSTANCE_PLACEMENT);
        GI_PLACEMENT_START.set(placement, 0L, at.get().start());
        GI_PLACEMENT_SIZE.set(placement, 0L, at.get().size());
        check(Function.CREATE_GI_AT, dev, profileId, placement, out);
      } else {
        check(Function.CREATE_GI, dev, profileId, out);
      }
      return new GpuInstanceHandle(out.get(ADDRESS, 0).address());
    }
  }

  /**
   * The GPU instances of one profile.
   *
   * @param capacity room to reserve: the profile's {@code instanceCount}, as NVML requires
   */
  List<GpuInstanceHandle> gpuInstances(Device device, int profileId, int capacity) {
    return handleArray(Function.GET_GIS, device.address(), profileId, capacity).stream()
        .map(GpuInstanceHandle::new)
        .toList();
  }

  GpuInstanceInfo gpuInstanceInfo(GpuInstanceHandle gi) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = a.allocate(GPU_INSTANCE_INFO);
      check(Function.GI_INFO, pointer(gi.address()), info);
      return new GpuInstanceInfo(
          (int) GI_ID.get(info, 0L),
          (int) GI_PROFILE.get(info, 0L),
          new Placement((int) GI_START.get(info, 0L), (int) GI_SIZE.get(info, 0L)));
    }
  }

  void destroyGpuInstance(GpuInstanceHandle gi) {
    check(Function.DESTROY_GI, pointer(gi.address()));
  }

  /** The compute-instance profile at an {@code NVML_COMPUTE_INSTANCE_PROFILE_*} index. */
  ComputeInstanceProfileInfo computeInstanceProfileInfo(GpuInstanceHandle gi, int profileIndex) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = a.allocate(COMPUTE_INSTANCE_PROFILE_INFO_V2);
      CIP_VERSION.set(info, 0L, COMPUTE_INSTANCE_PROFILE_INFO_V2_VERSION);
      check(
          Function.CI_PROFILE_INFO,
          pointer(gi.address()),
          profileIndex,
          COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
          info);
      long name = COMPUTE_INSTANCE_PROFILE_INFO_V2.byteOffset(groupElement("name"));
      return new ComputeInstanceProfileInfo(
          (int) CIP_ID.get(info, 0L),
          (int) CIP_SLICES.get(info, 0L),
          (int) CIP_INSTANCES.get(info, 0L),
          cString(info, name, NAME_BUFFER_SIZE));
    }
  }

  ComputeInstanceHandle createComputeInstance(
      GpuInstanceHandle gi, int profileId, Optional<Placement> at) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      MemorySegment handle = pointer(gi.address());
      if (at.isPresent()) {
        MemorySegment placement = a.allocate(COMPUTE_INSTANCE_PLACEMENT);
        CI_PLACEMENT_START.set(placement, 0L, at.get().start());
        CI_PLACEMENT_SIZE.set(placement, 0L, at.get().size());
        check(Function.CREATE_CI_AT, handle, profileId, placement, out);
      } else {
        check(Function.CREATE_CI, handle, profileId, out);
      }
      return new ComputeInstanceHandle(out.get(ADDRESS, 0).address());
    }
  }

  /**
   * The compute instances of one profile inside a GPU instance.
   *
   * @param capacity room to reserve: the profile's {@code instanceCount}
   */
  List<ComputeInstanceHandle> computeInstances(GpuInstanceHandle gi, int profileId, int capacity) {
    return handleArray(Function.GET_CIS, gi.address(), profileId, capacity).stream()
        .map(ComputeInstanceHandle::new)
        .toList();
  }

  ComputeInstanceInfo computeInstanceInfo(ComputeInstanceHandle ci) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = a.allocate(COMPUTE_INSTANCE_INFO);
      check(Function.CI_INFO, pointer(ci.address()), info);
      return new ComputeInstanceInfo(
          (int) CI_ID.get(info, 0L),
          (int) CI_PROFILE.get(info, 0L),
          new Placement((int) CI_START.get(info, 0L), (int) CI_SIZE.get(info, 0L)));
    }
  }

  void destroyComputeInstance(ComputeInstanceHandle ci) {
    check(Function.DESTROY_CI, pointer(ci.address()));
  }

  int maxMigDeviceCount(Device device) {
    return uintOut(Function.MAX_MIG_DEVICES, device);
  }

  Device migDeviceByIndex(Device device, int index) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(Function.MIG_DEVICE_BY_INDEX, pointer(device.address()), index, out);
      return new Device(out.get(ADDRESS, 0).address());
    }
  }

  /** The minor of the GPU's {@code /dev/nvidia<minor>} node. */
  int minorNumber(Device device) {
    return uintOut(Function.MINOR_NUMBER, device);
  }

  int gpuInstanceId(Device migDevice) {
    return uintOut(Function.MIG_GI_ID, migDevice);
  }

  int computeInstanceId(Device migDevice) {
    return uintOut(Function.MIG_CI_ID, migDevice);
  }

  /**
   * The compute processes on a device (on a MIG device: the processes of that MIG device). Asks for
   * the count first and retries while processes appear between the two calls.
   */
  List<ProcessInfo> computeRunningProcesses(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment dev = pointer(device.address());
      MemorySegment count = a.allocate(JAVA_INT);
      count.set(JAVA_INT, 0, 0);
      int rc = call(Function.PROCESSES, dev, count, MemorySegment.NULL);
      for (int attempt = 0; rc == NvmlReturn.INSUFFICIENT_SIZE && attempt < 4; attempt++) {
        int room = count.get(JAVA_INT, 0) + 8;
        MemorySegment array = a.allocate(PROCESS_INFO, room);
        count.set(JAVA_INT, 0, room);
        rc = call(Function.PROCESSES, dev, count, array);
        if (rc == NvmlReturn.SUCCESS) {
          List<ProcessInfo> out = new ArrayList<>();
          for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
            MemorySegment p = array.asSlice(i * PROCESS_INFO.byteSize());
            out.add(
                new ProcessInfo(
                    Integer.toUnsignedLong((int) PROCESS_PID.get(p, 0L)),
                    (long) PROCESS_MEMORY.get(p, 0L),
                    (int) PROCESS_GI.get(p, 0L),
                    (int) PROCESS_CI.get(p, 0L)));
          }
          return List.copyOf(out);
        }
      }
      if (rc != NvmlReturn.SUCCESS) {
        throw failure(rc, Function.PROCESSES);
      }
      return List.of();
    }
  }

  // ------------------------------------------------------------------ telemetry calls

  /** {@code nvmlDeviceGetMemoryInfo}: on a GPU, or on a MIG device (its GPU instance's memory). */
  MemoryInfo memoryInfo(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment memory = a.allocate(MEMORY);
      check(Function.GET_MEMORY_INFO, pointer(device.address()), memory);
      return new MemoryInfo(
          (long) MEMORY_TOTAL.get(memory, 0L),
          (long) MEMORY_FREE.get(memory, 0L),
          (long) MEMORY_USED.get(memory, 0L));
    }
  }

  /** A temperature in °C, e.g. of {@link #TEMPERATURE_GPU}. */
  int temperature(Device device, int sensor) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(Function.TEMPERATURE, pointer(device.address()), sensor, out);
      return out.get(JAVA_INT, 0);
    }
  }

  /** The board's power draw in milliwatts (an unsigned value). */
  long powerUsageMilliwatts(Device device) {
    return Integer.toUnsignedLong(uintOut(Function.POWER_USAGE, device));
  }

  /** The current clock in MHz, e.g. of {@link #CLOCK_SM} or {@link #CLOCK_MEM}. */
  int clock(Device device, int clockType) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(Function.CLOCK_INFO, pointer(device.address()), clockType, out);
      return out.get(JAVA_INT, 0);
    }
  }

  Utilization utilization(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment u = a.allocate(UTILIZATION);
      check(Function.UTILIZATION_RATES, pointer(device.address()), u);
      return new Utilization((int) UTILIZATION_GPU.get(u, 0L), (int) UTILIZATION_MEMORY.get(u, 0L));
    }
  }

  /** Whether the device supports GPM ({@code nvmlGpmQueryDeviceSupport}). */
  boolean gpmSupported(Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment support = a.allocate(GPM_SUPPORT);
      GPM_SUPPORT_VERSION_FIELD.set(support, 0L, GPM_SUPPORT_VERSION);
      check(Function.GPM_QUERY_SUPPORT, pointer(device.address()), support);
      return (int) GPM_SUPPORTED.get(support, 0L) != 0;
    }
  }

  GpmSample gpmSampleAlloc() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(Function.GPM_SAMPLE_ALLOC, out);
      return new GpmSample(out.get(ADDRESS, 0).address());
    }
  }

  void gpmSampleFree(GpmSample sample) {
    check(Function.GPM_SAMPLE_FREE, pointer(sample.address()));
  }

  /** Reads GPM counters of one GPU instance of {@code device} (the parent GPU) into the sample. */
  void gpmMigSampleGet(Device device, int gpuInstanceId, GpmSample sample) {
    check(
        Function.GPM_MIG_SAMPLE_GET,
        pointer(device.address()),
        gpuInstanceId,
        pointer(sample.address()));
  }

  /** Reads GPM counters of the whole {@code device} into the sample (MIG off). */
  void gpmSampleGet(Device device, GpmSample sample) {
    check(Function.GPM_SAMPLE_GET, pointer(device.address()), pointer(sample.address()));
  }

  /**
   * GPM metrics between two samples, in one {@code nvmlGpmMetricsGet} call.
   *
   * @return the value of each metric NVML computed, by metric id; a metric NVML answered with its
   *     own error code is left out
   * @throws NvmlCallException when the call itself fails
   */
  Map<Integer, Double> gpmMetrics(GpmSample first, GpmSample second, List<Integer> metricIds) {
    if (metricIds.size() > GPM_METRIC_MAX) {
      throw new IllegalArgumentException(
          "at most " + GPM_METRIC_MAX + " GPM metrics per call, not " + metricIds.size());
    }
    try (Arena a = Arena.ofConfined()) {
      long metrics = GPM_METRICS_GET.byteOffset(groupElement("metrics"));
      long room = metrics + GPM_METRIC.byteSize() * GPM_METRICS_ROOM;
      MemorySegment get =
          a.allocate(Math.max(room, GPM_METRICS_GET.byteSize()), GPM_METRICS_GET.byteAlignment());
      GPM_GET_VERSION.set(get, 0L, GPM_METRICS_GET_VERSION);
      GPM_GET_COUNT.set(get, 0L, metricIds.size());
      GPM_GET_SAMPLE1.set(get, 0L, pointer(first.address()));
      GPM_GET_SAMPLE2.set(get, 0L, pointer(second.address()));
      for (int i = 0; i < metricIds.size(); i++) {
        GPM_METRIC_ID.set(metric(get, metrics, i), 0L, (int) metricIds.get(i));
      }
      check(Function.GPM_METRICS_GET_CALL, get);
      Map<Integer, Double> out = new LinkedHashMap<>();
      for (int i = 0; i < metricIds.size(); i++) {
        MemorySegment m = metric(get, metrics, i);
        if ((int) GPM_METRIC_RETURN.get(m, 0L) == NvmlReturn.SUCCESS) {
          out.put(metricIds.get(i), (double) GPM_METRIC_VALUE.get(m, 0L));
        }
      }
      return out;
    }
  }

  private static MemorySegment metric(MemorySegment get, long metrics, int i) {
    return get.asSlice(metrics + i * GPM_METRIC.byteSize(), GPM_METRIC.byteSize());
  }

  /** The video encoder's utilisation over NVML's last sampling period, %. */
  int encoderUtilization(Device device) {
    return utilizationWithPeriod(Function.ENCODER_UTILIZATION, device);
  }

  /** The video decoder's utilisation over NVML's last sampling period, %. */
  int decoderUtilization(Device device) {
    return utilizationWithPeriod(Function.DECODER_UTILIZATION, device);
  }

  private int utilizationWithPeriod(Function f, Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment percent = a.allocate(JAVA_INT);
      MemorySegment periodUs = a.allocate(JAVA_INT);
      check(f, pointer(device.address()), percent, periodUs);
      return percent.get(JAVA_INT, 0);
    }
  }

  /**
   * PCIe throughput over NVML's 20 ms window, in KB/s (an unsigned value).
   *
   * @param counter {@link #PCIE_UTIL_TX_BYTES} or {@link #PCIE_UTIL_RX_BYTES}
   */
  long pcieThroughputKilobytesPerSecond(Device device, int counter) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(Function.PCIE_THROUGHPUT, pointer(device.address()), counter, out);
      return Integer.toUnsignedLong(out.get(JAVA_INT, 0));
    }
  }

  /** The {@code nvmlGpuTopologyLevel_t} of the closest common ancestor of two GPUs. */
  int topologyCommonAncestor(Device first, Device second) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(
          Function.TOPOLOGY_COMMON_ANCESTOR,
          pointer(first.address()),
          pointer(second.address()),
          out);
      return out.get(JAVA_INT, 0);
    }
  }

  /**
   * The {@code nvmlGpuP2PStatus_t} of one peer-to-peer capability between two GPUs.
   *
   * @param capsIndex e.g. {@link #P2P_CAPS_INDEX_NVLINK}
   */
  int p2pStatus(Device first, Device second, int capsIndex) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(
          Function.P2P_STATUS, pointer(first.address()), pointer(second.address()), capsIndex, out);
      return out.get(JAVA_INT, 0);
    }
  }

  EventSet eventSetCreate() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(Function.EVENT_SET_CREATE, out);
      return new EventSet(out.get(ADDRESS, 0).address());
    }
  }

  /** Adds the GPU's events of the given {@code nvmlEventType*} bits to the set. */
  void registerEvents(Device device, long eventTypes, EventSet set) {
    check(Function.REGISTER_EVENTS, pointer(device.address()), eventTypes, pointer(set.address()));
  }

  /**
   * The next event of the set, waiting at most {@code timeoutMs} (0: not at all).
   *
   * @return empty when none came in time ({@code NVML_ERROR_TIMEOUT})
   * @throws NvmlCallException on any other error, e.g. GPU_IS_LOST
   */
  Optional<Event> eventSetWait(EventSet set, int timeoutMs) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment data = a.allocate(EVENT_DATA);
      int rc = call(Function.EVENT_SET_WAIT, pointer(set.address()), data, timeoutMs);
      if (rc == NvmlReturn.TIMEOUT) {
        return Optional.empty();
      }
      if (rc != NvmlReturn.SUCCESS) {
        throw failure(rc, Function.EVENT_SET_WAIT);
      }
      return Optional.of(
          new Event(
              ((MemorySegment) EVENT_DEVICE.get(data, 0L)).address(),
              (long) EVENT_TYPE.get(data, 0L),
              (long) EVENT_DATA_FIELD.get(data, 0L)));
    }
  }

  void eventSetFree(EventSet set) {
    check(Function.EVENT_SET_FREE, pointer(set.address()));
  }

  // ------------------------------------------------------------------ helpers

  private List<Long> handleArray(Function f, long owner, int profileId, int capacity) {
    try (Arena a = Arena.ofConfined()) {
      int room = Math.max(capacity, 1);
      MemorySegment array = a.allocate(ADDRESS, room);
      MemorySegment count = a.allocate(JAVA_INT);
      count.set(JAVA_INT, 0, room);
      check(f, pointer(owner), profileId, array, count);
      List<Long> out = new ArrayList<>();
      for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
        out.add(array.getAtIndex(ADDRESS, i).address());
      }
      return List.copyOf(out);
    }
  }

  private String text(Function f, Device device, int size) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buffer = a.allocate(size);
      check(f, pointer(device.address()), buffer, size);
      return cString(buffer, 0, size);
    }
  }

  private int uintOut(Function f, Device device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(f, pointer(device.address()), out);
      return out.get(JAVA_INT, 0);
    }
  }

  private void check(Function f, Object... args) {
    int rc = call(f, args);
    if (rc != NvmlReturn.SUCCESS) {
      throw failure(rc, f);
    }
  }

  private NvmlCallException failure(int rc, Function f) {
    return new NvmlCallException(rc, f.symbol, errorString(rc));
  }

  private int call(Function f, Object... args) {
    MethodHandle h = handles.get(f);
    if (h == null) {
      throw new NvmlCallException(
          NvmlReturn.FUNCTION_NOT_FOUND,
          f.symbol,
          "Function Not Found (" + origin + " has no " + f.symbol + "; the driver is too old)");
    }
    try {
      return (int) h.invokeWithArguments(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(f.symbol + " failed", t);
    }
  }

  private static MemorySegment pointer(long address) {
    return MemorySegment.ofAddress(address);
  }

  /** A NUL-terminated string in {@code max} bytes from {@code offset}; unterminated text ends. */
  private static String cString(MemorySegment segment, long offset, int max) {
    int length = 0;
    while (length < max && segment.get(JAVA_BYTE, offset + length) != 0) {
      length++;
    }
    byte[] bytes = segment.asSlice(offset, length).toArray(JAVA_BYTE);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static VarHandle field(StructLayout layout, String name) {
    return layout.varHandle(groupElement(name));
  }

  /** {@code NVML_STRUCT_VERSION}: the struct's size with the version in the top byte. */
  private static int structVersion(StructLayout layout, int version) {
    return (int) layout.byteSize() | version << 24;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown reason";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
