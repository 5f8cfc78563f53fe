package io.migctl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TelemetryRecordsTest {

  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  private static MigTelemetry mig(String uuid, long used, long total, OptionalDouble active) {
    return new MigTelemetry(uuid, 1, 0, "3g.20gb", used, total, 0, ProfRatios.engineOnly(active));
  }

  private static GpuTelemetry gpu(int index, List<MigTelemetry> instances) {
    return new GpuTelemetry(
        index,
        "GPU-" + index,
        "NVIDIA A100-SXM4-40GB",
        "550.54.15",
        Optional.of("00000000:07:00.0"),
        OptionalDouble.of(41),
        OptionalDouble.of(87.5),
        OptionalInt.of(1410),
        OptionalInt.of(1215),
        OptionalLong.empty(),
        OptionalLong.empty(),
        DeviceUtilization.gpuOnly(OptionalDouble.empty()),
        ProfRatios.NONE,
        OptionalInt.empty(),
        instances);
  }

  private static GpuTelemetry gpuWith(OptionalDouble temperature, OptionalDouble utilization) {
    return new GpuTelemetry(
        0,
        "GPU-0",
        "x",
        "y",
        Optional.empty(),
        temperature,
        OptionalDouble.empty(),
        OptionalInt.empty(),
        OptionalInt.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        DeviceUtilization.gpuOnly(utilization),
        ProfRatios.NONE,
        OptionalInt.empty(),
        List.of());
  }

  @Test
  void aMigDevicesFramebufferUseLiesWithinItsTotal() {
    assertThat(mig("MIG-a", 0, 19968, OptionalDouble.empty()).fbUsedFraction()).isZero();
    assertThat(mig("MIG-a", 19968, 19968, OptionalDouble.empty()).fbUsedFraction()).isEqualTo(1);
    assertThat(mig("MIG-a", 0, 0, OptionalDouble.empty()).fbUsedFraction()).isZero();
    assertThatThrownBy(() -> mig("MIG-a", 19969, 19968, OptionalDouble.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MIG-a")
        .hasMessageContaining("19969 of 19968");
    assertThatThrownBy(() -> mig("MIG-a", -1, 19968, OptionalDouble.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void engineActivityIsAShareOrEmpty() {
    assertThat(mig("MIG-a", 0, 1, OptionalDouble.of(0)).grEngineActive()).hasValue(0);
    assertThat(mig("MIG-a", 0, 1, OptionalDouble.of(1)).grEngineActive()).hasValue(1);
    for (double bad : new double[] {-0.01, 1.01, 75, Double.NaN}) {
      assertThatThrownBy(() -> mig("MIG-a", 0, 1, OptionalDouble.of(bad)))
          .as("activity %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyProfilingRatioIsAShareOrEmpty() {
    for (int field = 0; field < 8; field++) {
      for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
        OptionalDouble[] v = new OptionalDouble[8];
        java.util.Arrays.fill(v, OptionalDouble.empty());
        v[field] = OptionalDouble.of(bad);
        assertThatThrownBy(() -> new ProfRatios(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]))
            .as("field %d = %s", field, bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("must lie in 0..1");
      }
    }
    assertThat(ProfRatios.engineOnly(OptionalDouble.of(0.5)).smActive()).isEmpty();
  }

  @Test
  void engineFiguresArePercentagesAndRatesAreNotNegative() {
    OptionalDouble none = OptionalDouble.empty();
    for (int field = 0; field < 4; field++) {
      OptionalDouble[] v = {none, none, none, none};
      v[field] = OptionalDouble.of(100.5);
      assertThatThrownBy(() -> new DeviceUtilization(v[0], v[1], v[2], v[3], none, none))
          .as("field %d", field)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0..100");
    }
    assertThatThrownBy(
            () -> new DeviceUtilization(none, none, none, none, OptionalDouble.of(-1), none))
        .hasMessageContaining("pcieTxBytesPerSecond");
    assertThatThrownBy(
            () ->
                new DeviceUtilization(
                    none, none, none, none, none, OptionalDouble.of(Double.POSITIVE_INFINITY)))
        .hasMessageContaining("pcieRxBytesPerSecond");
    OptionalDouble zero = OptionalDouble.of(0);
    OptionalDouble full = OptionalDouble.of(100);
    assertThat(new DeviceUtilization(zero, full, zero, full, zero, zero).memCopyPercent())
        .isEqualTo(full);
    assertThat(
            new DeviceUtilization(none, none, none, none, OptionalDouble.of(3e9), none)
                .pcieTxBytesPerSecond())
        .hasValue(3e9);
  }

  @Test
  void processesCountAndMakeADeviceBusy() {
    assertThat(new MigTelemetry("MIG-a", 1, 0, "1g.5gb", 1, 2, 2, ProfRatios.NONE).isBusy())
        .isTrue();
    assertThat(mig("MIG-a", 0, 1, OptionalDouble.empty()).isBusy()).isFalse();
    assertThatThrownBy(() -> new MigTelemetry("MIG-a", 1, 0, "1g.5gb", 1, 2, -1, ProfRatios.NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigTelemetry("MIG-a", -1, 0, "1g.5gb", 1, 2, 0, ProfRatios.NONE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gpuValuesMustBeReadingsNotNonsense() {
    assertThat(gpuWith(OptionalDouble.empty(), OptionalDouble.of(100)).utilizationPercent())
        .hasValue(100);
    assertThatThrownBy(() -> gpuWith(OptionalDouble.empty(), OptionalDouble.of(100.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuPercent");
    assertThatThrownBy(() -> gpuWith(OptionalDouble.of(Double.NaN), OptionalDouble.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperatureC");
    assertThatThrownBy(
            () ->
                new GpuTelemetry(
                    0,
                    "GPU-0",
                    "x",
                    "y",
                    Optional.empty(),
                    OptionalDouble.empty(),
                    OptionalDouble.of(-1),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    DeviceUtilization.gpuOnly(OptionalDouble.empty()),
                    ProfRatios.NONE,
                    OptionalInt.empty(),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power");
    assertThatThrownBy(
            () ->
                new GpuTelemetry(
                    0,
                    "GPU-0",
                    "x",
                    "y",
                    Optional.empty(),
                    OptionalDouble.empty(),
                    OptionalDouble.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    DeviceUtilization.gpuOnly(OptionalDouble.empty()),
                    ProfRatios.NONE,
                    OptionalInt.of(-3),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lastXid");
  }

  @Test
  void instancesAreCopiedAndUniquePerGpu() {
    List<MigTelemetry> list = new ArrayList<>(List.of(mig("MIG-a", 0, 1, OptionalDouble.empty())));
    GpuTelemetry g = gpu(0, list);
    list.add(mig("MIG-b", 0, 1, OptionalDouble.empty()));
    assertThat(g.instances()).extracting(MigTelemetry::uuid).containsExactly("MIG-a");
    assertThat(g.instance(" mig-A ")).isPresent();
    assertThat(g.instance("MIG-b")).isEmpty();
    assertThatThrownBy(
            () ->
                gpu(
                    0,
                    List.of(
                        mig("MIG-a", 0, 1, OptionalDouble.empty()),
                        mig("MIG-a", 0, 1, OptionalDouble.empty()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void aSampleFindsGpusAndDevicesAndRejectsDuplicates() {
    TelemetrySample s =
        new TelemetrySample(
            AT,
            true,
            List.of(
                gpu(0, List.of(mig("MIG-a", 0, 1, OptionalDouble.empty()))),
                gpu(1, List.of(mig("MIG-b", 1, 1, OptionalDouble.empty())))));
    assertThat(s.gpu(1)).map(GpuTelemetry::uuid).hasValue("GPU-1");
    assertThat(s.gpu(2)).isEmpty();
    assertThat(s.instance("MIG-B")).map(MigTelemetry::fbUsedMiB).hasValue(1L);
    assertThat(s.instances()).extracting(MigTelemetry::uuid).containsExactly("MIG-a", "MIG-b");

    assertThatThrownBy(
            () -> new TelemetrySample(AT, false, List.of(gpu(0, List.of()), gpu(0, List.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GPU 0");
    assertThatThrownBy(
            () ->
                new TelemetrySample(
                    AT,
                    false,
                    List.of(
                        gpu(0, List.of(mig("MIG-a", 0, 1, OptionalDouble.empty()))),
                        gpu(1, List.of(mig("MIG-a", 0, 1, OptionalDouble.empty()))))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MIG-a");
    assertThatThrownBy(() -> new TelemetrySample(null, false, List.of()))
        .isInstanceOf(NullPointerException.class);
  }
}
