package io.migctl.nvidia.nvml;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.job.MigSlot;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.process.ScriptedToolRunner;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NvmlTelemetry} over the C stand-in {@code src/test/c/fake_nvml.c}, built here with gcc
 * into a copy of its own (so that its state is not {@code NvmlMigDriverIT}'s). GPU 0 (MIG on)
 * reports temperature, power, clocks and PCIe; GPU 1 (MIG off) its SM clock, utilization, encoder,
 * decoder and PCIe TX. The driver's GPU resets answer from a script ({@code nvidia-smi -r} exits
 * 0). Skipped when gcc is not installed; each test leaves the stand-in as it found it.
 */
class NvmlTelemetryIT {

  private static final int P_1G_5GB = 19;
  private static final int P_2G_10GB = 14;
  private static final int P_3G_20GB = 9;
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  private static Hook hook;
  private static NvmlMigDriver driver;
  private static NvmlTelemetry telemetry;
  private static String notBuilt;

  @BeforeAll
  static void buildTheStandIn() throws IOException, InterruptedException {
    Path library;
    try {
      library = StandInBuild.ownCopy("telemetry");
    } catch (StandInBuild.GccMissing e) {
      notBuilt = e.getMessage();
      return;
    }
    hook = new Hook(library);
    ScriptedToolRunner resets = new ScriptedToolRunner();
    resets.when("nvidia-smi", "-r");
    driver = NvmlMigDriver.open(Optional.of(library), resets);
    telemetry = NvmlTelemetry.open(driver);
  }

  @AfterAll
  static void closeIt() {
    if (telemetry != null) {
      telemetry.close();
    }
    if (driver != null) {
      driver.close();
    }
    if (hook != null) {
      hook.close();
    }
  }

  @AfterEach
  void leaveTheStandInAsItWas() {
    if (driver == null) {
      return;
    }
    hook.setGpm(0, false);
    hook.setGpm(1, false);
    for (GpuInstance gi : driver.gpuInstances(0)) {
      for (ComputeInstance ci : driver.computeInstances(0, gi.id())) {
        hook.setProcess(0, gi.id(), ci.id(), 0);
        driver.destroyComputeInstance(0, gi.id(), ci.id());
      }
      driver.destroyGpuInstance(0, gi.id());
    }
    telemetry.sample(AT); // frees the GPM samples of the instances just destroyed
    assertThat(hook.gpmSamplesLive()).isZero();
  }

  private static void needsTheStandIn() {
    RequiredTools.fromEnvironment().require(notBuilt == null, () -> notBuilt);
  }

  private static ComputeInstance device(int profileId, int ciProfile) {
    GpuInstance gi = driver.createGpuInstance(0, profileId, Optional.empty());
    return driver.createComputeInstance(0, gi.id(), ciProfile, Optional.empty());
  }

  private static MigTelemetry of(TelemetrySample s, ComputeInstance ci) {
    return s.instance(ci.uuid()).orElseThrow(() -> new AssertionError("no " + ci.uuid()));
  }

  // ---------------------------------------------------------------- the GPUs

  @Test
  void readsWhatEachGpuReportsAndLeavesTheRestEmptyNotZero() {
    needsTheStandIn();
    TelemetrySample s = telemetry.sample(AT);
    assertThat(s.at()).isEqualTo(AT);
    assertThat(s.simulated()).isFalse();
    assertThat(s.gpus()).extracting(GpuTelemetry::index).containsExactly(0, 1);

    GpuTelemetry g0 = s.gpu(0).orElseThrow();
    assertThat(g0.uuid()).isEqualTo(driver.gpus().get(0).uuid());
    assertThat(g0.productName()).isEqualTo("NVIDIA A100-SXM4-40GB");
    assertThat(g0.driverVersion()).isEqualTo("550.00.fake");
    assertThat(g0.pciBusId())
        .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .matches("00000000:[0-9A-F]{2}:00\\.0");
    assertThat(g0.temperatureC()).hasValue(41);
    assertThat(g0.powerW().orElseThrow()).isCloseTo(87.654, within(1e-9));
    assertThat(g0.smClockMHz()).hasValue(1410);
    assertThat(g0.memClockMHz()).hasValue(1215);
    assertThat(g0.fbUsedMiB()).hasValue(512);
    assertThat(g0.fbTotalMiB()).hasValue(40960);
    assertThat(g0.utilizationPercent()).as("MIG is on").isEmpty();
    assertThat(g0.instances()).isEmpty();

    // GPU 1 answers NOT_SUPPORTED for temperature, power and the memory clock: empty, never 0.
    GpuTelemetry g1 = s.gpu(1).orElseThrow();
    assertThat(g1.temperatureC()).isEmpty();
    assertThat(g1.powerW()).isEmpty();
    assertThat(g1.memClockMHz()).isEmpty();
    assertThat(g1.smClockMHz()).hasValue(1095);
    assertThat(g1.utilizationPercent()).as("MIG is off").hasValue(37);
    assertThat(g1.instances()).isEmpty();
  }

  // ---------------------------------------------------------------- the MIG devices

  @Test
  void everyMigDeviceReportsItsGpuInstancesMemoryAndItsHolders() {
    needsTheStandIn();
    ComputeInstance whole = device(P_3G_20GB, 2);
    GpuInstance split = driver.createGpuInstance(0, P_2G_10GB, Optional.empty());
    ComputeInstance left = driver.createComputeInstance(0, split.id(), 0, Optional.empty());
    ComputeInstance right = driver.createComputeInstance(0, split.id(), 0, Optional.empty());
    hook.setProcess(0, split.id(), left.id(), 4242);

    TelemetrySample s = telemetry.sample(AT);
    List<MigSlot> slots = MigSlot.of(GpuSnapshot.readAll(driver), Set.of());
    assertThat(s.gpu(0).orElseThrow().instances())
        .extracting(MigTelemetry::uuid, MigTelemetry::profile)
        .containsExactlyElementsOf(
            slots.stream()
                .map(x -> org.assertj.core.groups.Tuple.tuple(x.uuid(), x.profile()))
                .toList());
    assertThat(s.instances())
        .extracting(MigTelemetry::uuid)
        .containsExactlyInAnyOrder(whole.uuid(), left.uuid(), right.uuid());

    MigTelemetry w = of(s, whole);
    assertThat(w.profile()).isEqualTo("3g.20gb");
    assertThat(w.gpuInstanceId()).isEqualTo(whole.gpuInstanceId());
    assertThat(w.computeInstanceId()).isEqualTo(whole.id());
    assertThat(w.fbTotalMiB()).isEqualTo(19968);
    assertThat(w.fbUsedMiB()).isEqualTo(13);
    assertThat(w.processes()).isZero();
    assertThat(w.grEngineActive()).as("no GPM on Ampere").isEmpty();

    MigTelemetry l = of(s, left);
    MigTelemetry r = of(s, right);
    assertThat(l.profile()).isEqualTo("1c.2g.10gb");
    assertThat(l.fbTotalMiB()).isEqualTo(9856);
    assertThat(l.fbUsedMiB()).isEqualTo(13 + 1024).isEqualTo(r.fbUsedMiB());
    assertThat(l.processes()).isEqualTo(1);
    assertThat(r.processes()).isZero();

    // The parent still reports its own values once, not per instance.
    assertThat(s.gpu(0).orElseThrow().temperatureC()).hasValue(41);
  }

  @Test
  void gpmGivesEachGpuInstancesEngineActivityFromTheSecondSampleOn() {
    needsTheStandIn();
    hook.setGpm(0, true);
    ComputeInstance busy = device(P_3G_20GB, 2);
    ComputeInstance idle = device(P_1G_5GB, 0);
    hook.setProcess(0, busy.gpuInstanceId(), busy.id(), 777);

    TelemetrySample first = telemetry.sample(AT);
    assertThat(of(first, busy).grEngineActive()).as("no previous sample yet").isEmpty();
    assertThat(of(first, idle).grEngineActive()).isEmpty();
    assertThat(hook.gpmSamplesLive()).as("one kept per GPU instance").isEqualTo(2);

    TelemetrySample second = telemetry.sample(AT.plusSeconds(5));
    assertThat(of(second, busy).grEngineActive().orElseThrow()).isCloseTo(0.75, within(1e-9));
    assertThat(of(second, idle).grEngineActive().orElseThrow()).isCloseTo(0.02, within(1e-9));
    assertRatios(of(second, busy).activity(), 0.75, 0.60, 0.40, 0.30, 0.50, 0.05, 0.20, 0.10);
    assertRatios(of(second, idle).activity(), 0.02, 0.01, 0.01, 0.0, 0.03, 0.0, 0.01, 0.0);
    assertThat(second.gpu(0).orElseThrow().activity())
        .as("with MIG on, GPM is read per GPU instance, not for the GPU")
        .isEqualTo(ProfRatios.NONE);
    assertThat(hook.gpmSamplesLive()).isEqualTo(2);

    // A destroyed GPU instance's sample is freed with the next reading.
    driver.destroyComputeInstance(0, idle.gpuInstanceId(), idle.id());
    driver.destroyGpuInstance(0, idle.gpuInstanceId());
    TelemetrySample third = telemetry.sample(AT.plusSeconds(10));
    assertThat(third.instances()).extracting(MigTelemetry::uuid).containsExactly(busy.uuid());
    assertThat(hook.gpmSamplesLive()).isEqualTo(1);

    // Where GPM stops answering, activity is empty again, and the kept sample is freed.
    hook.setGpm(0, false);
    TelemetrySample fourth = telemetry.sample(AT.plusSeconds(15));
    assertThat(of(fourth, busy).grEngineActive()).isEmpty();
    assertThat(of(fourth, busy).activity()).isEqualTo(ProfRatios.NONE);
    assertThat(hook.gpmSamplesLive()).isZero();
  }

  @Test
  void gpmGivesAGpuWithMigOffItsOwnRatiosAndLeavesAMetricItCannotComputeEmpty() {
    needsTheStandIn();
    hook.setGpm(1, true);
    TelemetrySample first = telemetry.sample(AT);
    assertThat(first.gpu(1).orElseThrow().activity()).isEqualTo(ProfRatios.NONE);
    assertThat(hook.gpmSamplesLive()).as("one kept for the whole GPU").isEqualTo(1);

    ProfRatios whole = telemetry.sample(AT.plusSeconds(5)).gpu(1).orElseThrow().activity();
    assertThat(whole.fp64Active()).as("NVML answers NOT_SUPPORTED for this metric").isEmpty();
    assertThat(whole.grEngineActive().orElseThrow()).isCloseTo(0.40, within(1e-9));
    assertThat(whole.smActive().orElseThrow()).isCloseTo(0.35, within(1e-9));
    assertThat(whole.smOccupancy().orElseThrow()).isCloseTo(0.25, within(1e-9));
    assertThat(whole.tensorActive().orElseThrow()).isCloseTo(0.15, within(1e-9));
    assertThat(whole.dramActive().orElseThrow()).isCloseTo(0.30, within(1e-9));
    assertThat(whole.fp32Active().orElseThrow()).isCloseTo(0.12, within(1e-9));
    assertThat(whole.fp16Active().orElseThrow()).isCloseTo(0.08, within(1e-9));
    assertThat(hook.gpmSamplesLive()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- engines and PCIe

  @Test
  void aGpuWithMigOffReportsItsEnginesAndPcieInBytesPerSecond() {
    needsTheStandIn();
    DeviceUtilization u = telemetry.sample(AT).gpu(1).orElseThrow().utilization();
    assertThat(u.gpuPercent()).hasValue(37);
    assertThat(u.memCopyPercent()).hasValue(12);
    assertThat(u.encoderPercent()).hasValue(3);
    assertThat(u.decoderPercent()).hasValue(5);
    assertThat(u.pcieTxBytesPerSecond()).hasValue(250 * 1024.0);
    assertThat(u.pcieRxBytesPerSecond()).as("NVML answers NOT_SUPPORTED").isEmpty();
  }

  @Test
  void aGpuWithMigOnReportsNoEngineFiguresButItsPcie() {
    needsTheStandIn();
    device(P_3G_20GB, 2);
    DeviceUtilization u = telemetry.sample(AT).gpu(0).orElseThrow().utilization();
    assertThat(u.gpuPercent()).isEmpty();
    assertThat(u.memCopyPercent()).isEmpty();
    assertThat(u.encoderPercent()).isEmpty();
    assertThat(u.decoderPercent()).isEmpty();
    assertThat(u.pcieTxBytesPerSecond()).hasValue(1200 * 1024.0);
    assertThat(u.pcieRxBytesPerSecond()).hasValue(3400 * 1024.0);
  }

  @Test
  void callsTheLibraryLacksLeaveTheirValuesEmptyNotZero() throws Exception {
    needsTheStandIn();
    Path old =
        StandInBuild.gcc(
            StandInBuild.source(),
            Path.of("target/fake-nvml/old-driver/libnvidia-ml.so.1").toAbsolutePath(),
            "FAKE_NVML_OLD_DRIVER");
    try (Hook oldHook = new Hook(old);
        NvmlMigDriver oldDriver = NvmlMigDriver.open(Optional.of(old));
        NvmlTelemetry oldTelemetry = NvmlTelemetry.open(oldDriver)) {
      oldHook.setGpm(1, true);
      oldTelemetry.sample(AT);
      oldHook.emitXid(1, 79);
      GpuTelemetry g1 = oldTelemetry.sample(AT.plusSeconds(5)).gpu(1).orElseThrow();
      assertThat(g1.utilization())
          .as("only nvmlDeviceGetUtilizationRates is there")
          .isEqualTo(
              new DeviceUtilization(
                  OptionalDouble.of(37),
                  OptionalDouble.of(12),
                  OptionalDouble.empty(),
                  OptionalDouble.empty(),
                  OptionalDouble.empty(),
                  OptionalDouble.empty()));
      assertThat(g1.activity()).as("no nvmlGpmSampleGet").isEqualTo(ProfRatios.NONE);
      assertThat(g1.lastXid()).as("no event sets").isEmpty();
      assertThat(oldHook.gpmSamplesLive()).isZero();
    }
  }

  // ---------------------------------------------------------------- XID events

  @Test
  void theLastXidOfEachGpuComesFromTheEventSet() {
    needsTheStandIn();
    int setsBefore = hook.eventSetsLive();
    try (NvmlTelemetry own = NvmlTelemetry.open(driver)) {
      hook.emitXid(0, 13);
      assertThat(own.sample(AT).gpus())
          .as("an XID raised before the set was registered is not seen")
          .allSatisfy(g -> assertThat(g.lastXid()).isEmpty());
      assertThat(hook.eventSetsLive()).isEqualTo(setsBefore + 1);

      hook.emitXid(0, 31);
      hook.emitXid(1, 48);
      hook.emitXid(0, 43);
      TelemetrySample s = own.sample(AT.plusSeconds(5));
      assertThat(s.gpu(0).orElseThrow().lastXid()).hasValue(43);
      assertThat(s.gpu(1).orElseThrow().lastXid()).hasValue(48);

      // Without new events the last XID stays.
      assertThat(own.sample(AT.plusSeconds(10)).gpu(0).orElseThrow().lastXid()).hasValue(43);
    }
    assertThat(hook.eventSetsLive()).as("closing frees the set").isEqualTo(setsBefore);
  }

  @Test
  void theEventSetIsMadeAnewAfterTheDriverResetsAGpu() {
    needsTheStandIn();
    telemetry.sample(AT); // the shared telemetry has its set before counting
    int setsBefore = hook.eventSetsLive();
    int staleUses = hook.staleEventSetUses();
    try (NvmlTelemetry own = NvmlTelemetry.open(driver)) {
      own.sample(AT);
      driver.resetGpu(1); // shuts NVML down and initialises it again: the set is void
      telemetry.sample(AT); // the shared telemetry's set too
      hook.emitXid(1, 79);
      assertThat(own.sample(AT.plusSeconds(5)).gpu(1).orElseThrow().lastXid()).isEmpty();
      hook.emitXid(1, 94);
      assertThat(own.sample(AT.plusSeconds(10)).gpu(1).orElseThrow().lastXid()).hasValue(94);
      assertThat(hook.eventSetsLive()).as("the void set was freed").isEqualTo(setsBefore + 1);
      assertThat(hook.staleEventSetUses())
          .as("the void set was freed without being waited on first")
          .isEqualTo(staleUses);
    }
  }

  @Test
  void theEventSetIsMadeAnewWhenNvmlSaysTheGpuWasLost() {
    needsTheStandIn();
    try (NvmlTelemetry own = NvmlTelemetry.open(driver)) {
      hook.emitXid(0, 1);
      own.sample(AT);
      hook.emitXid(0, 45);
      assertThat(own.sample(AT.plusSeconds(5)).gpu(0).orElseThrow().lastXid()).hasValue(45);
      int sets = hook.eventSetsLive();

      hook.resetGpu(0); // behind NVML's back: the set answers GPU_IS_LOST
      hook.emitXid(0, 79);
      assertThat(own.sample(AT.plusSeconds(10)).gpu(0).orElseThrow().lastXid())
          .as("raised while no set was registered: missed, the last one seen stays")
          .hasValue(45);
      hook.emitXid(0, 63);
      assertThat(own.sample(AT.plusSeconds(15)).gpu(0).orElseThrow().lastXid()).hasValue(63);
      assertThat(hook.eventSetsLive()).as("the lost set was freed").isEqualTo(sets);
    }
  }

  @Test
  void closingFreesTheKeptSamplesAndEndsSampling() {
    needsTheStandIn();
    hook.setGpm(0, true);
    device(P_3G_20GB, 2);
    NvmlTelemetry own = NvmlTelemetry.open(driver);
    own.sample(AT);
    assertThat(hook.gpmSamplesLive()).isEqualTo(1);
    own.close();
    own.close();
    assertThat(hook.gpmSamplesLive()).isZero();
    assertThatThrownBy(() -> own.sample(AT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // The driver and the other telemetry are unaffected.
    assertThat(telemetry.sample(AT).gpu(0).orElseThrow().temperatureC()).hasValue(41);
  }

  @Test
  void theNewLayoutsAreTheHeadersOnLp64() {
    assertThat(NvmlLibrary.UTILIZATION.byteSize()).isEqualTo(8);
    assertThat(NvmlLibrary.UTILIZATION.byteOffset(groupElement("memory"))).isEqualTo(4);
    assertThat(NvmlLibrary.GPM_SUPPORT.byteSize()).isEqualTo(8);
    assertThat(NvmlLibrary.GPM_METRIC.byteSize()).isEqualTo(40);
    assertThat(NvmlLibrary.GPM_METRIC.byteOffset(groupElement("nvmlReturn"))).isEqualTo(4);
    assertThat(NvmlLibrary.GPM_METRIC.byteOffset(groupElement("value"))).isEqualTo(8);
    assertThat(NvmlLibrary.GPM_METRIC.byteOffset(groupElement("metricInfo"))).isEqualTo(16);
    assertThat(NvmlLibrary.GPM_METRICS_GET.byteOffset(groupElement("sample1"))).isEqualTo(8);
    assertThat(NvmlLibrary.GPM_METRICS_GET.byteOffset(groupElement("sample2"))).isEqualTo(16);
    assertThat(NvmlLibrary.GPM_METRICS_GET.byteOffset(groupElement("metrics"))).isEqualTo(24);
    assertThat(NvmlLibrary.GPM_METRICS_GET.byteSize()).isEqualTo(24 + 98 * 40);
    assertThat(NvmlLibrary.EVENT_DATA.byteSize()).isEqualTo(32);
    assertThat(NvmlLibrary.EVENT_DATA.byteOffset(groupElement("eventType"))).isEqualTo(8);
    assertThat(NvmlLibrary.EVENT_DATA.byteOffset(groupElement("eventData"))).isEqualTo(16);
    assertThat(NvmlLibrary.EVENT_DATA.byteOffset(groupElement("gpuInstanceId"))).isEqualTo(24);
  }

  private static void assertRatios(ProfRatios r, double... expected) {
    List<OptionalDouble> actual =
        List.of(
            r.grEngineActive(),
            r.smActive(),
            r.smOccupancy(),
            r.tensorActive(),
            r.dramActive(),
            r.fp64Active(),
            r.fp32Active(),
            r.fp16Active());
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual.get(i).orElseThrow()).as("ratio " + i).isCloseTo(expected[i], within(1e-9));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The stand-in's test hooks, bound through its own lookup (test code only). */
  @SuppressWarnings("restricted")
  private static final class Hook implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final SymbolLookup lookup;

    Hook(Path library) {
      lookup = SymbolLookup.libraryLookup(library, arena);
    }

    void setProcess(int gpu, int gpuInstanceId, int computeInstanceId, int pid) {
      succeed("fakeNvmlSetProcess", gpu, gpuInstanceId, computeInstanceId, pid);
    }

    void setGpm(int gpu, boolean on) {
      succeed("fakeNvmlSetGpm", gpu, on ? 1 : 0);
    }

    void emitXid(int gpu, int xid) {
      succeed("fakeNvmlEmitXid", gpu, xid);
    }

    void resetGpu(int gpu) {
      succeed("fakeNvmlResetGpu", gpu);
    }

    int gpmSamplesLive() {
      return call("fakeNvmlGpmSamplesLive");
    }

    int eventSetsLive() {
      return call("fakeNvmlEventSetsLive");
    }

    int staleEventSetUses() {
      return call("fakeNvmlStaleEventSetUses");
    }

    private void succeed(String hook, int... args) {
      assertThat(call(hook, args)).as(hook).isZero();
    }

    /** Calls {@code int hook(int, …)}. */
    private int call(String hook, int... args) {
      MemoryLayout[] ints = new MemoryLayout[args.length];
      Arrays.fill(ints, JAVA_INT);
      MethodHandle h =
          Linker.nativeLinker()
              .downcallHandle(
                  lookup.find(hook).orElseThrow(), FunctionDescriptor.of(JAVA_INT, ints));
      try {
        return (int) h.invokeWithArguments(Arrays.stream(args).boxed().toArray());
      } catch (Throwable t) {
        throw new AssertionError(hook + " failed", t);
      }
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
