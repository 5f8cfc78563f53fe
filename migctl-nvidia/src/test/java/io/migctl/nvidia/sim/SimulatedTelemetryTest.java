package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.job.MigSlot;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedTelemetryTest {

  private static final String SPEC = "a100-40gb:1,h100-80gb:1";
  private static final int A100 = 0;
  private static final int H100 = 1;

  /** When the test's holders started; pids not in here are unknown to the "OS". */
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final Map<Long, Instant> starts = new HashMap<>();
  private final SimulatedMigDriver node =
      SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(SPEC));
  private final SimulatedTelemetry telemetry =
      new SimulatedTelemetry(node, pid -> Optional.ofNullable(starts.get(pid)));

  /** A GPU instance of {@code profile} with one compute instance of {@code ciSlices}. */
  private static ComputeInstance device(
      SimulatedMigDriver d, int gpu, String profile, int ciSlices) {
    GpuInstanceProfile p = d.migModel(gpu).profile(ProfileName.parse(profile)).orElseThrow();
    GpuInstance gi = d.createGpuInstance(gpu, p.id(), Optional.empty());
    return computeInstance(d, gi, p, ciSlices);
  }

  private static ComputeInstance computeInstance(
      SimulatedMigDriver d, GpuInstance gi, GpuInstanceProfile p, int ciSlices) {
    ComputeInstanceProfile cp =
        ComputeInstanceProfile.of(p).stream()
            .filter(c -> c.computeSlices() == ciSlices)
            .findFirst()
            .orElseThrow();
    return d.createComputeInstance(gi.gpu(), gi.id(), cp.id(), Optional.empty());
  }

  /** A GPU instance of {@code profile} (two compute slices) split into two 1-slice instances. */
  private static List<ComputeInstance> splitInTwo(SimulatedMigDriver d, int gpu, String profile) {
    GpuInstanceProfile p = d.migModel(gpu).profile(ProfileName.parse(profile)).orElseThrow();
    GpuInstance split = d.createGpuInstance(gpu, p.id(), Optional.empty());
    return List.of(computeInstance(d, split, p, 1), computeInstance(d, split, p, 1));
  }

  private static MigTelemetry of(TelemetrySample s, ComputeInstance ci) {
    return s.instance(ci.uuid()).orElseThrow(() -> new AssertionError("no " + ci.uuid()));
  }

  private static List<Instant> everySecond(Instant from, int seconds) {
    List<Instant> out = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      out.add(from.plusSeconds(i));
    }
    return out;
  }

  @Test
  void withoutHoldersNothingIsUsedAndHopperEnginesIdle() {
    ComputeInstance a = device(node, A100, "3g.20gb", 3);
    ComputeInstance h = device(node, H100, "3g.40gb", 3);
    for (Instant at : everySecond(T0, 120)) {
      TelemetrySample s = telemetry.sample(at);
      assertThat(of(s, a).fbUsedMiB()).isZero();
      assertThat(of(s, h).fbUsedMiB()).isZero();
      assertThat(of(s, a).processes()).isZero();
      assertThat(of(s, a).grEngineActive()).as("Ampere has no GPM").isEmpty();
      assertThat(of(s, h).grEngineActive()).as("at %s", at).isPresent();
      assertThat(of(s, h).grEngineActive().getAsDouble()).isBetween(0.0, 0.05);
    }
  }

  @Test
  void heldDevicesFillTheirMemoryOverTimeWithinTheTotal() {
    ComputeInstance a = device(node, A100, "3g.20gb", 3);
    starts.put(4242L, T0);
    node.hold(a.uuid(), 4242);

    long previous = 0;
    for (int s = 1; s <= SimulatedTelemetry.RAMP_SECONDS; s += 3) {
      MigTelemetry m = of(telemetry.sample(T0.plusSeconds(s)), a);
      assertThat(m.fbUsedMiB()).as("%d s after the start", s).isGreaterThan(previous);
      assertThat(m.fbUsedMiB()).isLessThanOrEqualTo(m.fbTotalMiB());
      assertThat(m.processes()).isEqualTo(1);
      previous = m.fbUsedMiB();
    }
    for (Instant at : everySecond(T0.plus(Duration.ofMinutes(1)), 300)) {
      MigTelemetry m = of(telemetry.sample(at), a);
      assertThat(m.fbTotalMiB()).isEqualTo(19968);
      assertThat(m.fbUsedFraction()).as("at %s", at).isBetween(0.30, 0.85);
    }
    // Before its first holder started, a device has only a context.
    MigTelemetry early = of(telemetry.sample(T0.minusSeconds(5)), a);
    assertThat(early.fbUsedMiB()).isPositive().isLessThan(previous);
  }

  @Test
  void holdersTheOsDoesNotKnowAreJobsThatRestartEveryTenMinutes() {
    ComputeInstance h = device(node, H100, "1g.10gb", 1);
    node.hold(h.uuid(), 99_999_999L);
    List<Long> used = new ArrayList<>();
    for (Instant at : everySecond(T0, SimulatedTelemetry.CYCLE_SECONDS + 1)) {
      MigTelemetry m = of(telemetry.sample(at), h);
      assertThat(m.fbUsedMiB()).isPositive().isLessThanOrEqualTo(m.fbTotalMiB());
      used.add(m.fbUsedMiB());
    }
    // One restart per cycle: the footprint falls back to a context once and ramps up again.
    int restarts = 0;
    for (int i = 1; i < used.size(); i++) {
      restarts += used.get(i) < used.get(i - 1) / 2 ? 1 : 0;
    }
    assertThat(restarts).isBetween(1, 2);
    long total = of(telemetry.sample(T0), h).fbTotalMiB();
    assertThat(used.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isGreaterThanOrEqualTo(total * 30 / 100);
  }

  @Test
  void theSameStateAndInstantGiveTheSameSample() {
    ComputeInstance a = device(node, A100, "3g.20gb", 3);
    ComputeInstance h = device(node, H100, "3g.40gb", 3);
    starts.put(7L, T0);
    node.hold(a.uuid(), 7);
    node.hold(h.uuid(), 8);
    Instant at = T0.plusSeconds(95).plusMillis(250);

    TelemetrySample first = telemetry.sample(at);
    SimulatedTelemetry another =
        new SimulatedTelemetry(node, pid -> Optional.ofNullable(starts.get(pid)));
    assertThat(another.sample(at)).isEqualTo(first);
    assertThat(telemetry.sample(at)).isEqualTo(first);
    assertThat(telemetry.sample(at.plusSeconds(3))).isNotEqualTo(first);
    assertThat(first.simulated()).isTrue();
    assertThat(first.at()).isEqualTo(at);
  }

  @Test
  void parentValuesArePresentAndRiseWithBusyComputeSlices() {
    ComputeInstance a = device(node, A100, "3g.20gb", 3);
    ComputeInstance h = device(node, H100, "4g.40gb", 4);
    Instant at = T0.plusSeconds(60);
    TelemetrySample idle = telemetry.sample(at);
    for (GpuTelemetry g : idle.gpus()) {
      assertThat(g.driverVersion()).isEqualTo("simulated");
      assertThat(g.temperatureC()).hasValue(30);
      assertThat(g.powerW()).hasValue(60);
      assertThat(g.smClockMHz()).isPresent();
      assertThat(g.memClockMHz()).isPresent();
      assertThat(g.fbTotalMiB()).hasValue(node.gpus().get(g.index()).memoryMiB());
      assertThat(g.fbUsedMiB()).hasValue(0);
      assertThat(g.utilizationPercent()).as("not with MIG on").isEmpty();
      assertThat(g.lastXid()).isEmpty();
      assertThat(g.productName()).isEqualTo(node.gpus().get(g.index()).productName());
      assertThat(g.uuid()).isEqualTo(node.gpus().get(g.index()).uuid());
    }
    assertThat(idle.gpu(A100).orElseThrow().smClockMHz()).hasValue(1410);
    assertThat(idle.gpu(H100).orElseThrow().smClockMHz()).hasValue(1980);

    starts.put(11L, T0);
    node.hold(h.uuid(), 11);
    TelemetrySample busy = telemetry.sample(at);
    GpuTelemetry before = idle.gpu(H100).orElseThrow();
    GpuTelemetry after = busy.gpu(H100).orElseThrow();
    assertThat(after.temperatureC().orElseThrow())
        .isGreaterThan(before.temperatureC().orElseThrow());
    assertThat(after.powerW().orElseThrow()).isGreaterThan(before.powerW().orElseThrow() + 50);
    assertThat(after.powerW().orElseThrow()).isLessThanOrEqualTo(700);
    assertThat(after.fbUsedMiB().orElseThrow()).isEqualTo(of(busy, h).fbUsedMiB()).isPositive();
    assertThat(busy.gpu(A100)).isEqualTo(idle.gpu(A100));

    starts.put(12L, T0);
    node.hold(a.uuid(), 12);
    GpuTelemetry a100Busy = telemetry.sample(at).gpu(A100).orElseThrow();
    assertThat(a100Busy.temperatureC().orElseThrow())
        .isGreaterThan(idle.gpu(A100).orElseThrow().temperatureC().orElseThrow());
  }

  @Test
  void heldHopperEnginesAreActiveAndAmpereReportsNone() {
    ComputeInstance a = device(node, A100, "7g.40gb", 7);
    ComputeInstance h = device(node, H100, "7g.80gb", 7);
    node.hold(a.uuid(), 21);
    node.hold(h.uuid(), 22);
    for (Instant at : everySecond(T0, 60)) {
      TelemetrySample s = telemetry.sample(at);
      assertThat(of(s, a).grEngineActive()).isEmpty();
      assertThat(of(s, h).grEngineActive().orElseThrow()).as("at %s", at).isBetween(0.4, 0.95);
      GpuTelemetry g = s.gpu(H100).orElseThrow();
      assertThat(g.temperatureC().orElseThrow()).isBetween(50.0, 80.0);
    }
  }

  @Test
  void instancesAreTheDriversComputeInstancesNamedAsSlotsAre() {
    ComputeInstance whole = device(node, H100, "3g.40gb", 3);
    List<ComputeInstance> halves = splitInTwo(node, H100, "2g.20gb");
    ComputeInstance left = halves.get(0);
    ComputeInstance right = halves.get(1);
    GpuInstanceProfile p = node.migModel(H100).profile(ProfileName.parse("2g.20gb")).orElseThrow();
    ComputeInstance a = device(node, A100, "1g.5gb", 1);
    starts.put(31L, T0);
    node.hold(left.uuid(), 31);

    TelemetrySample s = telemetry.sample(T0.plusSeconds(40));
    List<MigSlot> slots = MigSlot.of(GpuSnapshot.readAll(node), Set.of());
    assertThat(s.instances())
        .extracting(MigTelemetry::uuid, MigTelemetry::profile, MigTelemetry::gpuInstanceId)
        .containsExactlyElementsOf(
            slots.stream()
                .map(
                    x ->
                        org.assertj.core.groups.Tuple.tuple(
                            x.uuid(), x.profile(), x.gpuInstanceId()))
                .toList());
    assertThat(s.gpu(A100).orElseThrow().instances())
        .extracting(MigTelemetry::uuid)
        .containsExactly(a.uuid());
    assertThat(s.gpu(H100).orElseThrow().instances())
        .extracting(MigTelemetry::uuid)
        .containsExactlyInAnyOrder(whole.uuid(), left.uuid(), right.uuid());
    assertThat(of(s, left).profile()).isEqualTo("1c.2g.20gb");
    assertThat(of(s, whole).profile()).isEqualTo("3g.40gb");
    assertThat(of(s, left).computeInstanceId()).isNotEqualTo(of(s, right).computeInstanceId());

    // Compute instances of one GPU instance share its memory and report the same use.
    assertThat(of(s, left).fbUsedMiB()).isPositive().isEqualTo(of(s, right).fbUsedMiB());
    assertThat(of(s, left).fbTotalMiB()).isEqualTo(p.memoryMiB());
    assertThat(of(s, left).processes()).isEqualTo(1);
    assertThat(of(s, right).processes()).isZero();
    assertThat(of(s, whole).fbUsedMiB()).isZero();
  }

  @Test
  void withMigOffThereAreNoInstancesAndUtilizationIsReported() {
    node.setMigMode(H100, false);
    for (Instant at : everySecond(T0, 60)) {
      TelemetrySample s = telemetry.sample(at);
      GpuTelemetry h = s.gpu(H100).orElseThrow();
      assertThat(h.instances()).isEmpty();
      // nothing runs with MIG off: an idle GPU, its figures consistent with its GPM ratios
      DeviceUtilization u = h.utilization();
      assertThat(u.gpuPercent().orElseThrow()).isBetween(0.0, 5.0);
      assertThat(u.gpuPercent().orElseThrow())
          .isCloseTo(100 * h.activity().grEngineActive().orElseThrow(), within(0.5));
      assertThat(u.memCopyPercent()).isPresent();
      assertThat(u.encoderPercent()).hasValue(0.0);
      assertThat(u.decoderPercent()).hasValue(0.0);
      assertConsistent(h.activity(), "whole H100 at " + at);
      // with MIG on, NVML reports no engine utilisation and no whole-GPU ratios
      GpuTelemetry a = s.gpu(A100).orElseThrow();
      assertThat(a.utilizationPercent()).isEmpty();
      assertThat(a.utilization().memCopyPercent()).isEmpty();
      assertThat(a.utilization().encoderPercent()).isEmpty();
      assertThat(a.utilization().decoderPercent()).isEmpty();
      assertThat(a.activity()).isEqualTo(ProfRatios.NONE);
    }
    // Ampere with MIG off: utilisation, but no GPM
    node.setMigMode(A100, false);
    node.resetGpu(A100);
    GpuTelemetry a = telemetry.sample(T0).gpu(A100).orElseThrow();
    assertThat(a.utilizationPercent()).isPresent();
    assertThat(a.activity()).isEqualTo(ProfRatios.NONE);
  }

  @Test
  void profilingRatiosKeepDcgmsOrderingOnHopperAndAreAbsentOnAmpere() {
    ComputeInstance held = device(node, H100, "3g.40gb", 3);
    ComputeInstance left = splitInTwo(node, H100, "2g.20gb").getFirst();
    ComputeInstance idle = device(node, H100, "1g.10gb", 1);
    ComputeInstance ampere = device(node, A100, "3g.20gb", 3);
    starts.put(51L, T0);
    node.hold(held.uuid(), 51);
    node.hold(left.uuid(), 52);
    node.hold(ampere.uuid(), 53);

    for (int i = 0; i < 3600; i += 7) {
      Instant at = T0.plusSeconds(i);
      TelemetrySample s = telemetry.sample(at);
      for (MigTelemetry m : s.gpu(H100).orElseThrow().instances()) {
        assertConsistent(m.activity(), m.uuid() + " at " + at);
      }
      assertThat(of(s, held).activity().smActive().orElseThrow()).isGreaterThan(0.25);
      assertThat(of(s, idle).activity().smActive().orElseThrow()).isLessThanOrEqualTo(0.05);
      assertThat(of(s, ampere).activity()).as("Ampere has no GPM").isEqualTo(ProfRatios.NONE);
      for (GpuTelemetry g : s.gpus()) {
        assertThat(g.activity())
            .as("with MIG on, per GPU instance only")
            .isEqualTo(ProfRatios.NONE);
        assertThat(g.utilization().gpuPercent()).isEmpty();
        assertThat(g.utilization().pcieTxBytesPerSecond()).isPresent();
        assertThat(g.utilization().pcieRxBytesPerSecond()).isPresent();
      }
    }
  }

  @Test
  void dramActivityRisesWithTheMemoryTheJobFills() {
    double previous = -1;
    for (int i = 0; i <= 10; i++) {
      double dram = SimulatedTelemetry.dramActivity(0.8, i / 10.0, 0.7);
      assertThat(dram).isGreaterThan(previous).isLessThanOrEqualTo(0.8);
      previous = dram;
    }
    // A job that has only its context has little traffic; once its memory is filled, more.
    ComputeInstance h = device(node, H100, "7g.80gb", 7);
    starts.put(61L, T0);
    node.hold(h.uuid(), 61);
    MigTelemetry early = of(telemetry.sample(T0), h);
    MigTelemetry full = of(telemetry.sample(T0.plusSeconds(SimulatedTelemetry.RAMP_SECONDS)), h);
    assertThat(full.fbUsedMiB()).isGreaterThan(early.fbUsedMiB());
    assertThat(dramPerEngine(full)).isGreaterThan(dramPerEngine(early));
  }

  @Test
  void pcieTrafficRisesWithTheLoad() {
    ComputeInstance h = device(node, H100, "7g.80gb", 7);
    Instant at = T0.plusSeconds(100);
    DeviceUtilization before = telemetry.sample(at).gpu(H100).orElseThrow().utilization();
    starts.put(71L, T0);
    node.hold(h.uuid(), 71);
    DeviceUtilization after = telemetry.sample(at).gpu(H100).orElseThrow().utilization();
    assertThat(before.pcieRxBytesPerSecond().orElseThrow()).isPositive();
    assertThat(after.pcieRxBytesPerSecond().orElseThrow())
        .isGreaterThan(100 * before.pcieRxBytesPerSecond().orElseThrow());
    assertThat(after.pcieTxBytesPerSecond().orElseThrow())
        .isGreaterThan(100 * before.pcieTxBytesPerSecond().orElseThrow())
        .isLessThan(64e9);
  }

  private static double dramPerEngine(MigTelemetry m) {
    return m.activity().dramActive().orElseThrow() / m.grEngineActive().orElseThrow();
  }

  /** Every ratio present, and DCGM's orderings between them. */
  private static void assertConsistent(ProfRatios r, String what) {
    double engine = r.grEngineActive().orElseThrow();
    double sm = r.smActive().orElseThrow();
    assertThat(sm).as("SM active <= engine: %s", what).isLessThanOrEqualTo(engine);
    assertThat(r.tensorActive().orElseThrow()).as("tensor <= SM: %s", what).isLessThanOrEqualTo(sm);
    assertThat(r.smOccupancy().orElseThrow()).as("occupancy: %s", what).isLessThanOrEqualTo(sm);
    assertThat(r.fp64Active().orElseThrow()).as("fp64: %s", what).isLessThanOrEqualTo(sm);
    assertThat(r.fp32Active().orElseThrow()).as("fp32: %s", what).isLessThanOrEqualTo(sm);
    assertThat(r.fp16Active().orElseThrow()).as("fp16: %s", what).isLessThanOrEqualTo(sm);
    assertThat(r.dramActive().orElseThrow()).as("DRAM: %s", what).isBetween(0.0, 1.0);
  }

  @Test
  void aPersistentNodeGivesTheSameTelemetryToEveryProcess(@TempDir Path home) {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse(SPEC);
    SimulatedMigDriver one = SimulatedMigDriver.persistent(spec, home);
    ComputeInstance h = device(one, H100, "3g.40gb", 3);
    one.hold(h.uuid(), 41);

    SimulatedMigDriver other = SimulatedMigDriver.persistent(spec, home);
    Instant at = T0.plusSeconds(30);
    TelemetrySample seen = new SimulatedTelemetry(other, pid -> Optional.empty()).sample(at);
    assertThat(seen).isEqualTo(new SimulatedTelemetry(one, pid -> Optional.empty()).sample(at));
    assertThat(of(seen, h).processes()).isEqualTo(1);
    assertThat(of(seen, h).fbUsedMiB()).isPositive();

    other.release(h.uuid(), Optional.empty());
    assertThat(of(new SimulatedTelemetry(one).sample(at), h).fbUsedMiB()).isZero();
  }

  @Test
  void liveHoldersRampFromWhenTheOsSaysTheyStarted() {
    ComputeInstance h = device(node, H100, "3g.40gb", 3);
    ProcessHandle self = ProcessHandle.current();
    Instant started = self.info().startInstant().orElseThrow();
    node.hold(h.uuid(), self.pid());
    SimulatedTelemetry os = new SimulatedTelemetry(node);
    long early = of(os.sample(started.plusSeconds(2)), h).fbUsedMiB();
    long later = of(os.sample(started.plusSeconds(15)), h).fbUsedMiB();
    assertThat(early).isPositive().isLessThan(later);
    assertThat(of(os.sample(started.plusSeconds(3600)), h).fbUsedFraction()).isBetween(0.3, 0.85);
  }
}
