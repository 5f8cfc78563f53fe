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
 *       nvmlDeviceGetMemoryInfo}; with MIG on NVML tells privileged callers only), utilization
 *       ({@code nvmlDeviceGetUtilizationRates}, GPU %; never with MIG on, where NVML does not
 *       measure it) and the driver version ({@code nvmlSystemGetDriverVersion});
 *   <li>per MIG device ({@code nvmlDeviceGetMaxMigDeviceCount}, {@code
 *       nvmlDeviceGetMigDeviceHandleByIndex}, matched to the driver's compute instances by {@code
 *       nvmlDeviceGetUUID}): the framebuffer of its GPU instance ({@code nvmlDeviceGetMemoryInfo}
 *       on the MIG handle; when NVML refuses, the profile's memory and the holders' sum), the
 *       number of processes (the driver's {@code nvmlDeviceGetComputeRunningProcesses_v3} on the
 *       MIG handle) and, on GPUs with GPM (Hopper and later; {@code nvmlGpmQueryDeviceSupport}),
 *       the graphics engine activity of its GPU instance ({@code NVML_GPM_METRIC_GRAPHICS_UTIL} /
 *       100) between this sample and the previous one ({@code nvmlGpmMigSampleGet}, {@code
 *       nvmlGpmMetricsGet}). The first sample of a GPU instance has no previous one, so its
 *       activity is empty.
 * </ul>
 *
 * <p>Every value NVML refuses (NOT_SUPPORTED, NO_PERMISSION, any other error, or a function the
 * driver lacks) is empty, never 0. XID errors, which NVML reports only as events through a
 * registered event set, are not read: {@code lastXid} is always empty here.
 *
 * <p>NVML is the driver's: this class loads the same library but does not initialise NVML, so that
 * it never keeps NVML open while the driver shuts it down to reset a GPU. Each {@link #sample}
 * holds the driver's lock (its own monitor, which every {@link NvmlMigDriver} call holds), so a
 * sample never interleaves with a driver call and reads one consistent node. Thread-safe. The GPM
 * samples kept between calls are freed by {@link #close}, which is to be called before the driver
 * is closed.
 */
public final class NvmlTelemetry implements TelemetrySource, AutoCloseable {

  private static final long MIB = 1024L * 1024L;

  private final NvmlMigDriver driver;
  private final NvmlLibrary nvml;

  /** The previous GPM sample of each GPU instance, by {@link #gpmKey}. */
  private final Map<String, GpmSample> previous = new LinkedHashMap<>();

  private boolean closed;

  private NvmlTelemetry(NvmlMigDriver driver, NvmlLibrary nvml) {
    this.driver = driver;
    this.nvml = nvml;
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
      Set<String> seen = new HashSet<>();
      List<GpuTelemetry> gpus = new ArrayList<>();
      for (GpuSnapshot g : snapshots) {
        gpus.add(gpu(g, version, seen));
      }
      // GPU instances that are gone: their previous samples are of no further use.
      previous.keySet().stream()
          .filter(k -> !seen.contains(k))
          .toList()
          .forEach(k -> free(previous.remove(k)));
      return new TelemetrySample(at, false, gpus);
    }
  }

  /** Frees the GPM samples kept between calls and unloads this handle on the library. */
  @Override
  public void close() {
    synchronized (driver) {
      if (closed) {
        return;
      }
      closed = true;
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

  private GpuTelemetry gpu(GpuSnapshot g, String version, Set<String> seen) {
    int index = g.device().index();
    Device dev;
    try {
      dev = nvml.deviceByIndex(index);
    } catch (NvmlCallException e) {
      throw new MigDriverException(
          NvmlReturn.toDriverError(e.code()),
          "read telemetry of GPU " + index,
          e.function() + ": " + e.nvmlText());
    }
    boolean migOn = g.device().migMode().current();
    Optional<MemoryInfo> memory = optional(() -> nvml.memoryInfo(dev));

    List<MigTelemetry> instances = new ArrayList<>();
    if (migOn && !g.instances().isEmpty()) {
      instances = instances(g, dev, seen);
    }
    return new GpuTelemetry(
        index,
        g.device().uuid(),
        g.device().productName(),
        version,
        optionalDouble(() -> nvml.temperature(dev, NvmlLibrary.TEMPERATURE_GPU)),
        optionalDouble(() -> nvml.powerUsageMilliwatts(dev) / 1000.0),
        optionalInt(() -> nvml.clock(dev, NvmlLibrary.CLOCK_SM)),
        optionalInt(() -> nvml.clock(dev, NvmlLibrary.CLOCK_MEM)),
        memory.map(m -> OptionalLong.of(m.usedBytes() / MIB)).orElse(OptionalLong.empty()),
        memory.map(m -> OptionalLong.of(m.totalBytes() / MIB)).orElse(OptionalLong.empty()),
        DeviceUtilization.gpuOnly(migOn ? OptionalDouble.empty() : utilization(dev)),
        ProfRatios.NONE,
        OptionalInt.empty(),
        instances);
  }

  private OptionalDouble utilization(Device dev) {
    Optional<Integer> percent = optional(() -> nvml.utilization(dev).gpuPercent());
    return percent.isPresent() && percent.get() >= 0 && percent.get() <= 100
        ? OptionalDouble.of(percent.get())
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
    Map<Integer, OptionalDouble> activity = new HashMap<>();
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
      OptionalDouble engine = OptionalDouble.empty();
      if (gpm) {
        String key = gpmKey(g, slot);
        seen.add(key);
        engine = activity.computeIfAbsent(slot.gpuInstanceId(), id -> gpmActivity(dev, id, key));
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
              ProfRatios.engineOnly(engine)));
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
   * The GPU instance's engine activity since the previous sample, 0..1: takes a new GPM sample,
   * computes {@code NVML_GPM_METRIC_GRAPHICS_UTIL} against the previous one, and keeps the new one
   * for the next call. Empty on the first call and whenever NVML fails (the chain then restarts).
   */
  private OptionalDouble gpmActivity(Device dev, int gpuInstanceId, String key) {
    GpmSample before = previous.remove(key);
    Optional<GpmSample> now = optional(nvml::gpmSampleAlloc);
    if (now.isEmpty()) {
      free(before);
      return OptionalDouble.empty();
    }
    try {
      nvml.gpmMigSampleGet(dev, gpuInstanceId, now.get());
    } catch (NvmlCallException e) {
      free(before);
      free(now.get());
      return OptionalDouble.empty();
    }
    previous.put(key, now.get());
    if (before == null) {
      return OptionalDouble.empty();
    }
    try {
      double percent = nvml.gpmMetric(before, now.get(), NvmlLibrary.GPM_METRIC_GRAPHICS_UTIL);
      if (!Double.isFinite(percent)) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(Math.max(0, Math.min(1, percent / 100)));
    } catch (NvmlCallException e) {
      return OptionalDouble.empty();
    } finally {
      free(before);
    }
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
