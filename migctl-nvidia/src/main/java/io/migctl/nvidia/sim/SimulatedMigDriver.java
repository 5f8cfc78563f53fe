package io.migctl.nvidia.sim;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.DriverOperation;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuTopology;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.mig.ProfileName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The simulated node: a model of NVIDIA's driver over catalog GPUs, behaving as NVML does — the
 * same profile ids and placements, GPU instances at explicit or driver-chosen placements, compute
 * instances inside them, stable {@code GPU-}/{@code MIG-} UUIDs, NVML's errors (insufficient
 * resources on overlap, in use while held, not found, invalid argument), MIG mode changes that wait
 * for a reset on Ampere and apply at once on Hopper and later.
 *
 * <p>Beyond the driver it offers what tests and demos need: processes that hold a MIG device
 * ({@link #hold}), and faults injected into the next calls of an operation ({@link #failNext}).
 *
 * <p>Topology ({@link #topology}), as {@code nvidia-smi topo -m} would show it on such a server:
 * the first half of the GPUs (by index) hang from one CPU socket and the second half from the
 * other, so a pair in the same half shares a NUMA node ({@code NODE}) and a pair across halves does
 * not ({@code SYSTEM}). NVLink joins GPUs of the same model only: SXM and superchip boards (A100,
 * A800, H100, H800, H200, H20, B200 SXM, GH200, GB200) all through one NVSwitch fabric; NVL cards
 * (H100 NVL, H800 NVL, H200 NVL) through NVLink bridges in pairs 0-1, 2-3, …; PCIe cards
 * (A100/A800/H100/ H800 PCIe, A30, RTX PRO 6000) not at all.
 *
 * <p>State lives in a {@link SimStateStore}; with a file store several processes share one node.
 * Every method is one transaction of the store, so the driver is safe to use from several threads
 * and processes.
 */
public final class SimulatedMigDriver implements MigDriver {

  private final SimulatedNodeSpec spec;
  private final List<GpuModel> models;
  private final SimStateStore store;
  private final GpuTopology topology;

  private SimulatedMigDriver(SimulatedNodeSpec spec, SimStateStore store) {
    this.spec = spec;
    this.models = spec.gpus();
    this.store = store;
    this.topology = SimulatedTopology.of(models);
  }

  /** A node whose state lives in this process only. */
  public static SimulatedMigDriver inMemory(SimulatedNodeSpec spec) {
    return new SimulatedMigDriver(spec, new InMemorySimStateStore(() -> initialState(spec)));
  }

  /**
   * A node whose state persists in {@code stateDir}, one file per spec, so that one-shot commands
   * with the same spec see each other's changes.
   */
  public static SimulatedMigDriver persistent(SimulatedNodeSpec spec, Path stateDir) {
    Path file = stateDir.resolve(spec.canonical().replace(':', '-').replace(',', '_') + ".json");
    return new SimulatedMigDriver(spec, new FileSimStateStore(file, () -> initialState(spec)));
  }

  /** The spec this node was made from. */
  public SimulatedNodeSpec spec() {
    return spec;
  }

  // ---------------------------------------------------------------- the driver

  @Override
  public List<GpuDevice> gpus() {
    return store.read(
        s -> {
          List<GpuDevice> out = new ArrayList<>();
          for (int i = 0; i < models.size(); i++) {
            out.add(device(i, s.gpus.get(i)));
          }
          return List.copyOf(out);
        });
  }

  @Override
  public GpuModel migModel(int gpu) {
    checkIndex(gpu, "read the profiles of");
    return models.get(gpu);
  }

  @Override
  public List<GpuInstance> gpuInstances(int gpu) {
    return store.read(
        s ->
            gpu(s, gpu, "list GPU instances").gpuInstances.stream()
                .map(
                    gi ->
                        new GpuInstance(gpu, gi.id, gi.profileId, new Placement(gi.start, gi.size)))
                .toList());
  }

  @Override
  public List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId) {
    return store.read(
        s -> {
          SimState.Gi gi = gi(s, gpu, gpuInstanceId, "list compute instances");
          return gi.computeInstances.stream().map(ci -> computeInstance(gpu, gi, ci)).toList();
        });
  }

  @Override
  public int remainingCapacity(int gpu, int profileId) {
    return store.read(
        s -> {
          SimState.Gpu g = gpu(s, gpu, "read remaining capacity");
          GpuInstanceProfile profile = profile(gpu, profileId, "read remaining capacity");
          if (!g.migCurrent) {
            return 0;
          }
          return new PlacementSearch(models.get(gpu)).remainingCapacity(placed(gpu, g), profile);
        });
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
    String op = DriverOperation.createGpuInstance(gpu, profileId, placement);
    injectedFault(SimOperation.CREATE_GI, op);
    return store.update(
        s -> {
          SimState.Gpu g = gpu(s, gpu, op);
          requireMig(g, op);
          GpuModel model = models.get(gpu);
          GpuInstanceProfile profile = profile(gpu, profileId, op);
          List<PlacedInstance> existing = placed(gpu, g);
          long occupied = 0;
          for (PlacedInstance p : existing) {
            occupied |= p.placement().mask();
          }
          requireRoom(
              op,
              existing.stream().filter(p -> p.profile().equals(profile)).count(),
              profile.maxCount(),
              profile.name());
          if (profile.hasMediaExtensions()
              && existing.stream().anyMatch(p -> p.profile().hasMediaExtensions())) {
            throw new MigDriverException(
                DriverError.INSUFFICIENT_RESOURCES, op, "the media extensions are taken");
          }
          if (existing.stream().anyMatch(p -> !p.profile().leavesMediaFor(profile))) {
            throw new MigDriverException(
                DriverError.INSUFFICIENT_RESOURCES,
                op,
                "beside a +me.all instance only -me instances fit");
          }
          long used = occupied;
          Placement where =
              placement(
                  op,
                  placement,
                  profile.placements(),
                  profile.name() + " may start at " + profile.placementsText(),
                  occupied,
                  () -> DriverPlacementChoice.choose(model, profile, used));
          long takenIds = 0;
          for (SimState.Gi gi : g.gpuInstances) {
            takenIds |= 1L << gi.id;
          }
          SimState.Gi gi = new SimState.Gi();
          gi.id = DriverPlacementChoice.gpuInstanceId(model, where, takenIds);
          gi.profileId = profileId;
          gi.start = where.start();
          gi.size = where.size();
          g.gpuInstances.add(gi);
          return new GpuInstance(gpu, gi.id, gi.profileId, where);
        });
  }

  @Override
  public ComputeInstance createComputeInstance(
      int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
    String op = DriverOperation.createComputeInstance(gpu, gpuInstanceId, profileId, placement);
    injectedFault(SimOperation.CREATE_CI, op);
    return store.update(
        s -> {
          SimState.Gi gi = gi(s, gpu, gpuInstanceId, op);
          GpuInstanceProfile giProfile = profile(gpu, gi.profileId, op);
          ComputeInstanceProfile profile =
              ComputeInstanceProfile.of(giProfile).stream()
                  .filter(p -> p.id() == profileId)
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new MigDriverException(
                              DriverError.INVALID_ARGUMENT,
                              op,
                              giProfile.name()
                                  + " has compute-instance profiles "
                                  + ComputeInstanceProfile.of(giProfile).stream()
                                      .map(ComputeInstanceProfile::toString)
                                      .toList()));
          long occupied = 0;
          long sameProfile = 0;
          for (SimState.Ci ci : gi.computeInstances) {
            occupied |= new Placement(ci.start, ci.size).mask();
            sameProfile += ci.profileId == profileId ? 1 : 0;
          }
          requireRoom(op, sameProfile, profile.maxCount(), profile.name());
          long used = occupied;
          Placement where =
              placement(
                  op,
                  placement,
                  profile.placements(),
                  profile.name() + " may sit at " + profile.placements(),
                  occupied,
                  () ->
                      profile.placements().stream()
                          .filter(p -> (p.mask() & used) == 0)
                          .findFirst());
          int id = 0;
          while (hasCi(gi, id)) {
            id++;
          }
          SimState.Ci ci = new SimState.Ci();
          ci.id = id;
          ci.profileId = profileId;
          ci.start = where.start();
          ci.size = where.size();
          s.creations++;
          ci.uuid =
              "MIG-"
                  + nameUuid(s.gpus.get(gpu).uuid + "/gi" + gi.id + "/ci" + id + "/" + s.creations);
          gi.computeInstances.add(ci);
          return computeInstance(gpu, gi, ci);
        });
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    String op =
        "destroy compute instance "
            + computeInstanceId
            + " of GPU instance "
            + gpuInstanceId
            + " on GPU "
            + gpu;
    injectedFault(SimOperation.DESTROY_CI, op);
    store.update(
        s -> {
          SimState.Gi gi = gi(s, gpu, gpuInstanceId, op);
          SimState.Ci ci =
              gi.computeInstances.stream()
                  .filter(c -> c.id == computeInstanceId)
                  .findFirst()
                  .orElseThrow(() -> new MigDriverException(DriverError.NOT_FOUND, op));
          if (!ci.holders.isEmpty()) {
            throw new MigDriverException(
                DriverError.IN_USE, op, ci.uuid + " is held by pid " + ci.holders);
          }
          gi.computeInstances.remove(ci);
          return null;
        });
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    String op = "destroy GPU instance " + gpuInstanceId + " on GPU " + gpu;
    injectedFault(SimOperation.DESTROY_GI, op);
    store.update(
        s -> {
          SimState.Gpu g = gpu(s, gpu, op);
          SimState.Gi gi = gi(s, gpu, gpuInstanceId, op);
          if (!gi.computeInstances.isEmpty()) {
            throw new MigDriverException(
                DriverError.IN_USE,
                op,
                "it still has " + gi.computeInstances.size() + " compute instance(s)");
          }
          g.gpuInstances.remove(gi);
          return null;
        });
  }

  @Override
  public MigMode setMigMode(int gpu, boolean enabled) {
    String op = (enabled ? "enable" : "disable") + " MIG mode on GPU " + gpu;
    injectedFault(SimOperation.SET_MODE, op);
    return store.update(
        s -> {
          SimState.Gpu g = gpu(s, gpu, op);
          if (!enabled && !g.gpuInstances.isEmpty()) {
            throw new MigDriverException(
                DriverError.IN_USE, op, g.gpuInstances.size() + " GPU instance(s) exist");
          }
          if (models.get(gpu).architecture().modeChangeNeedsReset()) {
            g.migPending = enabled;
          } else {
            if (enabled != g.migCurrent && isHeld(g)) {
              throw new MigDriverException(DriverError.IN_USE, op);
            }
            g.migCurrent = enabled;
            g.migPending = enabled;
          }
          return new MigMode(g.migCurrent, g.migPending);
        });
  }

  @Override
  public void resetGpu(int gpu) {
    String op = "reset GPU " + gpu;
    injectedFault(SimOperation.RESET, op);
    store.update(
        s -> {
          SimState.Gpu g = gpu(s, gpu, op);
          if (isHeld(g)) {
            throw new MigDriverException(DriverError.IN_USE, op, "processes hold its MIG devices");
          }
          g.gpuInstances.clear();
          g.migCurrent = g.migPending;
          return null;
        });
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    return store.read(
        s -> {
          List<DeviceProcess> out = new ArrayList<>();
          for (SimState.Gi gi : gpu(s, gpu, "list processes").gpuInstances) {
            for (SimState.Ci ci : gi.computeInstances) {
              for (long pid : ci.holders) {
                out.add(new DeviceProcess(pid, ci.uuid, 0));
              }
            }
          }
          return List.copyOf(out);
        });
  }

  /** {@inheritDoc} From the boards, by the rules in the class note; fixed for the node. */
  @Override
  public GpuTopology topology() {
    return topology;
  }

  // ---------------------------------------------------------------- simulator controls

  /**
   * Marks the MIG device as held by process {@code pid}, as a running job would.
   *
   * @return the GPU index the device is on
   * @throws MigDriverException NOT_FOUND when no MIG device has this UUID
   */
  public int hold(String migUuid, long pid) {
    return store.update(
        s -> {
          Located at = locate(s, migUuid, "hold " + migUuid);
          if (!at.ci.holders.contains(pid)) {
            at.ci.holders.add(pid);
          }
          return at.gpu;
        });
  }

  /**
   * Releases the MIG device: from {@code pid}, or from every holder when {@code pid} is empty.
   *
   * @return how many holders were released
   */
  public int release(String migUuid, Optional<Long> pid) {
    return store.update(
        s -> {
          Located at = locate(s, migUuid, "release " + migUuid);
          int before = at.ci.holders.size();
          if (pid.isPresent()) {
            at.ci.holders.remove(pid.get());
          } else {
            at.ci.holders.clear();
          }
          return before - at.ci.holders.size();
        });
  }

  /** Makes the next {@code times} calls of {@code operation} fail with {@code error}. */
  public void failNext(SimOperation operation, DriverError error, int times) {
    failNext(operation, error, times, 0);
  }

  /**
   * Makes {@code times} calls of {@code operation} fail with {@code error}, after letting the next
   * {@code after} calls of it through: {@code after = 2, times = 1} fails the third call from now.
   *
   * <p>Every armed fault counts the calls of its operation on its own, whether or not another fault
   * failed them, so a second fault can aim at a later call (for example one made while an apply
   * undoes what a first fault interrupted). A call that several faults are due for fails once, with
   * the error of the one armed first, and counts for each of them.
   *
   * @throws IllegalArgumentException when {@code times} is below 1 or {@code after} below 0
   */
  public void failNext(SimOperation operation, DriverError error, int times, int after) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1, was " + times);
    }
    if (after < 0) {
      throw new IllegalArgumentException("after must be 0 or more, was " + after);
    }
    store.update(
        s -> {
          SimState.Fault f = new SimState.Fault();
          f.operation = operation.name();
          f.error = error.name();
          f.remaining = times;
          f.after = after;
          s.faults.add(f);
          return null;
        });
  }

  /** Returns the node to its initial state: MIG enabled everywhere, no instances, no faults. */
  public void resetState() {
    store.clear();
  }

  // ---------------------------------------------------------------- internals

  private record Located(int gpu, SimState.Ci ci) {}

  private static SimState initialState(SimulatedNodeSpec spec) {
    SimState s = new SimState();
    s.spec = spec.canonical();
    List<Boolean> migOn = spec.migOnAtStart();
    for (int i = 0; i < migOn.size(); i++) {
      SimState.Gpu g = new SimState.Gpu();
      g.uuid = "GPU-" + nameUuid("migctl simulated node " + spec.canonical() + " gpu " + i);
      g.migCurrent = migOn.get(i);
      g.migPending = migOn.get(i);
      s.gpus.add(g);
    }
    return s;
  }

  private GpuDevice device(int index, SimState.Gpu g) {
    GpuModel model = models.get(index);
    return new GpuDevice(
        index,
        g.uuid,
        model.productName(),
        String.format(Locale.ROOT, "00000000:%02X:00.0", index + 1),
        model.pciDeviceId(),
        model.pciDeviceId(),
        model.memoryMiB(),
        new MigMode(g.migCurrent, g.migPending));
  }

  private void injectedFault(SimOperation operation, String op) {
    Optional<DriverError> error =
        store.update(
            s -> {
              DriverError due = null;
              for (Iterator<SimState.Fault> it = s.faults.iterator(); it.hasNext(); ) {
                SimState.Fault f = it.next();
                if (!f.operation.equals(operation.name())) {
                  continue;
                }
                if (f.after > 0) {
                  f.after--;
                  continue;
                }
                if (due == null) {
                  due = DriverError.valueOf(f.error);
                }
                f.remaining--;
                if (f.remaining <= 0) {
                  it.remove();
                }
              }
              return Optional.ofNullable(due);
            });
    if (error.isPresent()) {
      throw new MigDriverException(error.get(), op, "injected by 'migctl sim fail-next'");
    }
  }

  private void checkIndex(int gpu, String what) {
    if (gpu < 0 || gpu >= models.size()) {
      throw new MigDriverException(
          DriverError.INVALID_ARGUMENT,
          what + " GPU " + gpu,
          "this node has GPUs 0.." + (models.size() - 1));
    }
  }

  private SimState.Gpu gpu(SimState s, int gpu, String op) {
    checkIndex(gpu, op + ":");
    if (s.gpus.size() != models.size()) {
      throw new IllegalStateException(
          "the simulated node's saved state has "
              + s.gpus.size()
              + " GPUs but its spec "
              + spec
              + " has "
              + models.size()
              + "; run 'migctl sim reset-state'");
    }
    return s.gpus.get(gpu);
  }

  private SimState.Gi gi(SimState s, int gpu, int gpuInstanceId, String op) {
    SimState.Gpu g = gpu(s, gpu, op);
    requireMig(g, op);
    return g.gpuInstances.stream()
        .filter(gi -> gi.id == gpuInstanceId)
        .findFirst()
        .orElseThrow(
            () ->
                new MigDriverException(
                    DriverError.NOT_FOUND,
                    op,
                    "GPU " + gpu + " has no GPU instance " + gpuInstanceId));
  }

  private static void requireMig(SimState.Gpu g, String op) {
    if (!g.migCurrent) {
      throw new MigDriverException(DriverError.NOT_SUPPORTED, op, "MIG mode is disabled");
    }
  }

  private GpuInstanceProfile profile(int gpu, int profileId, String op) {
    return models
        .get(gpu)
        .profile(profileId)
        .orElseThrow(
            () ->
                new MigDriverException(
                    DriverError.INVALID_ARGUMENT,
                    op,
                    "no profile " + profileId + " on " + models.get(gpu).name()));
  }

  private List<PlacedInstance> placed(int gpu, SimState.Gpu g) {
    GpuModel model = models.get(gpu);
    return g.gpuInstances.stream()
        .map(
            gi ->
                new PlacedInstance(
                    model.profile(gi.profileId).orElseThrow(), new Placement(gi.start, gi.size)))
        .toList();
  }

  private static void requireRoom(String op, long existing, int maxCount, ProfileName profile) {
    if (existing >= maxCount) {
      throw new MigDriverException(
          DriverError.INSUFFICIENT_RESOURCES, op, maxCount + " × " + profile + " exist already");
    }
  }

  /**
   * The placement asked for, checked against the allowed ones and the occupied slices; or, when
   * none was asked for, the driver's choice.
   */
  private static Placement placement(
      String op,
      Optional<Placement> asked,
      List<Placement> allowed,
      String allowedText,
      long occupied,
      Supplier<Optional<Placement>> driverChoice) {
    if (asked.isEmpty()) {
      return driverChoice
          .get()
          .orElseThrow(() -> new MigDriverException(DriverError.INSUFFICIENT_RESOURCES, op));
    }
    Placement where = asked.get();
    if (!allowed.contains(where)) {
      throw new MigDriverException(DriverError.INVALID_ARGUMENT, op, allowedText);
    }
    if ((where.mask() & occupied) != 0) {
      throw new MigDriverException(
          DriverError.INSUFFICIENT_RESOURCES, op, "slices " + where.slicesText() + " are in use");
    }
    return where;
  }

  private static boolean hasCi(SimState.Gi gi, int id) {
    return gi.computeInstances.stream().anyMatch(c -> c.id == id);
  }

  private static boolean isHeld(SimState.Gpu g) {
    return g.gpuInstances.stream()
        .flatMap(gi -> gi.computeInstances.stream())
        .anyMatch(ci -> !ci.holders.isEmpty());
  }

  private static ComputeInstance computeInstance(int gpu, SimState.Gi gi, SimState.Ci ci) {
    return new ComputeInstance(
        gpu, gi.id, ci.id, ci.profileId, new Placement(ci.start, ci.size), ci.uuid);
  }

  private Located locate(SimState s, String migUuid, String op) {
    for (int i = 0; i < s.gpus.size(); i++) {
      for (SimState.Gi gi : s.gpus.get(i).gpuInstances) {
        for (SimState.Ci ci : gi.computeInstances) {
          if (ci.uuid.equalsIgnoreCase(migUuid.strip())) {
            return new Located(i, ci);
          }
        }
      }
    }
    throw new MigDriverException(
        DriverError.NOT_FOUND, op, "no MIG device with this UUID on the simulated node " + spec);
  }

  /** A name-based (version 5, SHA-1) UUID, so the same name always gives the same UUID. */
  private static String nameUuid(String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      long msb = 0;
      long lsb = 0;
      for (int i = 0; i < 8; i++) {
        msb = (msb << 8) | (h[i] & 0xff);
        lsb = (lsb << 8) | (h[i + 8] & 0xff);
      }
      return new UUID(msb, lsb).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
