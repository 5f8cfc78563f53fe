package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The field's configs against GPUs: every config of every valid file in {@code
 * configs-in-the-wild/}, on an 8-GPU simulated node of every catalog model, either resolves to a
 * per-GPU layout or is refused with a {@link ConfigException} that says why — never anything else.
 * Configs that mig-parted reads but that cannot work on the GPU they name are refused up front.
 */
class ConfigsInTheWildOnGpusTest {

  private static Path folder() {
    return MigPartedFilesTest.shared("reference/mig/configs-in-the-wild");
  }

  @Test
  void everyConfigResolvesOrIsRefusedWithAReason() throws IOException {
    int resolved = 0;
    int refused = 0;
    List<String> files;
    try (Stream<Path> s = Files.list(folder())) {
      files = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    }
    for (GpuModel model : Catalog.models()) {
      List<GpuSnapshot> gpus = node(model);
      for (String name : files) {
        String text = Files.readString(folder().resolve(name));
        if (name.endsWith(".md") || text.matches("(?s).*(?m)^\\s*hooks:.*")) {
          continue;
        }
        MigPartedConfig config;
        try {
          config = MigPartedFiles.readConfig(text, name);
        } catch (ConfigException e) {
          continue; // templates: ConfigsInTheWildTest covers what reading refuses
        }
        for (String c : config.configs().keySet()) {
          try {
            DesiredLayouts.resolve(config.select(Optional.of(c)), gpus);
            resolved++;
          } catch (ConfigException e) {
            assertThat(e.getMessage())
                .as("%s %s on %s", name, c, model.key())
                .contains("mig-configs." + c);
            refused++;
          }
        }
      }
    }
    assertThat(resolved).isPositive();
    assertThat(refused).isPositive();
  }

  @Test
  void twoFullInstancesOnOneGpuAreRefusedWithTheReason() throws IOException {
    String name = "NVIDIA__deepops__config.example_nvidia-mig-config.yml";
    MigPartedConfig config =
        MigPartedFiles.readConfig(Files.readString(folder().resolve(name)), name);
    List<ConfigEntry> entries = config.select(Optional.of("all-7g.80gb"));
    assertThatThrownBy(() -> DesiredLayouts.resolve(entries, node(Catalog.A100_80GB)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mig-configs.all-7g.80gb[0].mig-devices")
        .hasMessageContaining("7g.80gb")
        .hasMessageContaining("at most 1");
  }

  private static List<GpuSnapshot> node(GpuModel model) {
    SimulatedMigDriver driver =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(model.key() + ":8"));
    List<GpuSnapshot> out = new ArrayList<>(GpuSnapshot.readAll(driver));
    return out;
  }
}
