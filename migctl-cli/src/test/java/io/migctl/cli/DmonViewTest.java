package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.metrics.TelemetrySample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link DmonView} against real {@code nvidia-smi dmon} output (test resources {@code dmon/}). */
class DmonViewTest {

  /** The output lines of a recorded fixture, without its {@code ## } notes and trailing blanks. */
  static List<String> recorded(String name) {
    try (InputStream in = DmonViewTest.class.getResourceAsStream("/dmon/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.startsWith("## "))
          .map(String::stripTrailing)
          .toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> header(String select, DmonView.Stamp stamp) {
    return DmonView.header(DmonView.Group.parse(select), stamp).stream()
        .map(String::stripTrailing)
        .toList();
  }

  @Test
  void defaultHeaderEqualsNvidiaSmis() {
    assertThat(header("puc", DmonView.Stamp.NONE))
        .isEqualTo(recorded("puc_default.txt").subList(0, 2));
  }

  @Test
  void headerKeepsNvidiaSmisTrailingBlank() {
    List<String> raw = DmonView.header(DmonView.Group.parse("pucm"), DmonView.Stamp.NONE);
    assertThat(raw.get(0)).endsWith("ccpm ");
    assertThat(raw.stream().map(String::stripTrailing).toList())
        .isEqualTo(recorded("pucm_595.91.07.txt").subList(0, 2));
  }

  @Test
  void everyGroupWithDateAndTimeEqualsNvidiaSmis() {
    assertThat(header("pucvmet", DmonView.Stamp.parse("DT")))
        .isEqualTo(recorded("pucvmet_DT.txt").subList(0, 2));
  }

  @Test
  void columnsFollowTheOrderOfSelect() {
    // The 2024 recording's date and time columns are one narrower; from gpu on it is the same.
    List<String> ours = header("mutc", DmonView.Stamp.parse("TD"));
    List<String> theirs = recorded("mutc_TD_2024.txt").subList(0, 2);
    for (int i = 0; i < 2; i++) {
      String from = i == 0 ? "gpu" : "Idx";
      assertThat(ours.get(i).substring(ours.get(i).indexOf(from)))
          .isEqualTo(theirs.get(i).substring(theirs.get(i).indexOf(from)));
    }
  }

  @Test
  void aGpuRowLinesUpAsNvidiaSmis() {
    GpuTelemetry gpu =
        gpu(
            0,
            new DeviceUtilization(
                OptionalDouble.of(98.4),
                OptionalDouble.of(57),
                OptionalDouble.of(0),
                OptionalDouble.of(0),
                OptionalDouble.empty(),
                OptionalDouble.empty()),
            List.of());
    List<String> lines =
        DmonView.lines(
            DmonView.rows(sample(gpu), DmonView.Group.parse("pucm"), Set.of()),
            DmonView.Stamp.NONE,
            NOON);
    // nvidia-smi's own first row, with '-' for jpg, ofa, bar1 and ccpm, which migctl does not read.
    assertThat(lines.getFirst().stripTrailing())
        .isEqualTo(
            "    0    294     81      -     98     57      0      0      -      -  13365   1897 "
                + " 90538      -      -");
  }

  @Test
  void migDevicesAreNamedGpuGiCiAndKeepTheColumnsAligned() {
    MigTelemetry small =
        new MigTelemetry(
            "MIG-a",
            13,
            0,
            "1g.10gb",
            512,
            9984,
            1,
            new ProfRatios(
                OptionalDouble.of(0.421),
                OptionalDouble.of(0.3),
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                OptionalDouble.of(0.25),
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                OptionalDouble.empty()));
    MigTelemetry unknown = new MigTelemetry("MIG-b", 1, 0, "3g.40gb", 0, 40192, 0, ProfRatios.NONE);
    GpuTelemetry gpu = gpu(1, DeviceUtilization.NONE, List.of(unknown, small));
    List<String> lines =
        DmonView.lines(
            DmonView.rows(sample(gpu), DmonView.Group.parse("pum"), Set.of()),
            DmonView.Stamp.parse("T"),
            NOON);
    assertThat(lines)
        .extracting(String::stripTrailing)
        .containsExactly(
            " 12:00:00      1    294     81      -      -      -      -      -      -      -  90538      -      -",
            " 12:00:00  1/1/0      -      -      -      -      -      -      -      -      -      0      -      -",
            " 12:00:00 1/13/0      -      -      -     42     25      -      -      -      -    512      -      -");
    String header = DmonView.header(DmonView.Group.parse("pum"), DmonView.Stamp.parse("T")).get(0);
    assertThat(lines).allSatisfy(l -> assertThat(l).hasSameSizeAs(header));
    List<String> plain =
        DmonView.lines(
            DmonView.rows(sample(gpu), DmonView.Group.parse("p"), Set.of()),
            DmonView.Stamp.NONE,
            NOON);
    assertThat(plain)
        .containsExactly(
            "    1    294     81      - ",
            "1/1/0      -      -      - ",
            "1/13/0     -      -      - ");
  }

  @Test
  void gpuListKeepsOnlyThoseGpusAndTheirMigDevices() {
    MigTelemetry m = new MigTelemetry("MIG-c", 2, 0, "2g.20gb", 1, 2, 0, ProfRatios.NONE);
    TelemetrySample s =
        new TelemetrySample(
            NOON.toInstant(),
            true,
            List.of(
                gpu(0, DeviceUtilization.NONE, List.of()),
                gpu(1, DeviceUtilization.NONE, List.of(m))));
    assertThat(DmonView.rows(s, DmonView.Group.parse("p"), Set.of(1)))
        .extracting(DmonView.Row::device)
        .containsExactly("1", "1/2/0");
  }

  @Test
  void badSelectionsSayWhatToUse() {
    assertThatThrownBy(() -> DmonView.Group.parse("pux"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'x' is no group")
        .hasMessageContaining("pucvmet");
    assertThatThrownBy(() -> DmonView.Stamp.parse("DX"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("use D (date), T (time) or DT");
  }

  private static final ZonedDateTime NOON =
      ZonedDateTime.of(2026, 12, 7, 12, 0, 0, 0, ZoneOffset.UTC);

  private static TelemetrySample sample(GpuTelemetry gpu) {
    return new TelemetrySample(Instant.parse("2026-12-07T12:00:00Z"), false, List.of(gpu));
  }

  private static GpuTelemetry gpu(int index, DeviceUtilization u, List<MigTelemetry> instances) {
    return new GpuTelemetry(
        index,
        "GPU-" + index,
        "NVIDIA H100 80GB HBM3",
        "595.91.07",
        Optional.of(String.format("00000000:%02X:00.0", 0x18 + index)),
        OptionalDouble.of(81.2),
        OptionalDouble.of(293.6),
        OptionalInt.of(1897),
        OptionalInt.of(13365),
        OptionalLong.of(90538),
        OptionalLong.of(97887),
        u,
        ProfRatios.NONE,
        OptionalInt.empty(),
        instances);
  }
}
