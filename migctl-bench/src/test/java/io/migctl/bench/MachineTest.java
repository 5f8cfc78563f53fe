package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {

  @TempDir Path dir;

  @Test
  void takesTheFirstModelNameOfCpuinfo() {
    assertThat(
            Machine.cpuModel(
                List.of(
                    "processor\t: 0",
                    "vendor_id\t: AuthenticAMD",
                    "model name\t: AMD EPYC 7B13",
                    "processor\t: 1",
                    "model name\t: AMD EPYC 7B13")))
        .contains("AMD EPYC 7B13");
    assertThat(Machine.cpuModel(List.of("processor\t: 0", "model name\t:"))).isEmpty();
    assertThat(Machine.cpuModel(List.of())).isEqualTo(Optional.empty());
  }

  @Test
  void describesCpusJavaAndTheFileSystem() {
    assertThat(Machine.describe(dir))
        .startsWith(Runtime.getRuntime().availableProcessors() + " CPUs")
        .contains("Java " + Runtime.version())
        .contains("files on ")
        .contains("(" + dir + ")");
  }
}
