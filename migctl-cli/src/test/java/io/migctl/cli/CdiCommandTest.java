package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl cdi generate} on the simulated node, after {@code mig apply}. */
class CdiCommandTest {

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void generateWritesOneDevicePerMigDeviceToStandardOutputOrAFile() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Files.writeString(
        work.resolve("layout.yaml"),
        "version: v1\nmig-configs:\n  halves:\n    - devices: all\n      mig-enabled: true\n"
            + "      mig-devices: {\"3g.20gb\": 2}\n");
    assertThat(migctl.run("mig", "apply", "-f", work.resolve("layout.yaml").toString()).code())
        .isZero();

    Invocations.Result json = migctl.run("cdi", "generate", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode spec = new ObjectMapper().readTree(json.out());
    assertThat(spec.get("kind").asText()).isEqualTo("nvidia.com/mig");
    assertThat(spec.get("devices")).hasSize(4);
    JsonNode gpus = new ObjectMapper().readTree(migctl.run("gpus", "--json").out());
    assertThat(spec.findValuesAsText("name"))
        .containsExactlyInAnyOrderElementsOf(
            gpus.findValuesAsText("uuid").stream().filter(u -> u.startsWith("MIG-")).toList());

    Path file = work.resolve("cdi/migctl.yaml");
    Invocations.Result written = migctl.run("cdi", "generate", "-o", file.toString());
    assertThat(written.code()).as(written.err()).isZero();
    assertThat(written.out()).startsWith("wrote " + file + ": 4 MIG devices");
    assertThat(Files.readString(file)).startsWith("cdiVersion: 0.6.0\nkind: nvidia.com/mig\n");
  }
}
