package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The daemon's {@code GET /api/v1/telemetry} read back into the telemetry model, so that a command
 * shows the daemon's reading as it would show the driver's.
 *
 * <p>Tolerant: a field that is absent or null is a value not reported (the daemon leaves nulls
 * out). A GPU's engine and PCIe figures are its own fields ({@code utilizationPercent}, {@code
 * memCopyPercent}, …, as {@link DeviceUtilization} names them); a GPU's or MIG device's {@code
 * activity} object holds the fields of {@link ProfRatios}; where a MIG device has none, its {@code
 * grEngineActive} stands in.
 */
final class TelemetryJson {

  private TelemetryJson() {}

  /**
   * The reading {@code reading} holds.
   *
   * @throws IllegalStateException when it is not a telemetry reading (no {@code at} or {@code
   *     gpus})
   */
  static TelemetrySample sample(JsonNode reading) {
    if (!reading.path("at").isTextual() || !reading.path("gpus").isArray()) {
      throw new IllegalStateException(
          "the daemon's /api/v1/telemetry answered without 'at' and 'gpus'; is MIGCTL_URL a migctl"
              + " daemon of this version?");
    }
    Instant at;
    try {
      at = Instant.parse(reading.get("at").asText());
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(
          "the daemon's reading has an unreadable time: " + reading.get("at").asText(), e);
    }
    List<GpuTelemetry> gpus = new ArrayList<>();
    for (JsonNode g : reading.get("gpus")) {
      gpus.add(gpu(g));
    }
    return new TelemetrySample(at, reading.path("simulated").asBoolean(), gpus);
  }

  private static GpuTelemetry gpu(JsonNode g) {
    List<MigTelemetry> instances = new ArrayList<>();
    for (JsonNode m : g.path("instances")) {
      JsonNode activity = m.path("activity");
      instances.add(
          new MigTelemetry(
              m.path("uuid").asText(),
              m.path("gpuInstanceId").asInt(),
              m.path("computeInstanceId").asInt(),
              m.path("profile").asText(),
              m.path("fbUsedMiB").asLong(),
              m.path("fbTotalMiB").asLong(),
              m.path("processes").asInt(),
              activity.isObject()
                  ? ratios(activity)
                  : ProfRatios.engineOnly(decimal(m, "grEngineActive"))));
    }
    JsonNode activity = g.path("activity");
    return new GpuTelemetry(
        g.path("index").asInt(),
        g.path("uuid").asText(),
        g.path("productName").asText(),
        g.path("driverVersion").asText(),
        Optional.of(g.path("pciBusId").asText()).filter(b -> !b.isBlank()),
        decimal(g, "temperatureC"),
        decimal(g, "powerW"),
        whole(g, "smClockMHz"),
        whole(g, "memClockMHz"),
        mebibytes(g, "fbUsedMiB"),
        mebibytes(g, "fbTotalMiB"),
        new DeviceUtilization(
            decimal(g, "utilizationPercent"),
            decimal(g, "memCopyPercent"),
            decimal(g, "encoderPercent"),
            decimal(g, "decoderPercent"),
            decimal(g, "pcieTxBytesPerSecond"),
            decimal(g, "pcieRxBytesPerSecond")),
        activity.isObject() ? ratios(activity) : ProfRatios.NONE,
        whole(g, "lastXid"),
        instances);
  }

  private static ProfRatios ratios(JsonNode a) {
    return new ProfRatios(
        decimal(a, "grEngineActive"),
        decimal(a, "smActive"),
        decimal(a, "smOccupancy"),
        decimal(a, "tensorActive"),
        decimal(a, "dramActive"),
        decimal(a, "fp64Active"),
        decimal(a, "fp32Active"),
        decimal(a, "fp16Active"));
  }

  private static OptionalDouble decimal(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
  }

  private static OptionalInt whole(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? OptionalInt.of(v.asInt()) : OptionalInt.empty();
  }

  private static OptionalLong mebibytes(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? OptionalLong.of(v.asLong()) : OptionalLong.empty();
  }
}
