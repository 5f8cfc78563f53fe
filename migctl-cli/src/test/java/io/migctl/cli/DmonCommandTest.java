package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.Placement;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.SystemToolRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code migctl dmon} run in-process on a simulated node, no daemon answering, on a fake clock that
 * the command's pause moves forward: no test sleeps.
 */
class DmonCommandTest {

  private static final String SPEC = "a100-40gb:1,h100-80gb:1";

  @TempDir Path home;

  private final FakeClock clock = new FakeClock(Instant.parse("2026-12-07T09:22:34Z"));
  private final List<Duration> pauses = new ArrayList<>();

  private record Result(int code, String out, String err) {}

  private Result dmon(String... args) {
    CliContext context =
        new CliContext(
            Map.of(
                "MIGCTL_HOME", home.toString(),
                // no daemon there: the command reads the driver
                "MIGCTL_URL", "http://127.0.0.1:1",
                "MIGCTL_NVML_LIBRARY", home.resolve("no-nvml/libnvidia-ml.so.1").toString()),
            home);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> line = new ArrayList<>(List.of("--simulate", SPEC, "dmon"));
    line.addAll(List.of(args));
    String[] argv = line.toArray(String[]::new);
    DmonCommand dmon =
        new DmonCommand(
            clock,
            d -> {
              pauses.add(d);
              clock.advance(d);
            });
    CommandLine cl =
        Main.commandLine(
            context,
            new SystemToolRunner(),
            new PrintWriter(out),
            new PrintWriter(err),
            argv,
            name -> name.equals("dmon") ? dmon : Main.subcommand(name));
    int code = Main.execute(cl, argv);
    return new Result(code, out.toString(), err.toString());
  }

  private SimulatedMigDriver driver() {
    return SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(SPEC), home.resolve("sim"));
  }

  @Test
  void threeSamplesUnderNvidiaSmisHeader() {
    Result r = dmon("-c", "3");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().map(String::stripTrailing).toList();
    assertThat(lines.subList(0, 2))
        .isEqualTo(DmonViewTest.recorded("puc_default.txt").subList(0, 2));
    // two GPUs, MIG on and no instances yet: two rows a sample, three samples, 1 s apart
    assertThat(lines).hasSize(2 + 3 * 2);
    assertThat(lines.subList(2, 8))
        .extracting(l -> l.substring(0, 5))
        .containsExactly("    0", "    1", "    0", "    1", "    0", "    1");
    assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void everyGroupWithDateAndTimeOnTheClock() {
    Result r = dmon("-c", "2", "-s", "pucvmet", "-o", "DT", "-d", "5", "-i", "1");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().map(String::stripTrailing).toList();
    assertThat(lines.subList(0, 2))
        .isEqualTo(DmonViewTest.recorded("pucvmet_DT.txt").subList(0, 2));
    assertThat(lines.subList(2, lines.size()))
        .extracting(l -> l.substring(0, 29))
        .containsExactly(
            " 20261207    " + local(0) + "       1", " 20261207    " + local(5) + "       1");
    assertThat(pauses).containsExactly(Duration.ofSeconds(5));
  }

  @Test
  void aGpuIsChosenByItsUuidOrBusIdAsByItsIndex() throws IOException {
    String uuid = driver().gpus().get(1).uuid();

    Result byUuid = dmon("-c", "1", "--json", "-i", uuid.toLowerCase(java.util.Locale.ROOT));
    Result byIndex = dmon("-c", "1", "--json", "-i", "1");

    assertThat(byUuid.code()).as(byUuid.err()).isZero();
    JsonNode rows = new ObjectMapper().readTree(byUuid.out().lines().findFirst().orElseThrow());
    List<String> gpus = new ArrayList<>();
    rows.get("rows").forEach(row -> gpus.add(row.get("gpu").asText()));
    assertThat(gpus).containsExactly("1");
    assertThat(byIndex.out().lines().count()).isEqualTo(byUuid.out().lines().count());
    for (String bus : List.of("00000000:02:00.0", "0000:02:00.0", "2:0.0")) {
      Result byBus = dmon("-c", "1", "--json", "-i", bus);
      JsonNode sample = new ObjectMapper().readTree(byBus.out().lines().findFirst().orElseThrow());
      assertThat(sample.get("rows").get(0).get("gpu").asText()).as(bus).isEqualTo("1");
    }
  }

  @Test
  void migDevicesGetARowEachNamedGpuGiCi() throws IOException {
    SimulatedMigDriver driver = driver();
    GpuInstance big = driver.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
    driver.createComputeInstance(0, big.id(), 2, Optional.empty());
    GpuInstance small = driver.createGpuInstance(1, 19, Optional.empty());
    driver.createComputeInstance(1, small.id(), 0, Optional.empty());

    Result r = dmon("-c", "1", "--json");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode sample = new ObjectMapper().readTree(r.out().lines().findFirst().orElseThrow());
    assertThat(sample.get("source").asText()).isEqualTo("driver");
    assertThat(sample.get("simulated").asBoolean()).isTrue();
    List<String> devices = new ArrayList<>();
    sample.get("rows").forEach(row -> devices.add(row.get("gpu").asText()));
    assertThat(devices).containsExactly("0", "0/" + big.id() + "/0", "1", "1/" + small.id() + "/0");
    JsonNode gpu0 = sample.get("rows").get(0).get("values");
    assertThat(gpu0.get("pwr").isNumber()).as("%s", gpu0).isTrue();
    // MIG on: NVML reports no utilisation for the GPU, so nor does dmon
    assertThat(gpu0.get("sm").isNull()).as("%s", gpu0).isTrue();
    assertThat(gpu0.get("jpg").isNull()).isTrue();
  }

  @Test
  void badOptionsExitTwoWithTheFix() {
    assertThat(dmon("-s", "pux"))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
              assertThat(r.err()).contains("'x' is no group", "pucvmet");
            });
    assertThat(dmon("-o", "X").err()).contains("use D (date), T (time) or DT");
    assertThat(dmon("-d", "0").err()).contains("-d 0: use 1 to 86400 seconds");
    assertThat(dmon("-c", "0").err()).contains("-c 0: use a count of at least 1");
    Result unknownGpu = dmon("-i", "7", "-c", "1");
    assertThat(unknownGpu.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(unknownGpu.err()).contains("no GPU 7 on this node; its GPUs are 0 (GPU-", "1 (GPU-");
    assertThat(dmon("-i", "zero").err())
        .contains("'zero' is no GPU index, GPU-… UUID or PCI bus id");
    assertThat(dmon("-i", "0000:3B:00.0", "-c", "1").err())
        .contains("no GPU 0000:3B:00.0 on this node; its GPUs are 0 (GPU-")
        .contains(", 00000000:01:00.0), 1 (");
    assertThat(dmon("-i", "3B:00.9").err()).contains("is no GPU index, GPU-… UUID or PCI bus id");
    assertThat(dmon("-i", "MIG-1234", "-c", "1").err()).contains("is a MIG device; give its GPU");
    assertThat(dmon("-i", "GPU-00000000-0000-0000-0000-000000000000", "-c", "1").err())
        .contains("no GPU GPU-00000000-0000-0000-0000-000000000000 on this node");
    assertThat(pauses).isEmpty();
  }

  private String local(int seconds) {
    return DmonView.time(clock.start.plusSeconds(seconds).atZone(clock.getZone()));
  }

  /** A clock that only moves when told to. */
  private static final class FakeClock extends Clock {
    final Instant start;
    private Instant now;

    FakeClock(Instant start) {
      this.start = start;
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("one zone");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
