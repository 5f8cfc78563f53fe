package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which driver an invocation gets. NVML is made unavailable on purpose (a library path that does
 * not exist), so these tests mean the same on a machine with a GPU.
 */
class DriverSelectionTest {

  @TempDir Path home;

  private Invocations migctl(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("MIGCTL_NVML_LIBRARY", home.resolve("no-such/libnvidia-ml.so.1").toString());
    return new Invocations(home, all);
  }

  @Test
  void requiringNvmlWithoutItExitsOneSayingWhy() {
    Invocations.Result r = migctl(Map.of()).run("--driver", "nvml", "gpus");
    assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("migctl: --driver nvml: ").contains("no-such");
  }

  @Test
  void autoFallsBackToTheSimulatedNodeAndSaysSo() {
    Invocations.Result r = migctl(Map.of()).run("gpus", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("no NVIDIA GPU here", "using the simulated node a100-40gb:2", "--driver nvml");
    assertThat(r.json()).hasSize(2);
  }

  @Test
  void aSimulatedNodeAskedForNeedsNoNotice() {
    Invocations.Result sim = migctl(Map.of()).run("--driver", "sim", "gpus", "--json");
    assertThat(sim.code()).isZero();
    assertThat(sim.err()).isEmpty();
    Invocations.Result spec = migctl(Map.of()).run("--simulate", "h100-80gb:1", "gpus", "--json");
    assertThat(spec.err()).isEmpty();
    assertThat(spec.json()).hasSize(1);
    Invocations.Result env = migctl(Map.of("MIGCTL_DRIVER", "sim")).run("gpus", "--json");
    assertThat(env.err()).isEmpty();
  }

  @Test
  void contradictionsAreInvalidInput() {
    assertThat(migctl(Map.of()).run("--driver", "nvml", "--simulate", "a30", "gpus").code())
        .isEqualTo(ExitCode.INVALID_INPUT);
    Invocations.Result bad = migctl(Map.of("MIGCTL_DRIVER", "cuda")).run("gpus");
    assertThat(bad.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(bad.err()).contains("MIGCTL_DRIVER=cuda", "auto, nvml or sim");
    assertThat(migctl(Map.of()).run("--driver", "cuda", "gpus").code())
        .isEqualTo(ExitCode.INVALID_INPUT);
  }
}
