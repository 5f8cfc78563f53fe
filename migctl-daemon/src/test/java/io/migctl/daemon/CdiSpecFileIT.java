package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.daemon.container.ContainerOptions;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** {@code serve --cdi-spec}: the spec is written at start and follows every layout change. */
class CdiSpecFileIT {

  @TempDir Path home;
  @TempDir Path etc;

  /** The MIG device names in the spec file. */
  private static List<String> devices(Path file) throws Exception {
    Map<?, ?> spec =
        (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    return ((List<?>) spec.get("devices"))
        .stream().map(d -> (String) ((Map<?, ?>) d).get("name")).toList();
  }

  @Test
  void theSpecIsWrittenAtStartAndAfterEveryApply() throws Exception {
    Path file = etc.resolve("cdi/migctl.yaml");
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    UnaryOperator<NodeDaemon.Options> withSpec =
        o ->
            o.withContainers(
                new ContainerOptions(
                    ContainerOptions.Engine.NONE,
                    Optional.empty(),
                    "none",
                    Optional.of(file),
                    Optional.empty()));
    try (TestDaemon d = new TestDaemon(home, sim, withSpec)) {
      assertThat(devices(file)).isEmpty();

      assertThat(
              d.postJson("/api/v1/layout/apply", Map.of("config", LayoutFaultsIT.HALVES)).status())
          .isEqualTo(200);
      List<String> halves = devices(file);
      assertThat(halves).hasSize(4).allMatch(n -> n.startsWith("MIG-"));
      assertThat(d.get("/api/v1/gpus").json().findValuesAsText("uuid")).containsAll(halves);

      d.postJson("/api/v1/layout/apply", Map.of("config", LayoutFaultsIT.WHOLE));
      assertThat(devices(file)).hasSize(2).doesNotContainAnyElementsOf(halves);
    }
  }
}
