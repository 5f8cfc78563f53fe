package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.mig.Placement;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code mig assert} on the simulated node: every kind of difference exits 1 and is named, in text
 * and in {@code --json}; what the config does not judge (GPUs it does not select, placements) exits
 * 0.
 */
class MigAssertCliTest {

  /** Two A100 40GB: MIG on, no instances, until a case sets the node up. */
  private static final String SPEC = "a100-40gb:2";

  private static final int GI_3G_20GB = 9;
  private static final int GI_1G_5GB = 19;

  /** The compute-instance profile that fills a 1g GPU instance ({@code nvidia-smi mig -lcip}). */
  private static final int CI_WHOLE_1G = 0;

  @TempDir Path home;

  private Invocations migctl(String spec) {
    // No NVML, even on a GPU machine: the node is the simulated one.
    return new Invocations(
        home,
        Map.of(
            "MIGCTL_SIMULATE",
            spec,
            "MIGCTL_NVML_LIBRARY",
            home.resolve("no-nvml/libnvidia-ml.so.1").toString()));
  }

  private SimulatedMigDriver driver(String spec) {
    return SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(spec), home.resolve("sim"));
  }

  /** A config file {@code c} with one entry per line of {@code entries}. */
  private Path config(String name, String... entries) {
    StringBuilder text = new StringBuilder("version: v1\nmig-configs:\n  c:\n");
    for (String e : entries) {
      text.append("    - ").append(e.replace("\n", "\n      ")).append('\n');
    }
    try {
      return Files.writeString(home.resolve(name + ".yaml"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An entry for {@code devices} with MIG on and these MIG devices (a YAML flow mapping). */
  private static String on(String devices, String migDevices) {
    return "devices: " + devices + "\nmig-enabled: true\nmig-devices: " + migDevices;
  }

  private static String off(String devices) {
    return "devices: " + devices + "\nmig-enabled: false";
  }

  /** How one case sets up the node before {@code mig assert} runs. */
  private record Setup(String text, Consumer<MigAssertCliTest> action) {
    @Override
    public String toString() {
      return text;
    }
  }

  private static Setup applied(String migDevices) {
    return new Setup(
        "applied " + migDevices,
        t -> {
          Invocations.Result r =
              t.migctl(SPEC)
                  .run("mig", "apply", "-f", t.config("setup", on("all", migDevices)).toString());
          assertThat(r.code()).as(r.err()).isZero();
        });
  }

  private static Setup driver(String text, Consumer<SimulatedMigDriver> action) {
    return new Setup(text, t -> action.accept(t.driver(SPEC)));
  }

  /** One kind of difference: the node, the config asserted, and every line it must print. */
  private record Mismatch(String kind, Setup setup, List<String> entries, List<String> expected) {
    @Override
    public String toString() {
      return kind;
    }
  }

  static Stream<Mismatch> mismatches() {
    return Stream.of(
        new Mismatch(
            "MIG off where it should be on",
            driver(
                "GPU 0 MIG off",
                d -> {
                  d.setMigMode(0, false);
                  d.resetGpu(0);
                }),
            List.of(on("[0]", "{\"7g.40gb\": 1}")),
            List.of("GPU 0: MIG mode is disabled, mig-configs.c[0] wants it enabled")),
        new Mismatch(
            "MIG on where it should be off",
            applied("{\"7g.40gb\": 1}"),
            List.of(off("all")),
            List.of(
                "GPU 0: MIG mode is enabled, mig-configs.c[0] wants it disabled",
                "GPU 1: MIG mode is enabled, mig-configs.c[0] wants it disabled")),
        new Mismatch(
            "MIG off only after a reset",
            driver("GPU 1 MIG off pending", d -> d.setMigMode(1, false)),
            List.of(off("[1]")),
            List.of(
                "GPU 1: MIG mode is enabled (disabled after a reset), mig-configs.c[0] wants it"
                    + " disabled")),
        new Mismatch(
            "a missing instance",
            applied("{\"3g.20gb\": 1}"),
            List.of(on("all", "{\"3g.20gb\": 2}")),
            List.of(
                "GPU 0: has MIG devices 3g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×2",
                "GPU 1: has MIG devices 3g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×2")),
        new Mismatch(
            "an extra instance",
            applied("{\"3g.20gb\": 1, \"1g.5gb\": 1}"),
            List.of(on("[1]", "{\"3g.20gb\": 1}")),
            List.of(
                "GPU 1: has MIG devices 1g.5gb ×1, 3g.20gb ×1, mig-configs.c[0] wants 3g.20gb"
                    + " ×1")),
        new Mismatch(
            "no instance where one is wanted",
            driver("nothing", d -> {}),
            List.of(on("[0]", "{\"2g.10gb\": 1}")),
            List.of("GPU 0: has MIG devices none, mig-configs.c[0] wants 2g.10gb ×1")),
        new Mismatch(
            "a wrong profile",
            applied("{\"4g.20gb\": 1}"),
            List.of(on("[0]", "{\"3g.20gb\": 1}")),
            List.of("GPU 0: has MIG devices 4g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×1")),
        new Mismatch(
            "compute instances instead of a whole GPU instance",
            applied("{\"1c.3g.20gb\": 3}"),
            List.of(on("[0]", "{\"3g.20gb\": 1}")),
            List.of("GPU 0: has MIG devices 1c.3g.20gb ×3, mig-configs.c[0] wants 3g.20gb ×1")),
        new Mismatch(
            "a GPU instance without compute instances",
            driver(
                "GPU 0 3g.20gb without CI",
                d -> d.createGpuInstance(0, GI_3G_20GB, Optional.of(new Placement(4, 4)))),
            List.of(on("[0]", "{\"3g.20gb\": 1}")),
            List.of(
                "GPU 0: GPU instance 3g.20gb@4:4 has no compute instance",
                "GPU 0: has MIG devices none, mig-configs.c[0] wants 3g.20gb ×1")),
        new Mismatch(
            "one GPU of two entries differs",
            applied("{\"7g.40gb\": 1}"),
            List.of(on("[0]", "{\"7g.40gb\": 1}"), on("[1]", "{\"1g.5gb\": 7}")),
            List.of("GPU 1: has MIG devices 7g.40gb ×1, mig-configs.c[1] wants 1g.5gb ×7")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatches")
  void everyDifferenceExitsOneAndIsNamedInText(Mismatch m) {
    m.setup().action().accept(this);
    Path file = config("assert", m.entries().toArray(String[]::new));

    Invocations.Result r = migctl(SPEC).run("mig", "assert", "-f", file.toString());

    assertThat(r.code()).as("%s%s", r.out(), r.err()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.out().lines()).containsExactlyElementsOf(m.expected());
    assertThat(r.err()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatches")
  void everyDifferenceExitsOneAndIsNamedInJson(Mismatch m) {
    m.setup().action().accept(this);
    Path file = config("assert", m.entries().toArray(String[]::new));

    Invocations.Result r = migctl(SPEC).run("mig", "assert", "-f", file.toString(), "--json");

    assertThat(r.code()).as("%s%s", r.out(), r.err()).isEqualTo(ExitCode.FAILURE);
    JsonNode json = r.json();
    assertThat(json.get("config").asText()).isEqualTo("c");
    assertThat(json.get("matches").asBoolean()).isFalse();
    List<String> differences = new ArrayList<>();
    json.get("differences").forEach(d -> differences.add(d.asText()));
    assertThat(differences).containsExactlyElementsOf(m.expected());
  }

  @Test
  void aNodeAsDesiredExitsZeroInTextAndJson() {
    applied("{\"3g.20gb\": 1, \"2g.10gb\": 2}").action().accept(this);
    Path file = config("assert", on("all", "{\"2g.10gb\": 2, \"3g.20gb\": 1}"));

    Invocations.Result text = migctl(SPEC).run("mig", "assert", "-f", file.toString());
    Invocations.Result json = migctl(SPEC).run("mig", "assert", "-f", file.toString(), "--json");

    assertThat(text.code()).as(text.out() + text.err()).isEqualTo(ExitCode.OK);
    assertThat(text.out()).isEqualTo("every GPU config \"c\" matches (2) is as desired\n");
    assertThat(json.code()).isEqualTo(ExitCode.OK);
    assertThat(json.json().get("matches").asBoolean()).isTrue();
    assertThat(json.json().get("differences")).isEmpty();
  }

  @Test
  void aGpuTheConfigDoesNotSelectIsNotJudged() {
    driver(SPEC).createGpuInstance(1, GI_3G_20GB, Optional.empty());
    Path file = config("assert", on("[0]", "{}"));

    Invocations.Result r = migctl(SPEC).run("mig", "assert", "-f", file.toString());

    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).isEqualTo("every GPU config \"c\" matches (1) is as desired\n");
  }

  @Test
  void aGpuOfAnotherModelThanTheFilterIsNotJudged() {
    String mixed = "a100-40gb:1,h100-80gb:1";
    Invocations.Result setup =
        migctl(mixed)
            .run("mig", "apply", "-f", config("setup", on("[1]", "{\"7g.80gb\": 1}")).toString());
    assertThat(setup.code()).as(setup.err()).isZero();
    // Judged, the A100 would be refused: 7g.80gb is none of its profiles.
    Path file = config("assert", "device-filter: \"0x233010DE\"\n" + on("all", "{\"7g.80gb\": 1}"));

    Invocations.Result r = migctl(mixed).run("mig", "assert", "-f", file.toString());

    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).isEqualTo("every GPU config \"c\" matches (1) is as desired\n");
  }

  @Test
  void placementsAreNotJudged() {
    // The last placement of 1g.5gb, where an apply would take the first.
    SimulatedMigDriver driver = driver(SPEC);
    int gi = driver.createGpuInstance(0, GI_1G_5GB, Optional.of(new Placement(6, 1))).id();
    driver.createComputeInstance(0, gi, CI_WHOLE_1G, Optional.empty());
    Path file = config("assert", on("[0]", "{\"1g.5gb\": 1}"));

    Invocations.Result r = migctl(SPEC).run("mig", "assert", "-f", file.toString());

    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
  }
}
