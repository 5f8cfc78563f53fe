package io.migctl.nvidia.nvml;

import io.migctl.core.job.MigSlot;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.metrics.TelemetrySource;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriverException;
import io.migctl.nvidia.nvml.NvmlLibrary.Device;
import io.migctl.nvidia.nvml.NvmlLibrary.GpmSample;
import io.migctl.nvidia.nvml.NvmlLibrary.MemoryInfo;
import io.migctl.nvidia.nvml.NvmlLibrary.Utilization;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Telemetry read from NVML, beside an {@link NvmlMigDriver}: the driver gives the structure (GPUs,
 * GPU and compute instances, their profiles and holders, as {@link GpuSnapshot} and {@link MigSlot}
 * read them), NVML the values. Read-only: it never changes anything on a GPU.
 *
 * <p>What is read, per GPU ({@code nvmlDeviceGetHandleByIndex_v2}):
 *
 * <ul>
 *   <li>temperature ({@code nvmlDeviceGetTemperature}, {@code NVML_TEMPERATURE_GPU}), power ({@code
 *       nvmlDeviceGetPowerUsage}, mW → W), SM and memory clocks ({@code nvmlDeviceGetClockInfo},
 *       {@code NVML_CLOCK_SM}, {@code NVML_CLOCK_MEM}), framebuffer ({@code
 *       nvmlDeviceGetMemoryInfo}; with MIG on NVML tells privileged callers only), the driver
 *       version ({@code nvmlSystemGetDriverVersion}) and PCIe throughput ({@code
 *       nvmlDeviceGetPcieThroughput}, TX and RX over NVML's 20 ms window, KB/s × 1024 → bytes/s);
 *   <li>per GPU with MIG off only (NVML does not measure them with MIG on, nor does DCGM report
 *       them): utilization ({@code nvmlDeviceGetUtilizationRates}, GPU % and memory-copy %), the
 *       video encoder's and decoder's ({@code nvmlDeviceGetEncoderUtilization}, {@code
 *       nvmlDeviceGetDecoderUtilization}, %) and, on GPUs with GPM, the whole GPU's profiling
 *       ratios ({@code nvmlGpmSampleGet}; with MIG on they are read per GPU instance instead);
 *   <li>per MIG device ({@code nvmlDeviceGetMaxMigDeviceCount}, {@code
 *       nvmlDeviceGetMigDeviceHandleByIndex}, matched to the driver's compute instances by {@code
 *       nvmlDeviceGetUUID}): the framebuffer of its GPU instance ({@code nvmlDeviceGetMemoryInfo}
 *       on the MIG handle; when NVML refuses, the profile's memory and the holders' sum), the
 *       number of processes (the driver's {@code nvmlDeviceGetComputeRunningProcesses_v3} on the
 *       MIG handle) and, on GPUs with GPM (Hopper and later; {@code nvmlGpmQueryDeviceSupport}),
 *       the profiling ratios of its GPU instance between this sample and the previous one ({@code
 *       nvmlGpmMigSampleGet}, {@code nvmlGpmMetricsGet}).
 * </ul>
 *
 * <p>The profiling ratios are DCGM's: GPM's percentages / 100 of {@code
 * NVML_GPM_METRIC_GRAPHICS_UTIL} (graphics engine), {@code SM_UTIL} (SM active), {@code
 * SM_OCCUPANCY}, {@code ANY_TENSOR_UTIL} (tensor), {@code DRAM_BW_UTIL} (DRAM), {@code FP64_UTIL},
 * {@code FP32_UTIL} and {@code FP16_UTIL}, all from one sample pair. The first sample of a GPU or
 * GPU instance has no previous one, so its ratios are empty.
 *
 * <p>XID errors come as NVML events: {@link NvmlXidEvents} keeps an event set registered on every
 * GPU, read at each sample, made anew after a GPU reset; {@code lastXid} is the last XID seen since
 * this telemetry was opened.
 *
 * <p>Every value NVML refuses (NOT_SUPPORTED, NO_PERMISSION, any other error, or a function the
 * driver lacks) is empty, never 0.
 *
 * <p>NVML is the driver's: this class loads the same library but does not initialise NVML, so that
 * it never keeps NVML open while the driver shuts it down to reset a GPU. Each {@link #sample}
 * holds the driver's lock (its own monitor, which every {@link NvmlMigDriver} call holds), so a
 * sample never interleaves with a driver call and reads one consistent node. Thread-safe. The GPM
 * samples kept between calls and the event set are freed by {@link #close}, which is to be called
 * before the driver is closed.
 */
public final class NvmlTelemetry implements TelemetrySource, AutoCloseable {

  private static final long MIB = 1024L * 1024L;

  /** NVML's PCIe "KB" is 1024 bytes. */
  private static final double KIB = 1024.0;

  /** The GPM metrics read from each sample pair, in {@link ProfRatios}' order. */
  private static final List<Integer> GPM_METRICS =
      List.of(
          NvmlLibrary.GPM_METRIC_GRAPHICS_UTIL,
          NvmlLibrary.GPM_METRIC_SM_UTIL,
          NvmlLibrary.GPM_METRIC_SM_OCCUPANCY,
          NvmlLibrary.GPM_METRIC_ANY_TENSOR_UTIL,
          NvmlLibrary.GPM_METRIC_DRAM_BW_UTIL,
          NvmlLibrary.GPM_METRIC_FP64_UTIL,
          NvmlLibrary.GPM_METRIC_FP32_UTIL,
          NvmlLibrary.GPM_METRIC_FP16_UTIL);

  private final NvmlMigDriver driver;
  private final NvmlLibrary nvml;
  private final NvmlXidEvents xids;

  /** The previous GPM sample of each GPU instance and whole GPU, by {@link #gpmKey}. */
  private final Map<String, GpmSample> previous = new LinkedHashMap<>();

  private boolean closed;

  private NvmlTelemetry(NvmlMigDriver driver, NvmlLibrary nvml) {
    this.driver = driver;
    this.nvml = nvml;
    this.xids = new NvmlXidEvents(nvml);
  }

  /**
   * Telemetry of the GPUs {@code driver} manages, through the library it loaded.
   *
   * @throws NvmlUnavailableException when the library cannot be loaded a second time (it was
   *     removed) or native access is disabled
   */
  public static NvmlTelemetry open(NvmlMigDriver driver) {
    Objects.requireNonNull(driver, "driver");
    String origin = driver.libraryOrigin();
    Optional<Path> path =
        origin.equals(NvmlLibrary.SONAME) ? Optional.empty() : Optional.of(Path.of(origin));
    try {
      return new NvmlTelemetry(driver, NvmlLibrary.load(path));
    } catch (IllegalCallerException e) {
      throw new NvmlUnavailableException(
          "native access is disabled: run java with --enable-native-access=ALL-UNNAMED", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws MigDriverException when the driver cannot list the GPUs or their instances
   * @throws IllegalStateException after {@link #close}, or when the driver is closed
   */
  @Override
  public TelemetrySample sample(Instant at) {
    Objects.requireNonNull(at, "at");
    synchronized (driver) {
      if (closed) {
        throw new IllegalStateException("the NVML telemetry is closed; open a new one");
      }
      List<GpuSnapshot> snapshots = GpuSnapshot.readAll(driver);
      String version = driverVersion();
      List<Device> devices = snapshots.stream().map(this::handle).toList();
      Map<Device, String> uuids = new LinkedHashMap<>();
      for (int i = 0; i < snapshots.size(); i++) {
        uuids.put(devices.get(i), snapshots.get(i).device().uuid());
      }
      xids.poll(uuids, driver.nvmlRestarts());
      Set<String> seen = new HashSet<>();
      List<GpuTelemetry> gpus = new ArrayList<>();
      for (int i = 0; i < snapshots.size(); i++) {
        gpus.add(gpu(snapshots.get(i), devices.get(i), version, seen));
      }
      // GPU instances that are gone: their previous samples are of no further use.
      previous.keySet().stream()
          .filter(k -> !seen.contains(k))
          .toList()
          .forEach(k -> free(previous.remove(k)));
      return new TelemetrySample(at, false, gpus);
    }
  }

  /**
   * Frees the GPM samples kept between calls and the XID event set, and unloads this handle on the
   * library.
   */
  @Override
  public void close() {
    synchronized (driver) {
      if (closed) {
        return;
      }
      closed = true;
      xids.close();
      previous.values().forEach(this::free);
      previous.clear();
      nvml.close();
    }
  }

  // ---------------------------------------------------------------- reading

  private String driverVersion() {
    try {
      return driver.driverVersion();
    } catch (MigDriverException e) {
      return "unknown";
    }
  }

  private Device handle(GpuSnapshot g) {
    int index = g.device().index();
    try {
      return nvml.deviceByIndex(index);
    } catch (NvmlCallException e) {
      throw new MigDriverException(
          NvmlReturn.toDriverError(e.code()),
          "read telemetry of GPU " + index,
          e.function() + ": " + e.nvmlText());
    }
  }

  private GpuTelemetry gpu(GpuSnapshot g, Device dev, String version, Set<String> seen) {
    int index = g.device().index();
    boolean migOn = g.device().migMode().current();
    Optional<MemoryInfo> memory = optional(() -> nvml.memoryInfo(dev));

    List<MigTelemetry> instances = new ArrayList<>();
    if (migOn && !g.instances().isEmpty()) {
      instances = instances(g, dev, seen);
    }
    ProfRatios activity = ProfRatios.NONE;
    if (!migOn && gpmSupported(dev)) {
      String key = g.device().uuid() + "/gpu";
      seen.add(key);
      activity = gpmRatios(key, sample -> nvml.gpmSampleGet(dev, sample));
    }
    return new GpuTelemetry(
        index,
        g.device().uuid(),
        g.device().productName(),
        version,
        Optional.of(g.device().pciBusId()).filter(b -> !b.isBlank()),
        optionalDouble(() -> nvml.temperature(dev, NvmlLibrary.TEMPERATURE_GPU)),
        optionalDouble(() -> nvml.powerUsageMilliwatts(dev) / 1000.0),
        optionalInt(() -> nvml.clock(dev, NvmlLibrary.CLOCK_SM)),
        optionalInt(() -> nvml.clock(dev, NvmlLibrary.CLOCK_MEM)),
        memory.map(m -> OptionalLong.of(m.usedBytes() / MIB)).orElse(OptionalLong.empty()),
        memory.map(m -> OptionalLong.of(m.totalBytes() / MIB)).orElse(OptionalLong.empty()),
        utilization(dev, migOn),
        activity,
        xids.lastXid(g.device().uuid()),
        instances);
  }

  /** The engines' figures with MIG off only; PCIe on every GPU. */
  private DeviceUtilization utilization(Device dev, boolean migOn) {
    Optional<Utilization> rates = migOn ? Optional.empty() : optional(() -> nvml.utilization(dev));
    return new DeviceUtilization(
        percent(rates.map(Utilization::gpuPercent)),
        percent(rates.map(Utilization::memoryPercent)),
        percent(migOn ? Optional.empty() : optional(() -> nvml.encoderUtilization(dev))),
        percent(migOn ? Optional.empty() : optional(() -> nvml.decoderUtilization(dev))),
        pcie(dev, NvmlLibrary.PCIE_UTIL_TX_BYTES),
        pcie(dev, NvmlLibrary.PCIE_UTIL_RX_BYTES));
  }

  /** A percentage NVML reported; one outside 0..100 is not trusted. */
  private static OptionalDouble percent(Optional<Integer> percent) {
    return percent.isPresent() && percent.get() >= 0 && percent.get() <= 100
        ? OptionalDouble.of(percent.get())
        : OptionalDouble.empty();
  }

  private OptionalDouble pcie(Device dev, int counter) {
    Optional<Long> kilobytes = optional(() -> nvml.pcieThroughputKilobytesPerSecond(dev, counter));
    return kilobytes.isPresent()
        ? OptionalDouble.of(kilobytes.get() * KIB)
        : OptionalDouble.empty();
  }

  private List<MigTelemetry> instances(GpuSnapshot g, Device dev, Set<String> seen) {
    Map<String, Device> handles = migHandles(dev);
    Map<String, List<DeviceProcess>> holders = new HashMap<>();
    for (GpuSnapshot.Instance gi : g.instances()) {
      for (GpuSnapshot.Compute ci : gi.computeInstances()) {
        holders.put(ci.computeInstance().uuid(), ci.processes());
      }
    }
    boolean gpm = gpmSupported(dev);
    Map<Integer, ProfRatios> activity = new HashMap<>();
    List<MigTelemetry> out = new ArrayList<>();
    for (MigSlot slot : MigSlot.of(List.of(g), Set.of())) {
      if (slot.uuid().isEmpty()) {
        continue; // NVML does not list its MIG device yet
      }
      List<DeviceProcess> processes = holders.getOrDefault(slot.uuid(), List.of());
      Device handle = handles.get(slot.uuid().toLowerCase(Locale.ROOT));
      Optional<MemoryInfo> memory =
          handle == null ? Optional.empty() : optional(() -> nvml.memoryInfo(handle));
      long total = memory.map(m -> m.totalBytes() / MIB).orElse(slot.memoryMiB());
      long used =
          memory
              .map(m -> m.usedBytes() / MIB)
              .orElse(processes.stream().mapToLong(DeviceProcess::usedMemoryMiB).sum());
      ProfRatios ratios = ProfRatios.NONE;
      if (gpm) {
        String key = gpmKey(g, slot);
        seen.add(key);
        ratios =
            activity.computeIfAbsent(
                slot.gpuInstanceId(),
                id -> gpmRatios(key, sample -> nvml.gpmMigSampleGet(dev, id, sample)));
      }
      out.add(
          new MigTelemetry(
              slot.uuid(),
              slot.gpuInstanceId(),
              slot.computeInstanceId(),
              slot.profile(),
              Math.max(0, Math.min(used, total)),
              Math.max(0, total),
              processes.size(),
              ratios));
    }
    return out;
  }

  /** The GPU's MIG device handles by lower-case UUID; those NVML cannot name are left out. */
  private Map<String, Device> migHandles(Device dev) {
    Map<String, Device> out = new HashMap<>();
    int max = optional(() -> nvml.maxMigDeviceCount(dev)).orElse(0);
    for (int i = 0; i < max; i++) {
      int index = i;
      Optional<Device> mig = optional(() -> nvml.migDeviceByIndex(dev, index));
      if (mig.isEmpty()) {
        continue;
      }
      optional(() -> nvml.uuid(mig.get()))
          .ifPresent(uuid -> out.put(uuid.toLowerCase(Locale.ROOT), mig.get()));
    }
    return out;
  }

  // ---------------------------------------------------------------- GPM

  /** Asked at every sample: a cheap query, and support can change with the driver's settings. */
  private boolean gpmSupported(Device dev) {
    return optional(() -> nvml.gpmSupported(dev)).orElse(false);
  }

  /** A GPU instance's key: GPU, id and placement, so that a new instance with an old id is new. */
  private static String gpmKey(GpuSnapshot g, MigSlot slot) {
    return g.device().uuid() + "/" + slot.gpuInstanceId() + "@" + slot.placement();
  }

  /**
   * The profiling ratios since the previous sample of {@code key} (a GPU instance, or a whole GPU):
   * takes a new GPM sample with {@code read}, computes {@link #GPM_METRICS} against the previous
   * one, and keeps the new one for the next call. Empty on the first call and whenever NVML fails
   * (the chain then restarts); a metric NVML cannot compute is empty on its own.
   */
  private ProfRatios gpmRatios(String key, Consumer<GpmSample> read) {
    GpmSample before = previous.remove(key);
    Optional<GpmSample> now = optional(nvml::gpmSampleAlloc);
    if (now.isEmpty()) {
      free(before);
      return ProfRatios.NONE;
    }
    try {
      read.accept(now.get());
    } catch (NvmlCallException e) {
      free(before);
      free(now.get());
      return ProfRatios.NONE;
    }
    previous.put(key, now.get());
    if (before == null) {
      return ProfRatios.NONE;
    }
    try {
      Map<Integer, Double> percent = nvml.gpmMetrics(before, now.get(), GPM_METRICS);
      List<OptionalDouble> r = GPM_METRICS.stream().map(id -> ratio(percent.get(id))).toList();
      return new ProfRatios(
          r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7));
    } catch (NvmlCallException e) {
      return ProfRatios.NONE;
    } finally {
      free(before);
    }
  }

  /** GPM's percentage as DCGM's ratio, 0..1. */
  private static OptionalDouble ratio(Double percent) {
    if (percent == null || !Double.isFinite(percent)) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.max(0, Math.min(1, percent / 100)));
  }

  private void free(GpmSample sample) {
    if (sample == null) {
      return;
    }
    try {
      nvml.gpmSampleFree(sample);
    } catch (NvmlCallException e) {
      // NVML no longer knows it (it was shut down meanwhile): nothing left to free.
    }
  }

  // ---------------------------------------------------------------- empty, never 0

  private static <T> Optional<T> optional(Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (NvmlCallException e) {
      return Optional.empty();
    }
  }

  private static OptionalDouble optionalDouble(Supplier<Number> read) {
    Optional<Number> n = optional(read);
    return n.isPresent() ? OptionalDouble.of(n.get().doubleValue()) : OptionalDouble.empty();
  }

  private static OptionalInt optionalInt(IntSupplier read) {
    try {
      return OptionalInt.of(read.getAsInt());
    } catch (NvmlCallException e) {
      return OptionalInt.empty();
    }
  }
}
