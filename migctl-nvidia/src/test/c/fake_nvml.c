/*
 * A stand-in for libnvidia-ml.so.1, for migctl's tests only: the NVML entry points NvmlMigDriver
 * and NvmlTelemetry bind, with nvml.h's signatures and struct layouts (declared here, pinned by
 * _Static_assert), over an in-memory model of two NVIDIA A100-SXM4-40GB GPUs (profiles, ids,
 * placements and memory as in shared/reference/mig/mig-profiles.json).
 *
 * GPU 0 starts with MIG enabled and applies MIG mode changes at once when it has no GPU instance
 * (bare metal); GPU 1 starts with MIG disabled and keeps changes pending (a VM that cannot reset).
 * A GPU instance created without a placement goes where it blocks the fewest free placements and
 * gets the id of its slot in the binary tree over the memory slices (the simulator's rules).
 * Errors are NVML's: overlap or no room INSUFFICIENT_RESOURCES; a stale handle or unknown profile
 * id INVALID_ARGUMENT; a profile index the GPU lacks, or MIG calls with MIG off, NOT_SUPPORTED; a
 * GPU instance with compute instances or a busy compute instance IN_USE; a wrong struct version
 * ARGUMENT_VERSION_MISMATCH; a too small array INSUFFICIENT_SIZE with the needed count.
 *
 * Telemetry (read-only): GPU 0 answers temperature (41 C), power (87654 mW), SM and memory clocks
 * (1410, 1215 MHz); GPU 1 answers clocks only (SM 1095 MHz; memory clock, temperature and power
 * NOT_SUPPORTED). Memory info on a GPU: 512 of 40960 MiB; on a MIG device: its GPU instance's
 * profile memory, 13 MiB used plus 1024 MiB per held compute instance of the GPU instance.
 * Utilization (37 % GPU, 12 % memory), encoder (3 %) and decoder (5 %) only with MIG off, else
 * NOT_SUPPORTED. PCIe throughput: GPU 0 sends 1200 and receives 3400 KB/s; GPU 1 sends 250 KB/s
 * and answers NOT_SUPPORTED for what it receives.
 *
 * GPM: the GPUs are Ampere, so nvmlGpmQueryDeviceSupport says unsupported unless a test turns it
 * on. A GPM sample advances its counters by 1000 ticks and each metric's busy counter by its rate
 * (per mille), so that the metrics between two samples read the rates in %: a GPU instance (MIG
 * sample, MIG on) with a held compute instance reads graphics 75, SM 60, occupancy 40, tensor 30,
 * DRAM 50, FP64 5, FP32 20, FP16 10; one without, 2, 1, 1, 0, 3, 0, 1, 0; a whole GPU (MIG off)
 * 40, 35, 25, 15, 30, FP64 NOT_SUPPORTED (per metric), 12, 8. Other metrics are NOT_SUPPORTED.
 *
 * XID events: an event set (at most 8 live) gets the nvmlEventTypeXidCriticalError events of the
 * GPUs registered on it that were emitted after their registration, one per nvmlEventSetWait_v2
 * (TIMEOUT when none is left). A reset of a registered GPU (the hook below) makes every wait on the
 * set answer GPU_IS_LOST until it is freed; when NVML is shut down completely (as the driver does
 * to reset a GPU), every set made before answers UNINITIALIZED, and freeing it too, though that
 * frees it. Such waits and registrations are counted: a real NVML may not survive them.
 *
 * Topology: the two GPUs share a NUMA node (nvmlDeviceGetTopologyCommonAncestor answers
 * NVML_TOPOLOGY_NODE) and NVLink (nvmlDeviceGetP2PStatus with NVML_P2P_CAPS_INDEX_NVLINK answers
 * NVML_P2P_STATUS_OK; other capability indices NVML_P2P_STATUS_NOT_SUPPORTED); a GPU paired with
 * itself is INVALID_ARGUMENT, a MIG device NOT_SUPPORTED.
 *
 * Test hooks: fakeNvmlSetTopology(level, nvlink) changes what the pair answers (-1: the call
 * answers NOT_SUPPORTED); fakeNvmlSetProcess(gpu, gi, ci, pid) makes process pid hold that MIG
 * device (0 frees); fakeNvmlSetGpm(gpu, on) turns GPM support on or off;
 * fakeNvmlGpmSamplesLive() counts GPM samples allocated and not freed; fakeNvmlEmitXid(gpu, xid)
 * raises an XID on a GPU; fakeNvmlResetGpu(gpu) resets a GPU behind NVML's back; fakeNvmlEventSetsLive() counts event sets
 * made and not freed; fakeNvmlStaleEventSetUses() counts uses of sets NVML's shutdown voided.
 * Built with -DFAKE_NVML_OLD_DRIVER it lacks the calls an older driver may lack: encoder, decoder
 * and PCIe throughput, the whole GPU's GPM sample and the event sets.
 *
 * Build: gcc -shared -fPIC -O1 -Wall -Werror [-D…] -o libnvidia-ml.so.1 fake_nvml.c
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
enum {
  NVML_SUCCESS = 0, NVML_ERROR_UNINITIALIZED = 1, NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3, NVML_ERROR_NOT_FOUND = 6, NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_TIMEOUT = 10, NVML_ERROR_GPU_IS_LOST = 15, NVML_ERROR_IN_USE = 19,
  NVML_ERROR_MEMORY = 20, NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25
};

/* ---------------------------------------------------------------- nvml.h structs (LP64) */

typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct nvmlGpuInstance_st *nvmlGpuInstance_t;
typedef struct nvmlComputeInstance_st *nvmlComputeInstance_t;

typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t");
_Static_assert(offsetof(nvmlPciInfo_t, pciDeviceId) == 28, "pciDeviceId");
_Static_assert(offsetof(nvmlPciInfo_t, pciSubSystemId) == 32, "pciSubSystemId");
_Static_assert(offsetof(nvmlPciInfo_t, busId) == 36, "busId");

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t");

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t");
_Static_assert(offsetof(nvmlProcessInfo_t, usedGpuMemory) == 8, "usedGpuMemory");
_Static_assert(offsetof(nvmlProcessInfo_t, gpuInstanceId) == 16, "gpuInstanceId");
_Static_assert(offsetof(nvmlProcessInfo_t, computeInstanceId) == 20, "computeInstanceId");

typedef struct { unsigned int start, size; } nvmlGpuInstancePlacement_t;
typedef struct { unsigned int start, size; } nvmlComputeInstancePlacement_t;
_Static_assert(sizeof(nvmlGpuInstancePlacement_t) == 8, "nvmlGpuInstancePlacement_t");
_Static_assert(sizeof(nvmlComputeInstancePlacement_t) == 8, "nvmlComputeInstancePlacement_t");

typedef struct {
  unsigned int version, id, isP2pSupported, sliceCount, instanceCount, multiprocessorCount;
  unsigned int copyEngineCount, decoderCount, encoderCount, jpegCount, ofaCount;
  unsigned long long memorySizeMB;
  char name[96]; /* NVML_DEVICE_NAME_V2_BUFFER_SIZE */
} nvmlGpuInstanceProfileInfo_v2_t;
_Static_assert(sizeof(nvmlGpuInstanceProfileInfo_v2_t) == 152, "GI profile info v2");
_Static_assert(offsetof(nvmlGpuInstanceProfileInfo_v2_t, ofaCount) == 40, "ofaCount");
_Static_assert(offsetof(nvmlGpuInstanceProfileInfo_v2_t, memorySizeMB) == 48, "memorySizeMB");
_Static_assert(offsetof(nvmlGpuInstanceProfileInfo_v2_t, name) == 56, "GI profile name");
#define GI_PROFILE_INFO_V2 ((unsigned int)(sizeof(nvmlGpuInstanceProfileInfo_v2_t) | 2u << 24))

typedef struct {
  nvmlDevice_t device;
  unsigned int id, profileId;
  nvmlGpuInstancePlacement_t placement;
} nvmlGpuInstanceInfo_t;
_Static_assert(sizeof(nvmlGpuInstanceInfo_t) == 24, "nvmlGpuInstanceInfo_t");
_Static_assert(offsetof(nvmlGpuInstanceInfo_t, id) == 8, "GI id");
_Static_assert(offsetof(nvmlGpuInstanceInfo_t, placement) == 16, "GI placement");

typedef struct {
  unsigned int version, id, sliceCount, instanceCount, multiprocessorCount;
  unsigned int sharedCopyEngineCount, sharedDecoderCount, sharedEncoderCount;
  unsigned int sharedJpegCount, sharedOfaCount;
  char name[96];
} nvmlComputeInstanceProfileInfo_v2_t;
_Static_assert(sizeof(nvmlComputeInstanceProfileInfo_v2_t) == 136, "CI profile info v2");
_Static_assert(offsetof(nvmlComputeInstanceProfileInfo_v2_t, name) == 40, "CI profile name");
#define CI_PROFILE_INFO_V2 \
  ((unsigned int)(sizeof(nvmlComputeInstanceProfileInfo_v2_t) | 2u << 24))

typedef struct {
  nvmlDevice_t device;
  nvmlGpuInstance_t gpuInstance;
  unsigned int id, profileId;
  nvmlComputeInstancePlacement_t placement;
} nvmlComputeInstanceInfo_t;
_Static_assert(sizeof(nvmlComputeInstanceInfo_t) == 32, "nvmlComputeInstanceInfo_t");
_Static_assert(offsetof(nvmlComputeInstanceInfo_t, id) == 16, "CI id");
_Static_assert(offsetof(nvmlComputeInstanceInfo_t, placement) == 24, "CI placement");

typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
_Static_assert(sizeof(nvmlUtilization_t) == 8, "nvmlUtilization_t");

typedef struct nvmlGpmSample_st *nvmlGpmSample_t;

typedef struct {
  unsigned int metricId;
  nvmlReturn_t nvmlReturn;
  double value;
  struct {
    char *shortName, *longName, *unit;
  } metricInfo;
} nvmlGpmMetric_t;
_Static_assert(sizeof(nvmlGpmMetric_t) == 40, "nvmlGpmMetric_t");
_Static_assert(offsetof(nvmlGpmMetric_t, value) == 8, "GPM metric value");
_Static_assert(offsetof(nvmlGpmMetric_t, metricInfo) == 16, "GPM metric info");

#define NVML_GPM_METRIC_MAX 98 /* the 12.2 header's */
typedef struct {
  unsigned int version, numMetrics;
  nvmlGpmSample_t sample1, sample2;
  nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX];
} nvmlGpmMetricsGet_t;
_Static_assert(offsetof(nvmlGpmMetricsGet_t, sample1) == 8, "GPM sample1");
_Static_assert(offsetof(nvmlGpmMetricsGet_t, metrics) == 24, "GPM metrics");
_Static_assert(sizeof(nvmlGpmMetricsGet_t) == 24 + 98 * 40, "nvmlGpmMetricsGet_t");
#define NVML_GPM_METRICS_GET_VERSION 1

typedef struct { unsigned int version, isSupportedDevice; } nvmlGpmSupport_t;
_Static_assert(sizeof(nvmlGpmSupport_t) == 8, "nvmlGpmSupport_t");
#define NVML_GPM_SUPPORT_VERSION 1

typedef struct nvmlEventSet_st *nvmlEventSet_t;
typedef struct {
  nvmlDevice_t device;
  unsigned long long eventType, eventData;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;
_Static_assert(sizeof(nvmlEventData_t) == 32, "nvmlEventData_t");
_Static_assert(offsetof(nvmlEventData_t, eventData) == 16, "eventData");
#define nvmlEventTypeXidCriticalError 0x0000000000000008LL

/* The GPM metrics the stand-in computes (NVML_GPM_METRIC_*), and their busy rates per mille. */
#define GPM_METRICS 8
static const unsigned GPM_IDS[GPM_METRICS] = {1, 2, 3, 5, 10, 11, 12, 13};
static const unsigned GPM_HELD[GPM_METRICS] = {750, 600, 400, 300, 500, 50, 200, 100};
static const unsigned GPM_IDLE[GPM_METRICS] = {20, 10, 10, 0, 30, 0, 10, 0};
#ifndef FAKE_NVML_OLD_DRIVER
static const unsigned GPM_WHOLE[GPM_METRICS] = {400, 350, 250, 150, 300, 0, 120, 80};
#endif
#define GPM_FP64 5 /* its index: a whole GPU does not report it */

/* ---------------------------------------------------------------- the model */

#define GPUS 2
#define SLOTS 8               /* GPU instances per GPU, compute instances per GPU instance */
#define MEMORY_SLICES 8
#define GI_PROFILE_INDICES 17 /* NVML_GPU_INSTANCE_PROFILE_COUNT of recent headers */
#define CI_PROFILE_INDICES 8  /* NVML_COMPUTE_INSTANCE_PROFILE_COUNT */

#define INIT() if (!initCount) return NVML_ERROR_UNINITIALIZED
#define ARG(ok) if (!(ok)) return NVML_ERROR_INVALID_ARGUMENT

typedef struct {
  unsigned index, id, slices, memSlices, count, sms, ce, dec, enc, jpeg, ofa;
  unsigned long long mib;
  const char *name;
  unsigned nStarts, starts[7];
} Profile;

/* A100-SXM4-40GB, by NVML_GPU_INSTANCE_PROFILE_* index. */
static const Profile PROFILES[] = {
    {0, 19, 1, 1, 7, 14, 1, 0, 0, 0, 0, 4864, "MIG 1g.5gb", 7, {0, 1, 2, 3, 4, 5, 6}},
    {1, 14, 2, 2, 3, 28, 2, 1, 0, 0, 0, 9856, "MIG 2g.10gb", 3, {0, 2, 4}},
    {2, 9, 3, 4, 2, 42, 3, 2, 0, 0, 0, 19968, "MIG 3g.20gb", 2, {0, 4}},
    {3, 5, 4, 4, 1, 56, 4, 2, 0, 0, 0, 19968, "MIG 4g.20gb", 1, {0}},
    {4, 0, 7, 8, 1, 98, 7, 5, 0, 1, 1, 40192, "MIG 7g.40gb", 1, {0}},
    {7, 20, 1, 1, 1, 14, 1, 1, 0, 1, 1, 4864, "MIG 1g.5gb+me", 7, {0, 1, 2, 3, 4, 5, 6}},
    {9, 15, 1, 2, 4, 14, 1, 1, 0, 0, 0, 9856, "MIG 1g.10gb", 4, {0, 2, 4, 6}},
};
#define NPROFILES (sizeof(PROFILES) / sizeof(PROFILES[0]))

/* NVML_COMPUTE_INSTANCE_PROFILE_* index -> compute slices (0: no such index). */
static const unsigned CI_SLICES[CI_PROFILE_INDICES] = {1, 2, 3, 4, 7, 0, 0, 1};

struct nvmlDevice_st { int gpu; };

struct nvmlComputeInstance_st {
  int used;
  unsigned id, profile, start, size, pid;
  char uuid[96];
  struct nvmlDevice_st migDevice; /* its MIG device handle */
  struct nvmlGpuInstance_st *parent;
};

struct nvmlGpuInstance_st {
  int used, gpu;
  unsigned id, start, size;
  unsigned long long gpmTicks, gpmBusy[GPM_METRICS]; /* GPM counters */
  const Profile *profile;
  struct nvmlComputeInstance_st cis[SLOTS];
};

typedef struct {
  struct nvmlDevice_st dev;
  unsigned migCurrent, migPending, appliesAtOnce, bus;
  struct nvmlGpuInstance_st gis[SLOTS];
  unsigned gpm; /* GPM support, off (Ampere) until a test turns it on */
  unsigned long long gpmTicks, gpmBusy[GPM_METRICS]; /* the whole GPU's GPM counters */
  unsigned resets; /* resets behind NVML's back */
} Gpu;

static Gpu gpus[GPUS] = {{{0}, 1, 1, 1, 0x07, {{0}}, 0, 0, {0}, 0},
                         {{1}, 0, 0, 0, 0x0F, {{0}}, 0, 0, {0}, 0}};
static int initCount;
static unsigned epoch; /* how many times NVML was shut down completely */
static unsigned creations;

static Gpu *gpuOf(nvmlDevice_t d) {
  for (int i = 0; i < GPUS; i++)
    if (d == &gpus[i].dev) return &gpus[i];
  return NULL;
}

static struct nvmlGpuInstance_st *giOf(nvmlGpuInstance_t h) {
  for (int g = 0; g < GPUS; g++)
    for (int s = 0; s < SLOTS; s++)
      if (h == &gpus[g].gis[s] && h->used) return h;
  return NULL;
}

/* The live compute instance with handle h, or whose MIG device handle is mig. */
static struct nvmlComputeInstance_st *ciOf(nvmlComputeInstance_t h, nvmlDevice_t mig) {
  for (int g = 0; g < GPUS; g++)
    for (int s = 0; s < SLOTS; s++)
      for (int c = 0; c < SLOTS; c++) {
        struct nvmlComputeInstance_st *ci = &gpus[g].gis[s].cis[c];
        if ((h == ci || mig == &ci->migDevice) && ci->used && gpus[g].gis[s].used) return ci;
      }
  return NULL;
}

static unsigned mask(unsigned start, unsigned size) { return ((1u << size) - 1) << start; }

static unsigned occupied(const Gpu *g) {
  unsigned m = 0;
  for (int s = 0; s < SLOTS; s++)
    if (g->gis[s].used) m |= mask(g->gis[s].start, g->gis[s].size);
  return m;
}

static unsigned instancesOf(const Gpu *g, const Profile *p) {
  unsigned n = 0;
  for (int s = 0; s < SLOTS; s++) n += g->gis[s].used && g->gis[s].profile == p;
  return n;
}

/* The free start that blocks the fewest free placements of all profiles; -1 when none is free. */
static int chooseStart(const Profile *p, unsigned used) {
  int best = -1, bestCost = 1 << 30;
  for (unsigned i = 0; i < p->nStarts; i++) {
    unsigned m = mask(p->starts[i], p->memSlices);
    int cost = 0;
    for (unsigned q = 0; q < NPROFILES && !(m & used); q++)
      for (unsigned j = 0; j < PROFILES[q].nStarts; j++) {
        unsigned other = mask(PROFILES[q].starts[j], PROFILES[q].memSlices);
        cost += !(other & used) && (other & m);
      }
    if (!(m & used) && cost < bestCost) bestCost = cost, best = (int)p->starts[i];
  }
  return best;
}

/* The slot of a placement in the binary tree over the memory slices, else the lowest free id. */
static unsigned gpuInstanceId(const Gpu *g, unsigned start, unsigned size) {
  unsigned taken = 0, id = 0;
  for (int s = 0; s < SLOTS; s++)
    if (g->gis[s].used) taken |= 1u << g->gis[s].id;
  if ((size & (size - 1)) == 0 && start % size == 0) {
    unsigned tree = MEMORY_SLICES / size - 1 + start / size;
    if (!(taken & (1u << tree))) return tree;
  }
  while (taken & (1u << id)) id++;
  return id;
}

static nvmlReturn_t copyText(const char *text, char *out, unsigned int length) {
  ARG(out);
  if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  strcpy(out, text);
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- init, errors, devices */

nvmlReturn_t nvmlInit_v2(void) {
  initCount++;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  INIT();
  if (--initCount == 0) epoch++;
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_MEMORY: return "Insufficient Memory";
    case NVML_ERROR_IN_USE: return "In use by another client";
    case NVML_ERROR_INSUFFICIENT_RESOURCES: return "Insufficient Resources";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  INIT();
  return copyText("550.00.fake", version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  INIT();
  ARG(count);
  *count = GPUS;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  INIT();
  ARG(index < GPUS && device);
  *device = &gpus[index].dev;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  INIT();
  ARG(gpuOf(device) || ciOf(NULL, device));
  return copyText("NVIDIA A100-SXM4-40GB", name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  INIT();
  struct nvmlComputeInstance_st *ci = ciOf(NULL, device);
  if (ci) return copyText(ci->uuid, uuid, length);
  ARG(gpuOf(device));
  char text[64];
  snprintf(text, sizeof text, "GPU-fa4e0000-a100-4000-8000-0000000000%02x", device->gpu);
  return copyText(text, uuid, length);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && pci);
  memset(pci, 0, sizeof *pci);
  pci->bus = g->bus;
  pci->pciDeviceId = 0x20B010DE;
  pci->pciSubSystemId = 0x134F10DE;
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", 0, g->bus, 0);
  snprintf(pci->busId, sizeof pci->busId, "%08X:%02X:%02X.0", 0, g->bus, 0);
  return NVML_SUCCESS;
}

/* On a GPU: the whole framebuffer; on a MIG device: its GPU instance's. */
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  INIT();
  struct nvmlComputeInstance_st *mig = ciOf(NULL, device);
  ARG((gpuOf(device) || mig) && memory);
  if (!mig) {
    *memory = (nvmlMemory_t){.total = 40960ull << 20, .free = 40448ull << 20, .used = 512ull << 20};
    return NVML_SUCCESS;
  }
  const struct nvmlGpuInstance_st *gi = mig->parent;
  unsigned long long used = 13;
  for (int c = 0; c < SLOTS; c++) used += gi->cis[c].used && gi->cis[c].pid ? 1024 : 0;
  unsigned long long total = gi->profile->mib;
  *memory = (nvmlMemory_t){.total = total << 20, .free = (total - used) << 20, .used = used << 20};
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetArchitecture(nvmlDevice_t device, unsigned int *arch) {
  INIT();
  ARG(gpuOf(device) && arch);
  *arch = 7; /* NVML_DEVICE_ARCH_AMPERE */
  return NVML_SUCCESS;
}

/* The device minor of /dev/nvidiaN: not the index on every server (here 2 * index + 1). */
nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minor) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && minor);
  *minor = 2 * (unsigned)(g - gpus) + 1;
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- MIG mode */

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current,
                                  unsigned int *pending) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && current && pending);
  *current = g->migCurrent;
  *pending = g->migPending;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceSetMigMode(nvmlDevice_t device, unsigned int mode,
                                  nvmlReturn_t *activationStatus) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && mode <= 1 && activationStatus);
  g->migPending = mode;
  *activationStatus = NVML_SUCCESS;
  if (g->migCurrent == mode) return NVML_SUCCESS;
  if (!g->appliesAtOnce) *activationStatus = NVML_ERROR_NOT_SUPPORTED; /* until a reset */
  else if (occupied(g)) *activationStatus = NVML_ERROR_IN_USE;
  else g->migCurrent = mode;
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- GPU instances */

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoV(nvmlDevice_t device, unsigned int index,
                                                  nvmlGpuInstanceProfileInfo_v2_t *info) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && info && index < GI_PROFILE_INDICES);
  if (info->version != GI_PROFILE_INFO_V2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  if (!g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  for (unsigned i = 0; i < NPROFILES; i++) {
    const Profile *p = &PROFILES[i];
    if (p->index != index) continue;
    *info = (nvmlGpuInstanceProfileInfo_v2_t){
        .version = info->version, .id = p->id, .sliceCount = p->slices,
        .instanceCount = p->count, .multiprocessorCount = p->sms, .copyEngineCount = p->ce,
        .decoderCount = p->dec, .encoderCount = p->enc, .jpegCount = p->jpeg,
        .ofaCount = p->ofa, .memorySizeMB = p->mib};
    strcpy(info->name, p->name);
    return NVML_SUCCESS;
  }
  return NVML_ERROR_NOT_SUPPORTED;
}

/* The GPU and profile of a GPU-instance call: NVML_SUCCESS or the error. */
static nvmlReturn_t resolve(nvmlDevice_t device, unsigned id, Gpu **g, const Profile **p) {
  *g = gpuOf(device);
  *p = NULL;
  for (unsigned i = 0; i < NPROFILES; i++)
    if (PROFILES[i].id == id) *p = &PROFILES[i];
  ARG(*g && *p);
  return (*g)->migCurrent ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
}

nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements_v2(
    nvmlDevice_t device, unsigned int profileId, nvmlGpuInstancePlacement_t *placements,
    unsigned int *count) {
  INIT();
  Gpu *g;
  const Profile *p;
  nvmlReturn_t rc = resolve(device, profileId, &g, &p);
  if (rc) return rc;
  ARG(count);
  unsigned room = *count;
  *count = p->nStarts;
  if (!placements) return NVML_SUCCESS;
  if (room < p->nStarts) return NVML_ERROR_INSUFFICIENT_SIZE;
  for (unsigned i = 0; i < p->nStarts; i++)
    placements[i] = (nvmlGpuInstancePlacement_t){p->starts[i], p->memSlices};
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceRemainingCapacity(nvmlDevice_t device,
                                                       unsigned int profileId,
                                                       unsigned int *count) {
  INIT();
  Gpu *g;
  const Profile *p;
  nvmlReturn_t rc = resolve(device, profileId, &g, &p);
  if (rc) return rc;
  ARG(count);
  /* Equal-sized aligned placements: taking them greedily from the left fits the most. */
  unsigned used = occupied(g), room = p->count - instancesOf(g, p), n = 0;
  for (unsigned i = 0; i < p->nStarts && n < room; i++) {
    unsigned m = mask(p->starts[i], p->memSlices);
    if (!(m & used)) used |= m, n++;
  }
  *count = n;
  return NVML_SUCCESS;
}

static nvmlReturn_t createGpuInstance(nvmlDevice_t device, unsigned int profileId,
                                      const nvmlGpuInstancePlacement_t *at,
                                      nvmlGpuInstance_t *out) {
  Gpu *g;
  const Profile *p;
  nvmlReturn_t rc = resolve(device, profileId, &g, &p);
  if (rc) return rc;
  ARG(out);
  unsigned used = occupied(g);
  int start = -1;
  if (at) {
    for (unsigned i = 0; i < p->nStarts; i++)
      if (at->start == p->starts[i] && at->size == p->memSlices) start = (int)at->start;
    ARG(start >= 0);
    if (mask(at->start, at->size) & used) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  } else {
    start = chooseStart(p, used);
  }
  if (start < 0 || instancesOf(g, p) >= p->count) return NVML_ERROR_INSUFFICIENT_RESOURCES;
  for (int s = 0; s < SLOTS; s++) {
    struct nvmlGpuInstance_st *gi = &g->gis[s];
    if (gi->used) continue;
    memset(gi, 0, sizeof *gi);
    gi->id = gpuInstanceId(g, (unsigned)start, p->memSlices);
    gi->used = 1;
    gi->gpu = device->gpu;
    gi->start = (unsigned)start;
    gi->size = p->memSlices;
    gi->profile = p;
    *out = gi;
    return NVML_SUCCESS;
  }
  return NVML_ERROR_INSUFFICIENT_RESOURCES;
}

nvmlReturn_t nvmlDeviceCreateGpuInstance(nvmlDevice_t device, unsigned int profileId,
                                         nvmlGpuInstance_t *gpuInstance) {
  INIT();
  return createGpuInstance(device, profileId, NULL, gpuInstance);
}

nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(nvmlDevice_t device, unsigned int profileId,
                                                      const nvmlGpuInstancePlacement_t *placement,
                                                      nvmlGpuInstance_t *gpuInstance) {
  INIT();
  ARG(placement);
  return createGpuInstance(device, profileId, placement, gpuInstance);
}

nvmlReturn_t nvmlDeviceGetGpuInstances(nvmlDevice_t device, unsigned int profileId,
                                       nvmlGpuInstance_t *gpuInstances, unsigned int *count) {
  INIT();
  Gpu *g;
  const Profile *p;
  nvmlReturn_t rc = resolve(device, profileId, &g, &p);
  if (rc) return rc;
  ARG(gpuInstances && count);
  unsigned room = *count;
  *count = instancesOf(g, p);
  if (room < *count) return NVML_ERROR_INSUFFICIENT_SIZE;
  unsigned n = 0;
  for (int s = 0; s < SLOTS; s++)
    if (g->gis[s].used && g->gis[s].profile == p) gpuInstances[n++] = &g->gis[s];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t *info) {
  INIT();
  struct nvmlGpuInstance_st *gi = giOf(gpuInstance);
  ARG(gi && info);
  *info = (nvmlGpuInstanceInfo_t){&gpus[gi->gpu].dev, gi->id, gi->profile->id,
                                  {gi->start, gi->size}};
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceDestroy(nvmlGpuInstance_t gpuInstance) {
  INIT();
  struct nvmlGpuInstance_st *gi = giOf(gpuInstance);
  ARG(gi);
  for (int c = 0; c < SLOTS; c++)
    if (gi->cis[c].used) return NVML_ERROR_IN_USE;
  gi->used = 0;
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- compute instances */

/* Compute slices of CI profile index p in the GPU instance; 0 when it does not offer it. */
static unsigned ciSlices(const struct nvmlGpuInstance_st *gi, unsigned p) {
  unsigned g = gi->profile->slices, c = p < CI_PROFILE_INDICES ? CI_SLICES[p] : 0;
  int rev1 = g == 1 && gi->profile->memSlices == 2; /* 1g with two memory slices: ID 7 */
  if (c == 0 || c > g || (p == 7) != rev1) return 0;
  return (c == g || c <= 2 || g == 7) ? c : 0;
}

/* Placements of c slices start at multiples of c rounded up to a power of two. */
static unsigned ciAlign(unsigned c) {
  unsigned a = 1;
  while (a < c) a <<= 1;
  return a;
}

static unsigned ciCount(const struct nvmlGpuInstance_st *gi, unsigned c) {
  unsigned n = 0;
  for (unsigned s = 0; s + c <= gi->profile->slices; s += ciAlign(c)) n++;
  return n;
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfoV(
    nvmlGpuInstance_t gpuInstance, unsigned int profile, unsigned int engProfile,
    nvmlComputeInstanceProfileInfo_v2_t *info) {
  INIT();
  struct nvmlGpuInstance_st *gi = giOf(gpuInstance);
  ARG(gi && info && engProfile == 0 && profile < CI_PROFILE_INDICES);
  if (info->version != CI_PROFILE_INFO_V2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  unsigned c = ciSlices(gi, profile);
  if (c == 0) return NVML_ERROR_NOT_SUPPORTED;
  *info = (nvmlComputeInstanceProfileInfo_v2_t){.version = info->version, .id = profile,
                                                .sliceCount = c, .instanceCount = ciCount(gi, c),
                                                .multiprocessorCount = 14 * c};
  if (c == gi->profile->slices) snprintf(info->name, sizeof info->name, "%s", gi->profile->name);
  else snprintf(info->name, sizeof info->name, "MIG %uc.%s", c, gi->profile->name + 4);
  return NVML_SUCCESS;
}

static nvmlReturn_t createComputeInstance(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                          const nvmlComputeInstancePlacement_t *at,
                                          nvmlComputeInstance_t *out) {
  struct nvmlGpuInstance_st *gi = giOf(gpuInstance);
  ARG(gi && out && profileId < CI_PROFILE_INDICES);
  unsigned c = ciSlices(gi, profileId), used = 0, same = 0, slot = SLOTS, taken = 0;
  if (c == 0) return NVML_ERROR_NOT_SUPPORTED;
  for (unsigned s = 0; s < SLOTS; s++) {
    const struct nvmlComputeInstance_st *ci = &gi->cis[s];
    if (!ci->used && slot == SLOTS) slot = s;
    if (!ci->used) continue;
    used |= mask(ci->start, ci->size);
    same += ci->profile == profileId;
    taken |= 1u << ci->id;
  }
  int start = -1;
  if (at) {
    ARG(at->size == c && at->start % ciAlign(c) == 0 && at->start + c <= gi->profile->slices);
    if (mask(at->start, c) & used) return NVML_ERROR_INSUFFICIENT_RESOURCES;
    start = (int)at->start;
  }
  for (unsigned s = 0; start < 0 && s + c <= gi->profile->slices; s += ciAlign(c))
    if (!(mask(s, c) & used)) start = (int)s;
  if (start < 0 || same >= ciCount(gi, c) || slot == SLOTS)
    return NVML_ERROR_INSUFFICIENT_RESOURCES;
  struct nvmlComputeInstance_st *ci = &gi->cis[slot];
  memset(ci, 0, sizeof *ci);
  ci->used = 1;
  while (taken & (1u << ci->id)) ci->id++;
  ci->profile = profileId;
  ci->start = (unsigned)start;
  ci->size = c;
  ci->parent = gi;
  ci->migDevice.gpu = gi->gpu;
  creations++;
  snprintf(ci->uuid, sizeof ci->uuid, "MIG-%08x-%04x-4%03x-8%03x-%012x", 0xfa4e0000u + creations,
           (unsigned)gi->gpu, gi->id, ci->id, creations);
  *out = ci;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(nvmlGpuInstance_t gpuInstance,
                                                  unsigned int profileId,
                                                  nvmlComputeInstance_t *computeInstance) {
  INIT();
  return createComputeInstance(gpuInstance, profileId, NULL, computeInstance);
}

nvmlReturn_t nvmlGpuInstanceCreateComputeInstanceWithPlacement(
    nvmlGpuInstance_t gpuInstance, unsigned int profileId,
    const nvmlComputeInstancePlacement_t *placement, nvmlComputeInstance_t *computeInstance) {
  INIT();
  ARG(placement);
  return createComputeInstance(gpuInstance, profileId, placement, computeInstance);
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstances(nvmlGpuInstance_t gpuInstance,
                                                unsigned int profileId,
                                                nvmlComputeInstance_t *computeInstances,
                                                unsigned int *count) {
  INIT();
  struct nvmlGpuInstance_st *gi = giOf(gpuInstance);
  ARG(gi && computeInstances && count && profileId < CI_PROFILE_INDICES);
  if (ciSlices(gi, profileId) == 0) return NVML_ERROR_NOT_SUPPORTED;
  unsigned room = *count, n = 0;
  for (int c = 0; c < SLOTS; c++) n += gi->cis[c].used && gi->cis[c].profile == profileId;
  *count = n;
  if (room < n) return NVML_ERROR_INSUFFICIENT_SIZE;
  n = 0;
  for (int c = 0; c < SLOTS; c++)
    if (gi->cis[c].used && gi->cis[c].profile == profileId) computeInstances[n++] = &gi->cis[c];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlComputeInstanceGetInfo_v2(nvmlComputeInstance_t computeInstance,
                                           nvmlComputeInstanceInfo_t *info) {
  INIT();
  struct nvmlComputeInstance_st *ci = ciOf(computeInstance, NULL);
  ARG(ci && info);
  *info = (nvmlComputeInstanceInfo_t){&gpus[ci->parent->gpu].dev, ci->parent, ci->id,
                                      ci->profile, {ci->start, ci->size}};
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlComputeInstanceDestroy(nvmlComputeInstance_t computeInstance) {
  INIT();
  struct nvmlComputeInstance_st *ci = ciOf(computeInstance, NULL);
  ARG(ci);
  if (ci->pid) return NVML_ERROR_IN_USE;
  ci->used = 0;
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- MIG devices and processes */

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && count);
  *count = g->migCurrent ? 7 : 0;
  return NVML_SUCCESS;
}

/* MIG device i is the i-th live compute instance in slot order. */
nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                 nvmlDevice_t *migDevice) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && migDevice && index < 7);
  if (!g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  for (int s = 0; s < SLOTS; s++)
    for (int c = 0; c < SLOTS; c++)
      if (g->gis[s].used && g->gis[s].cis[c].used && index-- == 0) {
        *migDevice = &g->gis[s].cis[c].migDevice;
        return NVML_SUCCESS;
      }
  return NVML_ERROR_NOT_FOUND;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
  INIT();
  struct nvmlComputeInstance_st *ci = ciOf(NULL, device);
  if (gpuOf(device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(ci && id);
  *id = ci->parent->id;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
  INIT();
  struct nvmlComputeInstance_st *ci = ciOf(NULL, device);
  if (gpuOf(device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(ci && id);
  *id = ci->id;
  return NVML_SUCCESS;
}

/* On a GPU handle: every process, with its instance ids; on a MIG device handle: its own. */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount,
                                                     nvmlProcessInfo_t *infos) {
  INIT();
  Gpu *g = gpuOf(device);
  struct nvmlComputeInstance_st *only = ciOf(NULL, device);
  ARG((g || only) && infoCount);
  if (!g) g = &gpus[only->parent->gpu];
  unsigned n = 0;
  for (int s = 0; s < SLOTS; s++)
    for (int c = 0; c < SLOTS; c++) {
      struct nvmlComputeInstance_st *ci = &g->gis[s].cis[c];
      if (!g->gis[s].used || !ci->used || !ci->pid || (only && ci != only)) continue;
      if (infos && n < *infoCount)
        infos[n] = (nvmlProcessInfo_t){ci->pid, 1024ull << 20, g->gis[s].id, ci->id};
      n++;
    }
  nvmlReturn_t rc = n > *infoCount ? NVML_ERROR_INSUFFICIENT_SIZE : NVML_SUCCESS;
  *infoCount = n;
  return rc;
}

/* ---------------------------------------------------------------- telemetry */

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, unsigned int sensorType,
                                      unsigned int *temp) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && temp && sensorType == 0); /* NVML_TEMPERATURE_GPU */
  if (g->dev.gpu == 1) return NVML_ERROR_NOT_SUPPORTED;
  *temp = 41;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && power);
  if (g->dev.gpu == 1) return NVML_ERROR_NOT_SUPPORTED;
  *power = 87654;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, unsigned int type, unsigned int *clock) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && clock && type <= 3); /* GRAPHICS, SM, MEM, VIDEO */
  if (type == 2) { /* NVML_CLOCK_MEM */
    if (g->dev.gpu == 1) return NVML_ERROR_NOT_SUPPORTED;
    *clock = 1215;
  } else {
    *clock = g->dev.gpu == 0 ? 1410 : 1095;
  }
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && utilization);
  if (g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  *utilization = (nvmlUtilization_t){.gpu = 37, .memory = 12};
  return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD_DRIVER
/* The encoder's or decoder's utilization: on a GPU with MIG off only. */
static nvmlReturn_t codecUtilization(nvmlDevice_t device, unsigned percent,
                                     unsigned int *utilization, unsigned int *periodUs) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && utilization && periodUs);
  if (g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  *utilization = percent;
  *periodUs = 167000;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                             unsigned int *samplingPeriodUs) {
  return codecUtilization(device, 3, utilization, samplingPeriodUs);
}

nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                             unsigned int *samplingPeriodUs) {
  return codecUtilization(device, 5, utilization, samplingPeriodUs);
}

/* KB/s over 20 ms: NVML_PCIE_UTIL_TX_BYTES (0) or NVML_PCIE_UTIL_RX_BYTES (1). */
nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, unsigned int counter,
                                         unsigned int *value) {
  INIT();
  Gpu *g = gpuOf(device);
  if (!g && ciOf(NULL, device)) return NVML_ERROR_NOT_SUPPORTED;
  ARG(g && value && counter <= 1);
  if (g->dev.gpu == 1 && counter == 1) return NVML_ERROR_NOT_SUPPORTED;
  *value = g->dev.gpu == 0 ? (counter == 0 ? 1200 : 3400) : 250;
  return NVML_SUCCESS;
}

#endif

/* A GPM sample: which GPU instance it read and that instance's counters then. */
#define GPM_MAGIC 0x47504d53u
struct nvmlGpmSample_st {
  unsigned magic, filled, gpu, gi, whole;
  unsigned long long ticks, busy[GPM_METRICS];
};

/* Advances GPM counters by one sample at the given rates and copies them into the sample. */
static void gpmTick(unsigned long long *ticks, unsigned long long *busy, const unsigned *rates,
                    nvmlGpmSample_t out, unsigned gpu, unsigned gi, unsigned whole) {
  *ticks += 1000;
  out->magic = GPM_MAGIC;
  out->filled = 1;
  out->gpu = gpu;
  out->gi = gi;
  out->whole = whole;
  out->ticks = *ticks;
  for (int m = 0; m < GPM_METRICS; m++) out->busy[m] = busy[m] += rates[m];
}
static int gpmSamplesLive;

nvmlReturn_t nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t *gpmSupport) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && gpmSupport);
  if (gpmSupport->version != NVML_GPM_SUPPORT_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  gpmSupport->isSupportedDevice = g->gpm;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmSampleAlloc(nvmlGpmSample_t *gpmSample) {
  INIT();
  ARG(gpmSample);
  struct nvmlGpmSample_st *s = calloc(1, sizeof *s);
  if (!s) return 20; /* NVML_ERROR_MEMORY */
  s->magic = GPM_MAGIC;
  gpmSamplesLive++;
  *gpmSample = s;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmSampleFree(nvmlGpmSample_t gpmSample) {
  INIT();
  ARG(gpmSample && gpmSample->magic == GPM_MAGIC);
  gpmSample->magic = 0;
  free(gpmSample);
  gpmSamplesLive--;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpmMigSampleGet(nvmlDevice_t device, unsigned int gpuInstanceId,
                                 nvmlGpmSample_t gpmSample) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && gpmSample && gpmSample->magic == GPM_MAGIC);
  if (!g->gpm || !g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  for (int s = 0; s < SLOTS; s++) {
    struct nvmlGpuInstance_st *gi = &g->gis[s];
    if (!gi->used || gi->id != gpuInstanceId) continue;
    int held = 0;
    for (int c = 0; c < SLOTS; c++) held |= gi->cis[c].used && gi->cis[c].pid;
    gpmTick(&gi->gpmTicks, gi->gpmBusy, held ? GPM_HELD : GPM_IDLE, gpmSample,
            (unsigned)g->dev.gpu, gi->id, 0);
    return NVML_SUCCESS;
  }
  return NVML_ERROR_NOT_FOUND;
}

#ifndef FAKE_NVML_OLD_DRIVER
/* The whole GPU: with MIG off only. */
nvmlReturn_t nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t gpmSample) {
  INIT();
  Gpu *g = gpuOf(device);
  ARG(g && gpmSample && gpmSample->magic == GPM_MAGIC);
  if (!g->gpm || g->migCurrent) return NVML_ERROR_NOT_SUPPORTED;
  gpmTick(&g->gpmTicks, g->gpmBusy, GPM_WHOLE, gpmSample, (unsigned)g->dev.gpu, 0, 1);
  return NVML_SUCCESS;
}

#endif

nvmlReturn_t nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *metricsGet) {
  INIT();
  ARG(metricsGet);
  if (metricsGet->version != NVML_GPM_METRICS_GET_VERSION)
    return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  const struct nvmlGpmSample_st *a = metricsGet->sample1, *b = metricsGet->sample2;
  ARG(metricsGet->numMetrics <= NVML_GPM_METRIC_MAX && a && b);
  ARG(a->magic == GPM_MAGIC && b->magic == GPM_MAGIC && a->filled && b->filled);
  ARG(a->gpu == b->gpu && a->gi == b->gi && a->whole == b->whole && b->ticks > a->ticks);
  static char shortName[] = "gpm", longName[] = "a GPM metric", unit[] = "%";
  for (unsigned i = 0; i < metricsGet->numMetrics; i++) {
    nvmlGpmMetric_t *m = &metricsGet->metrics[i];
    int k = -1;
    for (int j = 0; j < GPM_METRICS; j++)
      if (GPM_IDS[j] == m->metricId) k = j;
    if (k < 0 || (a->whole && k == GPM_FP64)) {
      m->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
      continue;
    }
    m->nvmlReturn = NVML_SUCCESS;
    m->value = 100.0 * (double)(b->busy[k] - a->busy[k]) / (double)(b->ticks - a->ticks);
    m->metricInfo.shortName = shortName;
    m->metricInfo.longName = longName;
    m->metricInfo.unit = unit;
  }
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- XID events */

#define EVENT_SETS 8
#define XID_LOG 256

/* Every XID raised, oldest first. */
static struct { unsigned gpu; unsigned long long xid; } xidLog[XID_LOG];
static unsigned xids;

struct nvmlEventSet_st {
  int used;
  unsigned epoch, next;    /* the epoch it was made in; the next log entry to look at */
  unsigned from[GPUS];     /* per GPU: 1 + the first log entry it gets, 0 when not registered */
  unsigned resets[GPUS];   /* the GPU's resets when it was registered */
};
static struct nvmlEventSet_st eventSets[EVENT_SETS];
static int staleUses; /* waits and registrations on a set made before NVML was shut down */

#ifndef FAKE_NVML_OLD_DRIVER
/* The set behind a handle, current or stale (made before NVML was last shut down); else NULL. */
static struct nvmlEventSet_st *setOf(nvmlEventSet_t set) {
  for (int i = 0; i < EVENT_SETS; i++)
    if (set == &eventSets[i] && set->used) return set;
  return NULL;
}

nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  INIT();
  ARG(set);
  for (int i = 0; i < EVENT_SETS; i++) {
    if (eventSets[i].used) continue;
    memset(&eventSets[i], 0, sizeof eventSets[i]);
    eventSets[i].used = 1;
    eventSets[i].epoch = epoch;
    eventSets[i].next = xids;
    *set = &eventSets[i];
    return NVML_SUCCESS;
  }
  return NVML_ERROR_MEMORY;
}

nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes,
                                      nvmlEventSet_t set) {
  INIT();
  Gpu *g = gpuOf(device);
  struct nvmlEventSet_st *s = setOf(set);
  ARG(g && s);
  if (s->epoch != epoch) return staleUses++, NVML_ERROR_UNINITIALIZED;
  if (eventTypes & ~(unsigned long long)nvmlEventTypeXidCriticalError)
    return NVML_ERROR_NOT_SUPPORTED;
  s->from[g->dev.gpu] = xids + 1;
  s->resets[g->dev.gpu] = g->resets;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data,
                                 unsigned int timeoutms) {
  INIT();
  struct nvmlEventSet_st *s = setOf(set);
  ARG(s && data);
  if (s->epoch != epoch) return staleUses++, NVML_ERROR_UNINITIALIZED;
  for (int g = 0; g < GPUS; g++)
    if (s->from[g] && s->resets[g] != gpus[g].resets) return NVML_ERROR_GPU_IS_LOST;
  (void)timeoutms; /* nothing arrives while waiting: the hooks run between calls */
  while (s->next < xids) {
    unsigned i = s->next++, g = xidLog[i].gpu;
    if (!s->from[g] || i + 1 < s->from[g]) continue;
    *data = (nvmlEventData_t){&gpus[g].dev, nvmlEventTypeXidCriticalError, xidLog[i].xid,
                              0xFFFFFFFFu, 0xFFFFFFFFu};
    return NVML_SUCCESS;
  }
  return NVML_ERROR_TIMEOUT;
}

nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  INIT();
  struct nvmlEventSet_st *s = setOf(set);
  ARG(s);
  s->used = 0;
  return s->epoch == epoch ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
}

#endif

/* ---------------------------------------------------------------- topology */

/* The pair's common ancestor (nvmlGpuTopologyLevel_t) and NVLink P2P status (nvmlGpuP2PStatus_t);
 * -1 makes the call answer NOT_SUPPORTED. */
static int topologyLevel = 40;  /* NVML_TOPOLOGY_NODE */
static int nvlinkStatus = 0;    /* NVML_P2P_STATUS_OK */

static nvmlReturn_t twoGpus(nvmlDevice_t first, nvmlDevice_t second, const void *out) {
  Gpu *a = gpuOf(first), *b = gpuOf(second);
  if ((!a && ciOf(NULL, first)) || (!b && ciOf(NULL, second))) return NVML_ERROR_NOT_SUPPORTED;
  ARG(a && b && out && a != b);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t device1, nvmlDevice_t device2,
                                                 unsigned int *pathInfo) {
  INIT();
  nvmlReturn_t rc = twoGpus(device1, device2, pathInfo);
  if (rc != NVML_SUCCESS) return rc;
  if (topologyLevel < 0) return NVML_ERROR_NOT_SUPPORTED;
  *pathInfo = (unsigned)topologyLevel;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2,
                                    unsigned int p2pIndex, unsigned int *p2pStatus) {
  INIT();
  nvmlReturn_t rc = twoGpus(device1, device2, p2pStatus);
  if (rc != NVML_SUCCESS) return rc;
  ARG(p2pIndex <= 4); /* READ, WRITE, NVLINK, ATOMICS, PROP/PCI */
  if (p2pIndex != 2) { /* only NVML_P2P_CAPS_INDEX_NVLINK is modelled */
    *p2pStatus = 5; /* NVML_P2P_STATUS_NOT_SUPPORTED */
    return NVML_SUCCESS;
  }
  if (nvlinkStatus < 0) return NVML_ERROR_NOT_SUPPORTED;
  *p2pStatus = (unsigned)nvlinkStatus;
  return NVML_SUCCESS;
}

/* ---------------------------------------------------------------- test hooks */

/* Sets what the two GPUs' topology calls answer: a level and an NVLink status, -1 for an error. */
int fakeNvmlSetTopology(int level, int nvlink) {
  topologyLevel = level;
  nvlinkStatus = nvlink;
  return 0;
}

/* Turns GPM support of a GPU on (1) or off (0). */
int fakeNvmlSetGpm(unsigned gpu, unsigned on) {
  if (gpu >= GPUS) return -1;
  gpus[gpu].gpm = on ? 1 : 0;
  return 0;
}

/* How many GPM samples are allocated and not freed. */
int fakeNvmlGpmSamplesLive(void) { return gpmSamplesLive; }

/* Makes process pid hold the MIG device of compute instance ci in GPU instance gi (0 frees it). */
int fakeNvmlSetProcess(unsigned gpu, unsigned gi, unsigned ci, unsigned pid) {
  for (int s = 0; gpu < GPUS && s < SLOTS; s++)
    for (int c = 0; c < SLOTS; c++) {
      struct nvmlGpuInstance_st *g = &gpus[gpu].gis[s];
      if (g->used && g->id == gi && g->cis[c].used && g->cis[c].id == ci) {
        g->cis[c].pid = pid;
        return 0;
      }
    }
  return -1;
}

/* Raises XID xid on a GPU, as the kernel driver reports it to NVML's event sets. */
int fakeNvmlEmitXid(unsigned gpu, unsigned xid) {
  if (gpu >= GPUS || xids == XID_LOG) return -1;
  xidLog[xids].gpu = gpu;
  xidLog[xids].xid = xid;
  xids++;
  return 0;
}

/* Resets a GPU behind NVML's back: the event sets it is registered on answer GPU_IS_LOST. */
int fakeNvmlResetGpu(unsigned gpu) {
  if (gpu >= GPUS) return -1;
  gpus[gpu].resets++;
  return 0;
}

/* How many event sets are made and not freed. */
int fakeNvmlEventSetsLive(void) {
  int n = 0;
  for (int i = 0; i < EVENT_SETS; i++) n += eventSets[i].used;
  return n;
}

/* How many waits and registrations used a set made before NVML was last shut down. */
int fakeNvmlStaleEventSetUses(void) { return staleUses; }
