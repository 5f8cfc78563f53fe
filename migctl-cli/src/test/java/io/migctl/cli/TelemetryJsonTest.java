package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.daemon.DaemonJson;
import io.migctl.daemon.TelemetryViews;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The daemon's telemetry JSON read back, with and without the fields newer daemons add. */
class TelemetryJsonTest {

  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text.replace('\'', '"'));
  }

  @Test
  void readsTheFieldsEveryDaemonSendsAndLeavesTheRestAbsent() throws Exception {
    TelemetrySample s =
        TelemetryJson.sample(
            json(
                "{'at':'2026-12-07T09:00:00Z','simulated':true,'gpus':[{'index':0,'uuid':'GPU-a',"
                    + "'productName':'A100','driverVersion':'simulated','temperatureC':31.0,"
                    + "'powerW':60.5,'smClockMHz':1410,'memClockMHz':null,'fbUsedMiB':0,"
                    + "'fbTotalMiB':40960,'utilizationPercent':null,'instances':[{'uuid':'MIG-a',"
                    + "'gpuInstanceId':1,'computeInstanceId':0,'profile':'3g.20gb','fbUsedMiB':5,"
                    + "'fbTotalMiB':19968,'processes':1,'grEngineActive':0.5,'job':7}]}]}"));

    GpuTelemetry g = s.gpus().getFirst();
    assertThat(s.simulated()).isTrue();
    assertThat(g.powerW()).isEqualTo(OptionalDouble.of(60.5));
    assertThat(g.memClockMHz()).isEmpty();
    assertThat(g.utilization().gpuPercent()).isEmpty();
    assertThat(g.utilization().pcieRxBytesPerSecond()).isEmpty();
    MigTelemetry m = g.instances().getFirst();
    assertThat(m.grEngineActive()).isEqualTo(OptionalDouble.of(0.5));
    assertThat(m.activity().dramActive()).isEmpty();
  }

  @Test
  void readsBackEveryFigureTheDaemonsViewsWrite() {
    TelemetryViews.RatiosView gpuRatios =
        new TelemetryViews.RatiosView(0.5, 0.3, 0.2, 0.1, 0.25, 0.01, 0.2, 0.05);
    TelemetryViews.RatiosView migRatios =
        new TelemetryViews.RatiosView(0.4, null, null, null, 0.2, null, null, null);
    TelemetryViews.GpuView gpu =
        new TelemetryViews.GpuView(
            1,
            "GPU-b",
            "H100",
            "550",
            "00000000:18:00.0",
            41.0,
            120.5,
            1980,
            2619,
            100L,
            81559L,
            40.0,
            12.0,
            null,
            3.0,
            1.5e9,
            2.5e6,
            gpuRatios,
            79,
            List.of(
                new TelemetryViews.InstanceView(
                    "MIG-b", 2, 0, "1g.10gb", 0, 9984, 0, 0.4, migRatios, null, null, "free", 0)));
    JsonNode written =
        DaemonJson.MAPPER.valueToTree(
            new TelemetryViews.ReadingView(
                Instant.parse("2026-12-07T09:00:00Z"), true, 0, 0, List.of(gpu)));

    GpuTelemetry g = TelemetryJson.sample(written).gpus().getFirst();
    assertThat(g.utilization())
        .isEqualTo(
            new DeviceUtilization(
                OptionalDouble.of(40),
                OptionalDouble.of(12),
                OptionalDouble.empty(),
                OptionalDouble.of(3),
                OptionalDouble.of(1.5e9),
                OptionalDouble.of(2.5e6)));
    assertThat(g.activity().smOccupancy()).isEqualTo(OptionalDouble.of(0.2));
    assertThat(g.activity().fp16Active()).isEqualTo(OptionalDouble.of(0.05));
    assertThat(g.lastXid()).isEqualTo(OptionalInt.of(79));
    assertThat(g.pciBusId()).contains("00000000:18:00.0");
    MigTelemetry m = g.instances().getFirst();
    assertThat(m.activity().dramActive()).isEqualTo(OptionalDouble.of(0.2));
    assertThat(m.activity().grEngineActive()).isEqualTo(OptionalDouble.of(0.4));
    assertThat(m.activity().smActive()).isEmpty();
  }

  @Test
  void somethingElseIsSaidToBeNoReading() throws Exception {
    assertThatThrownBy(() -> TelemetryJson.sample(json("{'status':'ok'}")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without 'at' and 'gpus'");
  }
}
