package io.migctl.nvidia.sim;

import io.migctl.core.job.MigSlot;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.metrics.TelemetrySource;
import io.migctl.core.mig.Architecture;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Telemetry of the simulated node: synthetic but plausible values, driven by what runs on it (the
 * holders of its MIG devices, see {@link SimulatedMigDriver#hold}), and a pure function of the
 * node's state, the processes' start times and the instant asked for: no clock is read, nothing is
 * random, so the same state and instant give the same sample.
 *
 * <h2>The model</h2>
 *
 * <p>Every number below comes from a hash of the MIG device's UUID, the holders' pids and the
 * instant; "{@code u}" is such a hash mapped to [0, 1).
 *
 * <ul>
 *   <li><b>When a holder started.</b> A holder that is a live process (looked up through {@link
 *       ProcessHandle}) started when the operating system says; one it does not know (a pid given
 *       to {@code migctl sim hold}) is modelled as a job that restarts every 600 s, at an offset
 *       derived from pid and UUID. A MIG device's footprint starts with its earliest holder.
 *   <li><b>Framebuffer of a MIG device.</b> 0 MiB without holders. With holders it starts at a CUDA
 *       context's 4 % of the device's memory and ramps up (ease-out) over 20 s to a plateau of
 *       {@code 0.33 + 0.49·u} of it (33–82 %), on which it wobbles by ±3 % of it (a sine of the
 *       time); it never exceeds the total. A device's memory is its share of its GPU instance's
 *       (compute slices over the instance's); as with NVML, every compute instance of a GPU
 *       instance reports the instance's total and the sum of its compute instances' footprints.
 *   <li><b>Engine activity</b> ({@code grEngineActive}, as NVML's GPM reports it per GPU instance,
 *       so only on Hopper and later; empty on Ampere): an idle compute instance {@code 0.05·u}
 *       (re-drawn every 5 s), a held one {@code 0.55 + 0.25·u} plus a ±0.12 sine, kept in 0.4–0.95.
 *       A GPU instance reports the slice-weighted mean of its compute instances.
 *   <li><b>The other profiling ratios</b> (SM active, occupancy, tensor, DRAM, FP64/FP32/FP16;
 *       Hopper and later, per GPU instance, see {@link Activity}): shares of the engine's activity
 *       fixed per job, so tensor ≤ SM active ≤ engine, occupancy ≤ SM active and each pipe ≤ SM
 *       active; DRAM activity rises with the share of memory the job has filled.
 *   <li><b>The parent GPU.</b> Its load is the activity of its held compute instances weighted by
 *       their compute slices over the GPU's ({@code 0..1}; 0 when nothing runs). Temperature {@code
 *       30 + 50·load} °C (whole degrees, as NVML), power {@code idle + (TDP − idle)·load} W with
 *       idle {@code min(60 W, 0.3·TDP)} and the model's TDP, SM and memory clocks fixed per model
 *       (its boost and memory clocks), whole-GPU framebuffer the sum of its GPU instances' use over
 *       the model's memory. Engine utilisation (GPU, memory copy, encoder, decoder) and whole-GPU
 *       profiling ratios only with MIG off (NVML reports neither with MIG on); then nothing runs on
 *       the simulated node and the GPU idles as an idle compute instance does: GPU % is its engine
 *       activity, memory-copy % its DRAM activity, encoder and decoder 0 %. PCIe traffic on every
 *       GPU: 2 MB/s each way when idle, plus up to 12 GB/s received and 4 GB/s sent at full load,
 *       ±10 %. Driver version {@code simulated}, no XID errors ever.
 * </ul>
 *
 * <p>Thread-safe: it holds no state besides the driver, whose every call is one transaction. Works
 * over {@link SimulatedMigDriver#inMemory} and {@link SimulatedMigDriver#persistent} nodes alike.
 */
public final class SimulatedTelemetry implements TelemetrySource {

  /** What the simulated node reports as its driver version. */
  public static final String DRIVER_VERSION = "simulated";

  /**
   * Seconds a MIG device's framebuffer takes to reach its plateau after its first holder starts.
   */
  static final int RAMP_SECONDS = 20;

  /** Period of the job that a holder unknown to the operating system is modelled as. */
  static final int CYCLE_SECONDS = 600;

  /** A CUDA context's share of a MIG device's memory, the footprint a holder has at once. */
  static final double CONTEXT_SHARE = 0.04;

  /** The amplitude of the plateau's wobble, as a share of the device's memory. */
  static final double WOBBLE_SHARE = 0.03;

  /** PCIe traffic of an idle GPU, each way (driver chatter, monitoring). */
  static final double PCIE_IDLE_BYTES_PER_SECOND = 2.0e6;

  /** Host-to-device traffic of a fully loaded GPU (input batches). */
  static final double PCIE_RX_BYTES_PER_SECOND_AT_FULL_LOAD = 12.0e9;

  /** Device-to-host traffic of a fully loaded GPU (results, checkpoints). */
  static final double PCIE_TX_BYTES_PER_SECOND_AT_FULL_LOAD = 4.0e9;

  static final double IDLE_CELSIUS = 30;
  static final double CELSIUS_PER_LOAD = 50;

  private final SimulatedMigDriver driver;
  private final LongFunction<Optional<Instant>> processStart;

  /** Telemetry of {@code driver}'s node; holders' start times come from the operating system. */
  public SimulatedTelemetry(SimulatedMigDriver driver) {
    this(driver, SimulatedTelemetry::osProcessStart);
  }

  /**
   * As {@link #SimulatedTelemetry(SimulatedMigDriver)}, with where holders' start times come from.
   *
   * @param processStart the start of a live process by pid; empty when no such process runs
   */
  SimulatedTelemetry(SimulatedMigDriver driver, LongFunction<Optional<Instant>> processStart) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.processStart = Objects.requireNonNull(processStart, "processStart");
  }

  @Override
  public TelemetrySample sample(Instant at) {
    Objects.requireNonNull(at, "at");
    List<GpuSnapshot> snapshots = GpuSnapshot.readAll(driver);
    List<GpuTelemetry> gpus = new ArrayList<>();
    for (GpuSnapshot g : snapshots) {
      gpus.add(gpu(g, at));
    }
    return new TelemetrySample(at, true, gpus);
  }

  // ---------------------------------------------------------------- the model

  /** Per-model constants: TDP in W, SM (boost) and memory clocks in MHz. */
  record Board(double tdpW, int smClockMHz, int memClockMHz) {
    double idleW() {
      return Math.min(60, 0.3 * tdpW);
    }
  }

  static Board board(GpuModel model) {
    return switch (model.key()) {
      case "a100-40gb" -> new Board(400, 1410, 1215);
      case "a100-80gb" -> new Board(400, 1410, 1593);
      case "a30-24gb" -> new Board(165, 1440, 1215);
      case "h100-80gb" -> new Board(700, 1980, 2619);
      case "h100-94gb" -> new Board(400, 1785, 2619);
      case "h200-141gb" -> new Board(700, 1980, 3201);
      case "gh200-144gb" -> new Board(900, 1980, 2619);
      case "b200-180gb" -> new Board(1000, 1965, 3996);
      case "gb200-186gb" -> new Board(1200, 2062, 3996);
      default ->
          switch (model.architecture()) {
            case AMPERE -> new Board(400, 1410, 1215);
            case HOPPER -> new Board(700, 1980, 2619);
            case BLACKWELL -> new Board(1000, 1965, 3996);
          };
    };
  }

  /** Whether the driver reports GPM engine activity for this model (Hopper and later). */
  static boolean hasGpm(GpuModel model) {
    return model.architecture() != Architecture.AMPERE;
  }

  private GpuTelemetry gpu(GpuSnapshot g, Instant at) {
    GpuModel model = g.model();
    Board board = board(model);
    boolean migOn = g.device().migMode().current();
    double seconds = seconds(at);

    Map<String, GpuSnapshot.Compute> computes = new HashMap<>();
    Map<String, Integer> gpuInstanceOf = new HashMap<>();
    Map<Integer, Long> giUsed = new HashMap<>();
    Map<Integer, Activity> giActivity = new HashMap<>();
    long fbUsed = 0;
    double load = 0;
    for (GpuSnapshot.Instance gi : g.instances()) {
      long giTotal = gi.profile().memoryMiB();
      int giSlices = gi.profile().computeSlices();
      long used = 0;
      Activity activity = Activity.ZERO;
      for (GpuSnapshot.Compute ci : gi.computeInstances()) {
        String uuid = ci.computeInstance().uuid();
        computes.put(uuid, ci);
        gpuInstanceOf.put(uuid, gi.gpuInstance().id());
        double share = (double) ci.profile().computeSlices() / giSlices;
        List<Long> pids = pids(ci);
        long footprint = footprintMiB(uuid, pids, giTotal * share, at);
        double fbShare = giTotal * share <= 0 ? 0 : footprint / (giTotal * share);
        Activity a = Activity.of(uuid, pids, seconds, fbShare);
        used += footprint;
        activity = activity.plus(share, a);
        if (!pids.isEmpty()) {
          load += a.engine() * ci.profile().computeSlices() / model.computeSlices();
        }
      }
      used = Math.min(giTotal, used);
      giUsed.put(gi.gpuInstance().id(), used);
      giActivity.put(gi.gpuInstance().id(), activity);
      fbUsed += used;
    }
    load = clamp(load, 0, 1);

    List<MigTelemetry> instances = new ArrayList<>();
    for (MigSlot slot : MigSlot.of(List.of(g), Set.of())) {
      GpuSnapshot.Compute ci = computes.get(slot.uuid());
      int gi = gpuInstanceOf.get(slot.uuid());
      instances.add(
          new MigTelemetry(
              slot.uuid(),
              slot.gpuInstanceId(),
              slot.computeInstanceId(),
              slot.profile(),
              giUsed.get(gi),
              slot.memoryMiB(),
              ci.processes().size(),
              hasGpm(model) ? giActivity.get(gi).ratios() : ProfRatios.NONE));
    }

    // With MIG off nothing runs on the simulated node: the whole GPU idles, as an idle compute
    // instance does. With MIG on NVML reports neither engine utilisation nor whole-GPU GPM.
    Activity whole = Activity.of(g.device().uuid(), List.of(), seconds, 0);
    double powerW = board.idleW() + (board.tdpW() - board.idleW()) * load;
    return new GpuTelemetry(
        g.device().index(),
        g.device().uuid(),
        g.device().productName(),
        DRIVER_VERSION,
        Optional.of(g.device().pciBusId()).filter(b -> !b.isBlank()),
        OptionalDouble.of(Math.round(IDLE_CELSIUS + CELSIUS_PER_LOAD * load)),
        OptionalDouble.of(round(powerW, 1)),
        OptionalInt.of(board.smClockMHz()),
        OptionalInt.of(board.memClockMHz()),
        OptionalLong.of(Math.min(fbUsed, g.device().memoryMiB())),
        OptionalLong.of(g.device().memoryMiB()),
        utilization(g.device().uuid(), migOn, whole, load, seconds),
        hasGpm(model) && !migOn ? whole.ratios() : ProfRatios.NONE,
        OptionalInt.empty(),
        instances);
  }

  /**
   * A GPU's engine and PCIe figures: engine utilisation only with MIG off (as NVML), from the whole
   * GPU's activity, the encoders and decoders idle (no job encodes video); PCIe traffic on every
   * GPU, a trickle when idle and rising with the load.
   */
  static DeviceUtilization utilization(
      String gpuUuid, boolean migOn, Activity whole, double load, double seconds) {
    long seed = mix(gpuUuid.hashCode() + 0x2545F4914F6CDD1DL);
    double wobble = 1 + 0.1 * Math.sin(2 * Math.PI * seconds / 13 + phase(seed));
    double rx =
        (PCIE_IDLE_BYTES_PER_SECOND + PCIE_RX_BYTES_PER_SECOND_AT_FULL_LOAD * load) * wobble;
    double tx =
        (PCIE_IDLE_BYTES_PER_SECOND + PCIE_TX_BYTES_PER_SECOND_AT_FULL_LOAD * load) * wobble;
    OptionalDouble gpu = OptionalDouble.empty();
    OptionalDouble memCopy = OptionalDouble.empty();
    OptionalDouble video = OptionalDouble.empty();
    if (!migOn) {
      gpu = OptionalDouble.of(Math.round(100 * whole.engine()));
      memCopy = OptionalDouble.of(Math.round(100 * whole.dram()));
      video = OptionalDouble.of(0);
    }
    return new DeviceUtilization(
        gpu,
        memCopy,
        video,
        video,
        OptionalDouble.of(Math.round(tx)),
        OptionalDouble.of(Math.round(rx)));
  }

  private static List<Long> pids(GpuSnapshot.Compute ci) {
    return ci.processes().stream().map(DeviceProcess::pid).sorted().toList();
  }

  /**
   * The framebuffer (MiB) a MIG device's holders use at {@code at}, out of {@code capacityMiB}: 0
   * without holders, else a context at once, ramping to a plateau with a wobble; at most the
   * capacity.
   */
  long footprintMiB(String uuid, List<Long> pids, double capacityMiB, Instant at) {
    if (pids.isEmpty() || capacityMiB <= 0) {
      return 0;
    }
    long seed = seed(uuid, pids);
    double plateau = 0.33 + 0.49 * unit(seed);
    double age = seconds(at) - seconds(firstStart(uuid, pids, at));
    double share = CONTEXT_SHARE;
    if (age > 0) {
      double x = Math.min(1, age / RAMP_SECONDS);
      double ramp = 1 - (1 - x) * (1 - x);
      share = CONTEXT_SHARE + (plateau - CONTEXT_SHARE) * ramp;
      if (age >= RAMP_SECONDS) {
        share += WOBBLE_SHARE * Math.sin(2 * Math.PI * seconds(at) / 17 + phase(seed));
      }
    }
    long mib = Math.round(capacityMiB * share);
    return Math.max(1, Math.min((long) Math.floor(capacityMiB), mib));
  }

  /** When the footprint started: the earliest holder's start. */
  private Instant firstStart(String uuid, List<Long> pids, Instant at) {
    Instant first = null;
    for (long pid : pids) {
      Instant start = processStart.apply(pid).orElseGet(() -> cycleStart(uuid, pid, at));
      if (first == null || start.isBefore(first)) {
        first = start;
      }
    }
    return first;
  }

  /**
   * The start of the current run of the job a holder the OS does not know is modelled as: the
   * latest instant at or before {@code at} that lies a whole number of cycles after an offset
   * derived from the pid and the UUID.
   */
  static Instant cycleStart(String uuid, long pid, Instant at) {
    long offset = Math.floorMod(mix(uuid.hashCode() * 31L + pid), CYCLE_SECONDS);
    long s = at.getEpochSecond();
    long start = s - Math.floorMod(s - offset, (long) CYCLE_SECONDS);
    return Instant.ofEpochSecond(start);
  }

  /** The engine activity of one compute instance, 0..1. */
  static double activity(String uuid, List<Long> pids, double seconds) {
    if (pids.isEmpty()) {
      long bucket = (long) Math.floor(seconds / 5);
      return 0.05 * unit(mix(uuid.hashCode() ^ mix(bucket)));
    }
    long seed = mix(seed(uuid, pids) + 0x5DEECE66DL);
    double a = 0.55 + 0.25 * unit(seed) + 0.12 * Math.sin(2 * Math.PI * seconds / 11 + phase(seed));
    return clamp(a, 0.4, 0.95);
  }

  /**
   * DCGM's profiling ratios of a compute instance (or of an idle whole GPU), unrounded, each 0..1.
   * The engine is {@link #activity}; the rest are shares of it that hang on the job (its holders):
   * SM active 75–95 % of the engine, occupancy 30–80 % of SM active, tensor 20–80 % of SM active,
   * FP16/FP32/FP64 up to 50/60/10 % of SM active; DRAM activity is the engine's times the memory
   * traffic, which grows with the share of its memory the job has filled ({@code 0.2 + 0.8·fb}) at
   * a per-job intensity of 50–100 %. A GPU instance reports the slice-weighted mean of its compute
   * instances' ratios, which keeps every ordering.
   */
  record Activity(
      double engine,
      double sm,
      double occupancy,
      double tensor,
      double dram,
      double fp64,
      double fp32,
      double fp16) {

    static final Activity ZERO = new Activity(0, 0, 0, 0, 0, 0, 0, 0);

    static Activity of(String uuid, List<Long> pids, double seconds, double fbShare) {
      double engine = activity(uuid, pids, seconds);
      long seed = mix(seed(uuid, pids) + 0x632BE59BD9B4E019L);
      double sm = engine * (0.75 + 0.2 * unit(mix(seed + 1)));
      return new Activity(
          engine,
          sm,
          sm * (0.3 + 0.5 * unit(mix(seed + 2))),
          sm * (0.2 + 0.6 * unit(mix(seed + 3))),
          dramActivity(engine, fbShare, 0.5 + 0.5 * unit(mix(seed + 4))),
          sm * 0.1 * unit(mix(seed + 5)),
          sm * 0.6 * unit(mix(seed + 6)),
          sm * 0.5 * unit(mix(seed + 7)));
    }

    /** This plus {@code weight} times {@code other}. */
    Activity plus(double weight, Activity other) {
      return new Activity(
          engine + weight * other.engine,
          sm + weight * other.sm,
          occupancy + weight * other.occupancy,
          tensor + weight * other.tensor,
          dram + weight * other.dram,
          fp64 + weight * other.fp64,
          fp32 + weight * other.fp32,
          fp16 + weight * other.fp16);
    }

    /** As NVML's GPM reports them: clamped to 0..1, four decimals. */
    ProfRatios ratios() {
      return new ProfRatios(
          ratio(engine),
          ratio(sm),
          ratio(occupancy),
          ratio(tensor),
          ratio(dram),
          ratio(fp64),
          ratio(fp32),
          ratio(fp16));
    }

    private static OptionalDouble ratio(double v) {
      return OptionalDouble.of(round(clamp(v, 0, 1), 4));
    }
  }

  /**
   * DRAM activity: the engine's activity times the memory traffic, {@code 0.2 + 0.8·fbShare} of the
   * job's {@code intensity}; rises with the share of memory in use.
   */
  static double dramActivity(double engine, double fbShare, double intensity) {
    return clamp(engine * intensity * (0.2 + 0.8 * clamp(fbShare, 0, 1)), 0, 1);
  }

  // ---------------------------------------------------------------- deterministic helpers

  private static long seed(String uuid, List<Long> pids) {
    long h = mix(uuid.hashCode());
    for (long pid : pids) {
      h = mix(h ^ pid);
    }
    return h;
  }

  /** SplitMix64's finaliser: a well-spread 64-bit hash of {@code z}. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A hash mapped to [0, 1). */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  private static double phase(long seed) {
    return 2 * Math.PI * unit(mix(seed ^ 0x9E3779B97F4A7C15L));
  }

  private static double seconds(Instant at) {
    return at.getEpochSecond() + at.getNano() / 1e9;
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  private static Optional<Instant> osProcessStart(long pid) {
    try {
      return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    } catch (SecurityException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }
}
