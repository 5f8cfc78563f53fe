package io.migctl.nvidia.nvml;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.DriverOperation;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.GpuTopology.NvLink;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.TopologyLevel;
import io.migctl.nvidia.nvml.NvmlLibrary.ComputeInstanceHandle;
import io.migctl.nvidia.nvml.NvmlLibrary.ComputeInstanceInfo;
import io.migctl.nvidia.nvml.NvmlLibrary.ComputeInstanceProfileInfo;
import io.migctl.nvidia.nvml.NvmlLibrary.Device;
import io.migctl.nvidia.nvml.NvmlLibrary.GpuInstanceHandle;
import io.migctl.nvidia.nvml.NvmlLibrary.GpuInstanceInfo;
import io.migctl.nvidia.nvml.NvmlLibrary.MigModeInfo;
import io.migctl.nvidia.nvml.NvmlLibrary.PciInfo;
import io.migctl.nvidia.nvml.NvmlModelReader.SupportedProfile;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The real driver: NVIDIA's NVML ({@code libnvidia-ml.so.1}) through {@code java.lang.foreign}
 * ({@link NvmlLibrary} holds the binding).
 *
 * <p>It follows {@link io.migctl.nvidia.sim.SimulatedMigDriver}'s contract and messages: NVML's
 * return codes become {@link DriverError}s (the mapping is {@link NvmlReturn#toDriverError}), and
 * each {@link MigDriverException} names the operation and ends with NVML's own words. Where NVML
 * looks instances up by handle, this driver looks them up by id, so an unknown GPU-instance or
 * compute-instance id is NOT_FOUND, as in the simulator; a GPU index out of range is
 * INVALID_ARGUMENT.
 *
 * <ul>
 *   <li>{@link #migModel}: read from the device (see {@link NvmlModelReader}); compute-instance
 *       profiles are the catalog rule {@link io.migctl.core.mig.ComputeInstanceProfile#of}, which
 *       reproduces NVML's {@code -lcip} tables; the NVML compute-instance calls are used to create
 *       and list compute instances.
 *   <li>{@link #gpuInstances} and {@link #computeInstances} are ordered by placement.
 *   <li>{@link #setMigMode}: disabling while GPU instances exist is IN_USE (as in the simulator).
 *       When NVML cannot activate the new mode at once (a process holds the GPU, or a VM cannot
 *       reset it) the change stays pending, as {@code nvidia-smi -mig} warns, and the returned mode
 *       shows it.
 *   <li>{@link #resetGpu}: NVML has no public reset, so this runs {@code nvidia-smi -r -i <PCI bus
 *       id>} through a {@link ToolRunner}, with NVML shut down meanwhile so that this process does
 *       not hold the GPU it resets.
 *   <li>{@link #topology}: NVML's common ancestor and NVLink peer-to-peer status of each pair, a
 *       failed call leaving that part unknown.
 *   <li>{@link #processes}: asked of each MIG device handle, which NVML answers without the
 *       privileges the whole-GPU query needs in MIG mode.
 * </ul>
 *
 * <p>Thread-safe: every call holds this driver's lock, so each is atomic with respect to the others
 * made through it (not to other NVML clients). {@link #close} shuts NVML down; calls after it throw
 * {@link IllegalStateException}.
 */
public final class NvmlMigDriver implements MigDriver, AutoCloseable {

  private static final Duration RESET_TIMEOUT = Duration.ofMinutes(5);

  private final NvmlLibrary nvml;
  private final ToolRunner commands;
  private final Map<Integer, CachedModel> models = new HashMap<>();
  private boolean closed;

  /** How many times NVML was initialised again after a reset: handles of before are void. */
  private long reinitialisations;

  private record CachedModel(MigModeInfo mode, GpuModel model) {}

  private NvmlMigDriver(NvmlLibrary nvml, ToolRunner commands) {
    this.nvml = nvml;
    this.commands = commands;
  }

  /**
   * Loads NVML and initialises it; GPU resets run {@code nvidia-smi} as a child process.
   *
   * @param library the library file; empty: {@code libnvidia-ml.so.1} from the system library path,
   *     then {@code /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1}
   * @throws NvmlUnavailableException with a one-line reason when the library is missing, is not
   *     NVML, native access is disabled, or {@code nvmlInit} fails
   */
  public static NvmlMigDriver open(Optional<Path> library) {
    return open(library, new SystemToolRunner());
  }

  /**
   * As {@link #open(Optional)}, with the runner that performs GPU resets ({@code nvidia-smi -r}).
   */
  public static NvmlMigDriver open(Optional<Path> library, ToolRunner commands) {
    NvmlLibrary nvml;
    try {
      nvml = NvmlLibrary.load(library);
    } catch (IllegalCallerException e) {
      throw new NvmlUnavailableException(
          "native access is disabled: run java with --enable-native-access=ALL-UNNAMED", e);
    }
    try {
      int rc = nvml.init();
      if (rc != NvmlReturn.SUCCESS) {
        throw new NvmlUnavailableException("nvmlInit failed: " + nvml.errorString(rc));
      }
    } catch (NvmlUnavailableException e) {
      nvml.close();
      throw e;
    } catch (RuntimeException e) {
      nvml.close();
      throw new NvmlUnavailableException("nvmlInit failed: " + e.getMessage(), e);
    }
    return new NvmlMigDriver(nvml, commands);
  }

  /**
   * Whether NVML is usable here and reports at least one GPU, for choosing the real driver over the
   * simulated one. Never throws for an absent or broken NVML: that is {@link NvmlProbe.Unavailable}
   * with the reason.
   *
   * @param library as in {@link #open(Optional)}
   */
  public static NvmlProbe probe(Optional<Path> library) {
    return probe(library, new SystemToolRunner());
  }

  /** As {@link #probe(Optional)}, with the runner the driver uses for GPU resets. */
  public static NvmlProbe probe(Optional<Path> library, ToolRunner commands) {
    NvmlMigDriver driver;
    try {
      driver = open(library, commands);
    } catch (NvmlUnavailableException e) {
      return new NvmlProbe.Unavailable(e.getMessage());
    }
    try {
      String version = driver.driverVersion();
      int count = driver.gpuCount();
      if (count == 0) {
        driver.close();
        return new NvmlProbe.Unavailable(
            "NVML (driver " + version + ", " + driver.libraryOrigin() + ") reports no GPU");
      }
      return new NvmlProbe.Available(driver, count, version);
    } catch (MigDriverException e) {
      driver.close();
      return new NvmlProbe.Unavailable("NVML loaded but failed: " + e.getMessage());
    }
  }

  /** The NVIDIA driver's version ({@code nvmlSystemGetDriverVersion}), e.g. {@code 550.54.15}. */
  public synchronized String driverVersion() {
    return call("read the driver version", nvml::driverVersion);
  }

  /** Where NVML was loaded from: a path, or {@code libnvidia-ml.so.1} from the library path. */
  public String libraryOrigin() {
    return nvml.origin();
  }

  /**
   * How many times this driver shut NVML down and initialised it again (to reset a GPU): NVML
   * handles made before the count changed, such as an event set, are no longer valid.
   */
  synchronized long nvmlRestarts() {
    return reinitialisations;
  }

  /** How many GPUs NVML reports. */
  public synchronized int gpuCount() {
    return call("count GPUs", nvml::deviceCount);
  }

  /**
   * The minor of GPU {@code gpu}'s device node {@code /dev/nvidia<minor>} ({@code
   * nvmlDeviceGetMinorNumber}); it keys the GPU's lines in {@code mig-minors}. Not always the
   * index.
   */
  public synchronized int gpuMinor(int gpu) {
    String op = "read the device minor of GPU " + gpu;
    return call(op, () -> nvml.minorNumber(device(gpu, op)));
  }

  /** Shuts NVML down and unloads it. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      nvml.shutdown();
    } catch (NvmlCallException e) {
      // Nothing to undo: the library is unloaded below either way.
    } finally {
      nvml.close();
    }
  }

  // ---------------------------------------------------------------- the driver

  @Override
  public synchronized List<GpuDevice> gpus() {
    return call(
        "list GPUs",
        () -> {
          List<GpuDevice> out = new ArrayList<>();
          int count = nvml.deviceCount();
          for (int i = 0; i < count; i++) {
            Device dev = nvml.deviceByIndex(i);
            PciInfo pci = nvml.pciInfo(dev);
            String productName = nvml.name(dev);
            out.add(
                new GpuDevice(
                    i,
                    nvml.uuid(dev),
                    productName,
                    pci.busId(),
                    pci.pciDeviceId(),
                    pci.pciSubsystemId(),
                    memoryMiB(dev, pci.pciDeviceId(), productName),
                    migMode(dev)));
          }
          return List.copyOf(out);
        });
  }

  @Override
  public synchronized GpuModel migModel(int gpu) {
    String op = "read the profiles of GPU " + gpu;
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          MigModeInfo mode = migModeInfo(dev);
          CachedModel cached = models.get(gpu);
          // NVML's profile information is fixed for the lifetime of a MIG mode.
          if (cached != null && cached.mode.equals(mode)) {
            return cached.model;
          }
          PciInfo pci = nvml.pciInfo(dev);
          GpuModel model;
          try {
            model =
                NvmlModelReader.read(nvml, dev, memoryMiB(dev, pci.pciDeviceId(), nvml.name(dev)));
          } catch (IllegalArgumentException e) {
            throw new MigDriverException(
                DriverError.UNKNOWN,
                op,
                "NVML reported a profile migctl cannot represent: " + e.getMessage());
          }
          models.put(gpu, new CachedModel(mode, model));
          return model;
        });
  }

  @Override
  public synchronized List<GpuInstance> gpuInstances(int gpu) {
    String op = "list GPU instances on GPU " + gpu;
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          if (!migMode(dev).current()) {
            return List.of();
          }
          return liveGpuInstances(dev).stream().map(gi -> gpuInstance(gpu, gi.info)).toList();
        });
  }

  @Override
  public synchronized List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId) {
    String op = "list compute instances of GPU instance " + gpuInstanceId + " on GPU " + gpu;
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          LiveGpuInstance gi = findGpuInstance(dev, gpu, gpuInstanceId, op);
          Map<Long, String> uuids = migDeviceUuids(dev);
          return liveComputeInstances(gi.handle).stream()
              .map(ci -> computeInstance(gpu, gpuInstanceId, ci.info, uuids))
              .toList();
        });
  }

  @Override
  public synchronized int remainingCapacity(int gpu, int profileId) {
    String op = "read remaining capacity of profile " + profileId + " on GPU " + gpu;
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          if (!migMode(dev).current()) {
            return 0;
          }
          return nvml.gpuInstanceRemainingCapacity(dev, profileId);
        });
  }

  @Override
  public synchronized GpuInstance createGpuInstance(
      int gpu, int profileId, Optional<Placement> placement) {
    String op = DriverOperation.createGpuInstance(gpu, profileId, placement);
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          GpuInstanceHandle handle = nvml.createGpuInstance(dev, profileId, placement);
          return gpuInstance(gpu, nvml.gpuInstanceInfo(handle));
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The returned UUID is empty in the unlikely case that NVML does not list the new MIG device
   * yet; {@link #computeInstances} shows it later.
   */
  @Override
  public synchronized ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    String op = DriverOperation.createComputeInstance(gpu, gpuInstanceId, profileId, placement);
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          LiveGpuInstance gi = findGpuInstance(dev, gpu, gpuInstanceId, op);
          ComputeInstanceHandle handle;
          try {
            handle = nvml.createComputeInstance(gi.handle, profileId, placement);
          } catch (NvmlCallException e) {
            if (e.code() != NvmlReturn.NOT_SUPPORTED) {
              throw e;
            }
            // MIG is on (the GPU instance exists), so NVML means the profile: the port says so
            // with INVALID_ARGUMENT, as for GPU-instance profiles.
            throw new MigDriverException(
                DriverError.INVALID_ARGUMENT,
                op,
                "GPU instance "
                    + gpuInstanceId
                    + " offers no compute-instance profile "
                    + profileId
                    + " ("
                    + e.function()
                    + ": "
                    + e.nvmlText()
                    + ")");
          }
          ComputeInstanceInfo info = nvml.computeInstanceInfo(handle);
          return computeInstance(gpu, gpuInstanceId, info, migDeviceUuids(dev));
        });
  }

  @Override
  public synchronized void destroyComputeInstance(
      int gpu, int gpuInstanceId, int computeInstanceId) {
    String op =
        "destroy compute instance "
            + computeInstanceId
            + " of GPU instance "
            + gpuInstanceId
            + " on GPU "
            + gpu;
    call(
        op,
        () -> {
          Device dev = device(gpu, op);
          LiveGpuInstance gi = findGpuInstance(dev, gpu, gpuInstanceId, op);
          LiveComputeInstance ci =
              liveComputeInstances(gi.handle).stream()
                  .filter(c -> c.info.id() == computeInstanceId)
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new MigDriverException(
                              DriverError.NOT_FOUND,
                              op,
                              "GPU instance "
                                  + gpuInstanceId
                                  + " has no compute instance "
                                  + computeInstanceId));
          nvml.destroyComputeInstance(ci.handle);
          return null;
        });
  }

  @Override
  public synchronized void destroyGpuInstance(int gpu, int gpuInstanceId) {
    String op = "destroy GPU instance " + gpuInstanceId + " on GPU " + gpu;
    call(
        op,
        () -> {
          Device dev = device(gpu, op);
          nvml.destroyGpuInstance(findGpuInstance(dev, gpu, gpuInstanceId, op).handle);
          return null;
        });
  }

  @Override
  public synchronized MigMode setMigMode(int gpu, boolean enabled) {
    String op = (enabled ? "enable" : "disable") + " MIG mode on GPU " + gpu;
    return call(
        op,
        () -> {
          Device dev = device(gpu, op);
          if (!enabled && migModeInfo(dev).current()) {
            int instances = liveGpuInstances(dev).size();
            if (instances > 0) {
              throw new MigDriverException(
                  DriverError.IN_USE, op, instances + " GPU instance(s) exist");
            }
          }
          // The activation status only says why a change stays pending; the mode read back says it.
          nvml.setMigMode(dev, enabled);
          models.remove(gpu);
          MigModeInfo after = migModeInfo(dev);
          return new MigMode(after.current(), after.pending());
        });
  }

  @Override
  public synchronized void resetGpu(int gpu) {
    String op = "reset GPU " + gpu;
    List<String> command =
        call(
            op,
            () -> {
              Device dev = device(gpu, op);
              List<DeviceProcess> holders = processesOf(dev);
              if (!holders.isEmpty()) {
                throw new MigDriverException(
                    DriverError.IN_USE,
                    op,
                    "processes hold its MIG devices: pid "
                        + String.join(
                            ", ", holders.stream().map(p -> Long.toString(p.pid())).toList()));
              }
              return List.of("nvidia-smi", "-r", "-i", nvml.pciInfo(dev).busId());
            });
    models.remove(gpu);
    ToolResult result;
    // NVML keeps the GPUs' device files open; nvidia-smi refuses to reset a GPU a client holds.
    run(op, nvml::shutdown);
    try {
      result =
          commands.run(
              ToolCommand.of(command)
                  .withTimeout(RESET_TIMEOUT)
                  .withOutput(ToolCommand.Output.MERGED));
    } catch (IOException e) {
      throw new MigDriverException(
          DriverError.NOT_SUPPORTED,
          op,
          "NVML has no reset and " + command.getFirst() + " could not be run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigDriverException(DriverError.UNKNOWN, op, "interrupted while resetting");
    } finally {
      reinitialise(op);
    }
    switch (result.ending()) {
      case ToolResult.Exited(int status) when status == 0 -> {}
      case ToolResult.Exited(int status) ->
          throw new MigDriverException(
              resetError(result.stdout()),
              op,
              String.join(" ", command)
                  + " exited with "
                  + status
                  + ": "
                  + result.stdout().strip().replaceAll("\\s*\\n\\s*", " / "));
      case ToolResult.TimedOut(Duration limit) ->
          throw new MigDriverException(
              DriverError.UNKNOWN,
              op,
              String.join(" ", command) + " ran longer than " + limit + " and was killed");
    }
  }

  /** Initialises NVML again after a reset; when that fails the driver is closed for good. */
  private void reinitialise(String op) {
    reinitialisations++;
    int rc = nvml.init();
    if (rc != NvmlReturn.SUCCESS) {
      String why = nvml.errorString(rc);
      closed = true;
      nvml.close();
      throw new MigDriverException(
          NvmlReturn.toDriverError(rc),
          op,
          "NVML could not be initialised again after the reset, so this driver is closed: " + why);
    }
  }

  @Override
  public synchronized List<DeviceProcess> processes(int gpu) {
    String op = "list processes on GPU " + gpu;
    return call(op, () -> processesOf(device(gpu, op)));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each pair asks NVML twice: {@code nvmlDeviceGetTopologyCommonAncestor} for the level and
   * {@code nvmlDeviceGetP2PStatus} with {@code NVML_P2P_CAPS_INDEX_NVLINK} for NVLink. A call that
   * fails (not supported, a driver without it, a level this version does not know) leaves that half
   * of the pair unknown; {@code NVML_P2P_STATUS_UNKNOWN} too. Only failing to list the GPUs fails
   * the whole call.
   */
  @Override
  public synchronized GpuTopology topology() {
    return call(
        "read the GPU topology",
        () -> {
          int count = nvml.deviceCount();
          List<Device> devices = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            devices.add(nvml.deviceByIndex(i));
          }
          List<GpuTopology.Pair> pairs = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            for (int j = i + 1; j < count; j++) {
              pairs.add(
                  new GpuTopology.Pair(
                      i,
                      j,
                      commonAncestor(devices.get(i), devices.get(j)),
                      nvlink(devices.get(i), devices.get(j))));
            }
          }
          return GpuTopology.of(count, pairs);
        });
  }

  private Optional<TopologyLevel> commonAncestor(Device first, Device second) {
    try {
      return TopologyLevel.fromNvml(nvml.topologyCommonAncestor(first, second));
    } catch (NvmlCallException e) {
      return Optional.empty();
    }
  }

  private NvLink nvlink(Device first, Device second) {
    int status;
    try {
      status = nvml.p2pStatus(first, second, NvmlLibrary.P2P_CAPS_INDEX_NVLINK);
    } catch (NvmlCallException e) {
      return NvLink.UNKNOWN;
    }
    return switch (status) {
      case NvmlLibrary.P2P_STATUS_OK -> NvLink.PRESENT;
      case NvmlLibrary.P2P_STATUS_UNKNOWN -> NvLink.UNKNOWN;
      default -> NvLink.ABSENT;
    };
  }

  // ---------------------------------------------------------------- internals

  private record LiveGpuInstance(GpuInstanceHandle handle, GpuInstanceInfo info) {}

  private record LiveComputeInstance(ComputeInstanceHandle handle, ComputeInstanceInfo info) {}

  private record MigDevice(Device handle, String uuid) {}

  /**
   * Runs {@code body}, turning NVML failures into {@link MigDriverException}s that name {@code op}.
   */
  private <T> T call(String op, Supplier<T> body) {
    if (closed) {
      throw new IllegalStateException("the NVML driver is closed; open a new one");
    }
    try {
      return body.get();
    } catch (NvmlCallException e) {
      DriverError error = NvmlReturn.toDriverError(e.code());
      if (e.nvmlText().equalsIgnoreCase(error.text())) {
        throw new MigDriverException(error, op);
      }
      throw new MigDriverException(error, op, e.function() + ": " + e.nvmlText());
    }
  }

  private void run(String op, Runnable body) {
    call(
        op,
        () -> {
          body.run();
          return null;
        });
  }

  private Device device(int gpu, String op) {
    int count = nvml.deviceCount();
    if (gpu < 0 || gpu >= count) {
      throw new MigDriverException(
          DriverError.INVALID_ARGUMENT,
          op,
          count == 0 ? "NVML reports no GPU" : "this node has GPUs 0.." + (count - 1));
    }
    return nvml.deviceByIndex(gpu);
  }

  /** The MIG mode; a GPU without MIG reports it disabled. */
  private MigModeInfo migModeInfo(Device dev) {
    try {
      return nvml.migMode(dev);
    } catch (NvmlCallException e) {
      if (e.code() == NvmlReturn.NOT_SUPPORTED) {
        return new MigModeInfo(false, false);
      }
      throw e;
    }
  }

  private MigMode migMode(Device dev) {
    MigModeInfo m = migModeInfo(dev);
    return new MigMode(m.current(), m.pending());
  }

  /**
   * The GPU's memory. In MIG mode NVML reports the whole GPU's memory to privileged callers only;
   * others get the catalog's figure for the model, or 0 when the catalog does not know it.
   */
  private long memoryMiB(Device dev, int pciDeviceId, String productName) {
    try {
      return nvml.memoryTotalBytes(dev) / (1024 * 1024);
    } catch (NvmlCallException e) {
      if (e.code() != NvmlReturn.NO_PERMISSION && e.code() != NvmlReturn.NOT_SUPPORTED) {
        throw e;
      }
      String name = productName.startsWith("NVIDIA ") ? productName.substring(7) : productName;
      return NvmlModelReader.catalogEntry(pciDeviceId, name, productName)
          .map(GpuModel::memoryMiB)
          .orElse(0L);
    }
  }

  private List<LiveGpuInstance> liveGpuInstances(Device dev) {
    List<LiveGpuInstance> out = new ArrayList<>();
    for (SupportedProfile p : NvmlModelReader.supportedProfiles(nvml, dev)) {
      for (GpuInstanceHandle h : nvml.gpuInstances(dev, p.info().id(), p.info().instanceCount())) {
        out.add(new LiveGpuInstance(h, nvml.gpuInstanceInfo(h)));
      }
    }
    out.sort(
        Comparator.comparing((LiveGpuInstance gi) -> gi.info.placement())
            .thenComparingInt(gi -> gi.info.id()));
    return out;
  }

  private LiveGpuInstance findGpuInstance(Device dev, int gpu, int gpuInstanceId, String op) {
    if (!migModeInfo(dev).current()) {
      throw new MigDriverException(DriverError.NOT_SUPPORTED, op, "MIG mode is disabled");
    }
    return liveGpuInstances(dev).stream()
        .filter(gi -> gi.info.id() == gpuInstanceId)
        .findFirst()
        .orElseThrow(
            () ->
                new MigDriverException(
                    DriverError.NOT_FOUND,
                    op,
                    "GPU " + gpu + " has no GPU instance " + gpuInstanceId));
  }

  private List<LiveComputeInstance> liveComputeInstances(GpuInstanceHandle gi) {
    List<LiveComputeInstance> out = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (int index = 0; index < NvmlLibrary.COMPUTE_INSTANCE_PROFILE_INDICES; index++) {
      ComputeInstanceProfileInfo profile;
      try {
        profile = nvml.computeInstanceProfileInfo(gi, index);
      } catch (NvmlCallException e) {
        if (NvmlModelReader.isAbsent(e)) {
          continue;
        }
        throw e;
      }
      if (!ids.add(profile.id())) {
        continue;
      }
      for (ComputeInstanceHandle h :
          nvml.computeInstances(gi, profile.id(), profile.instanceCount())) {
        out.add(new LiveComputeInstance(h, nvml.computeInstanceInfo(h)));
      }
    }
    out.sort(
        Comparator.comparing((LiveComputeInstance ci) -> ci.info.placement())
            .thenComparingInt(ci -> ci.info.id()));
    return out;
  }

  /** The GPU's MIG devices (one per compute instance); none while MIG is disabled. */
  private Map<Long, MigDevice> migDevices(Device dev) {
    Map<Long, MigDevice> out = new HashMap<>();
    int max;
    try {
      max = nvml.maxMigDeviceCount(dev);
    } catch (NvmlCallException e) {
      if (e.code() == NvmlReturn.NOT_SUPPORTED) {
        return out;
      }
      throw e;
    }
    for (int i = 0; i < max; i++) {
      Device mig;
      try {
        mig = nvml.migDeviceByIndex(dev, i);
      } catch (NvmlCallException e) {
        if (e.code() == NvmlReturn.NOT_FOUND) {
          continue;
        }
        throw e;
      }
      long key = key(nvml.gpuInstanceId(mig), nvml.computeInstanceId(mig));
      out.put(key, new MigDevice(mig, nvml.uuid(mig)));
    }
    return out;
  }

  private Map<Long, String> migDeviceUuids(Device dev) {
    Map<Long, String> out = new HashMap<>();
    migDevices(dev).forEach((k, v) -> out.put(k, v.uuid));
    return out;
  }

  private static long key(int gpuInstanceId, int computeInstanceId) {
    return ((long) gpuInstanceId << 32) | Integer.toUnsignedLong(computeInstanceId);
  }

  private List<DeviceProcess> processesOf(Device dev) {
    List<DeviceProcess> out = new ArrayList<>();
    List<MigDevice> devices = new ArrayList<>(migDevices(dev).values());
    devices.sort(Comparator.comparing(MigDevice::uuid));
    for (MigDevice mig : devices) {
      for (NvmlLibrary.ProcessInfo p : nvml.computeRunningProcesses(mig.handle)) {
        long bytes = p.usedGpuMemoryBytes();
        long mib = bytes == NvmlLibrary.VALUE_NOT_AVAILABLE ? 0 : bytes / (1024 * 1024);
        out.add(new DeviceProcess(p.pid(), mig.uuid, mib));
      }
    }
    return List.copyOf(out);
  }

  private static GpuInstance gpuInstance(int gpu, GpuInstanceInfo info) {
    return new GpuInstance(gpu, info.id(), info.profileId(), info.placement());
  }

  private static ComputeInstance computeInstance(
      int gpu, int gpuInstanceId, ComputeInstanceInfo info, Map<Long, String> uuids) {
    return new ComputeInstance(
        gpu,
        gpuInstanceId,
        info.id(),
        info.profileId(),
        info.placement(),
        uuids.getOrDefault(key(gpuInstanceId, info.id()), ""));
  }

  /** The error {@code nvidia-smi -r} reports in words. */
  static DriverError resetError(String output) {
    String text = output.toLowerCase(Locale.ROOT);
    if (text.contains("in use by another client")
        || text.contains("currently in use")
        || text.contains("being used")) {
      return DriverError.IN_USE;
    }
    if (text.contains("insufficient permissions") || text.contains("permission denied")) {
      return DriverError.NO_PERMISSION;
    }
    if (text.contains("not supported")) {
      return DriverError.NOT_SUPPORTED;
    }
    return DriverError.UNKNOWN;
  }
}
