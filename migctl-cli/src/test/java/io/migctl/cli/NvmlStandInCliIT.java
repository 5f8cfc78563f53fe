package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on the NVML driver, end to end: migctl loads the C stand-in {@code
 * libnvidia-ml.so} of migctl-nvidia's tests (two A100-SXM4-40GB, MIG on GPU 0 only) through {@code
 * MIGCTL_NVML_LIBRARY} and {@code --driver nvml}. Skipped where gcc is missing.
 */
class NvmlStandInCliIT {

  private static Path library;

  @TempDir Path home;

  @BeforeAll
  static void buildTheStandIn() throws IOException, InterruptedException {
    Path source = Path.of("../migctl-nvidia/src/test/c/fake_nvml.c").toAbsolutePath().normalize();
    Path out = Path.of("target/fake-nvml/libnvidia-ml.so.1").toAbsolutePath();
    Files.createDirectories(out.getParent());
    List<String> gcc =
        List.of("gcc", "-shared", "-fPIC", "-O1", "-o", out.toString(), source.toString());
    Process p;
    try {
      p = new ProcessBuilder(gcc).redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTools.fromEnvironment()
          .require(false, () -> "gcc is not installed: " + e.getMessage());
      return;
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    library = out;
  }

  private Invocations migctl() {
    return new Invocations(
        home, Map.of("MIGCTL_NVML_LIBRARY", library.toString(), "MIGCTL_DRIVER", "nvml"));
  }

  @Test
  void listsTheStandInsGpusAndProfilesThroughNvml() {
    Invocations.Result gpus = migctl().run("gpus", "--json");
    assertThat(gpus.code()).as(gpus.err()).isZero();
    assertThat(gpus.err()).isEmpty();
    JsonNode list = gpus.json();
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("name").asText()).isEqualTo("NVIDIA A100-SXM4-40GB");
    assertThat(list.get(0).get("uuid").asText()).startsWith("GPU-");
    assertThat(list.get(0).get("migEnabled").asBoolean()).isTrue();
    assertThat(list.get(1).get("migEnabled").asBoolean()).isFalse();

    Invocations.Result profiles = migctl().run("profiles", "--gpu", "0", "--json");
    assertThat(profiles.code()).as(profiles.err()).isZero();
    List<String> names = new java.util.ArrayList<>();
    profiles.json().get(0).get("profiles").forEach(p -> names.add(p.get("name").asText()));
    assertThat(names)
        .containsExactly(
            "1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb");
  }

  @Test
  void appliesALayoutThroughNvml() throws IOException {
    Path config = home.resolve("layout.yaml");
    Files.writeString(
        config,
        "version: v1\nmig-configs:\n  c:\n    - devices: [0]\n      mig-enabled: true\n      mig-devices:\n        \"3g.20gb\": 1\n        \"2g.10gb\": 1\n");
    Invocations.Result dry =
        migctl().run("mig", "apply", "-f", config.toString(), "--dry-run", "--json");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.json().get("gpus").get(0).get("steps").findValuesAsText("op"))
        .contains("create");

    Invocations.Result apply = migctl().run("mig", "apply", "-f", config.toString(), "--json");
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.json().get("operations").asInt()).isEqualTo(4);
  }
}
