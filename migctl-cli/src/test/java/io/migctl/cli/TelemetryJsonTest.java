package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.TelemetrySample;
import java.util.OptionalDouble;
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
  void readsUtilizationAndActivityObjectsWhereTheDaemonSendsThem() throws Exception {
    TelemetrySample s =
        TelemetryJson.sample(
            json(
                "{'at':'2026-12-07T09:00:00Z','gpus':[{'index':1,'uuid':'GPU-b',"
                    + "'productName':'H100','driverVersion':'550','utilization':{'gpuPercent':40,"
                    + "'memCopyPercent':12,'pcieRxBytesPerSecond':2500000},"
                    + "'activity':{'smActive':0.3},'instances':[{'uuid':'MIG-b',"
                    + "'gpuInstanceId':2,'computeInstanceId':0,'profile':'1g.10gb','fbUsedMiB':0,"
                    + "'fbTotalMiB':9984,'processes':0,'activity':{'grEngineActive':0.4,"
                    + "'dramActive':0.2}}]}]}"));

    GpuTelemetry g = s.gpus().getFirst();
    assertThat(g.utilization().memCopyPercent()).isEqualTo(OptionalDouble.of(12));
    assertThat(g.utilization().pcieRxBytesPerSecond()).isEqualTo(OptionalDouble.of(2_500_000));
    assertThat(g.utilization().encoderPercent()).isEmpty();
    assertThat(g.activity().smActive()).isEqualTo(OptionalDouble.of(0.3));
    assertThat(g.instances().getFirst().activity().dramActive()).isEqualTo(OptionalDouble.of(0.2));
  }

  @Test
  void somethingElseIsSaidToBeNoReading() throws Exception {
    assertThatThrownBy(() -> TelemetryJson.sample(json("{'status':'ok'}")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without 'at' and 'gpus'");
  }
}
