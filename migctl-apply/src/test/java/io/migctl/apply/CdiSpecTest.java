package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.migctl.apply.cdi.CdiSpec;
import io.migctl.core.job.MigSlot;
import io.migctl.core.mig.CapMinors;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.nvidia.dev.DriverDeviceNodes;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code migctl cdi generate}'s spec of a two-GPU simulated layout: one device per MIG device with
 * exactly its own nodes, the shared nodes once, valid against the CDI JSON schema (a copy of
 * cncf-tags/container-device-interface's, see {@code cdi/SOURCE.md}) in YAML and in JSON.
 */
class CdiSpecTest {

  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(SchemaLocation.of("classpath:cdi/schema.json"));

  @TempDir Path dir;

  /** GPU 0: 2g.10gb and 3g.20gb; GPU 1: 1g.5gb. */
  private static SimulatedMigDriver node() {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    LayoutApplierTest.create(sim, 0, "2g.10gb", 0);
    LayoutApplierTest.create(sim, 0, "3g.20gb", 4);
    LayoutApplierTest.create(sim, 1, "1g.5gb", 0);
    return sim;
  }

  /** The driver's files as NVIDIA's driver writes them, with its numbering of access minors. */
  private DriverDeviceNodes nodes(Path devRoot) throws Exception {
    Path proc = dir.resolve("proc");
    Files.createDirectories(proc.resolve("driver/nvidia-caps"));
    Files.writeString(
        proc.resolve("devices"),
        "Character devices:\n  1 mem\n195 nvidia-frontend\n236 nvidia-uvm\n237 nvidia-caps\n");
    List<String> lines = new ArrayList<>(List.of("config 1", "monitor 2"));
    CapMinors minors = CapMinors.nvidia();
    for (int gpu = 0; gpu < 2; gpu++) {
      for (int gi = 0; gi < CapMinors.GPU_INSTANCE_IDS; gi++) {
        lines.add("gpu" + gpu + "/gi" + gi + "/access " + minors.gpuInstance(gpu, gi).getAsInt());
        for (int ci = 0; ci < CapMinors.COMPUTE_INSTANCE_IDS; ci++) {
          lines.add(
              "gpu%d/gi%d/ci%d/access %d"
                  .formatted(gpu, gi, ci, minors.computeInstance(gpu, gi, ci).getAsInt()));
        }
      }
    }
    Files.write(proc.resolve("driver/nvidia-caps/mig-minors"), lines);
    return new DriverDeviceNodes(proc, devRoot, gpu -> gpu);
  }

  @Test
  void eachMigDeviceGetsExactlyItsOwnNodesAndTheSharedOnesAreCommon() throws Exception {
    SimulatedMigDriver sim = node();
    JsonNode spec = new ObjectMapper().readTree(CdiSpec.of(sim, nodes(Path.of("/dev"))).json());

    List<MigSlot> slots = MigSlot.of(GpuSnapshot.readAll(sim), Set.of());
    assertThat(spec.get("cdiVersion").asText()).isEqualTo("0.6.0");
    assertThat(spec.get("kind").asText()).isEqualTo("nvidia.com/mig");
    assertThat(spec.get("devices")).hasSize(3);
    CapMinors minors = CapMinors.nvidia();
    for (int i = 0; i < slots.size(); i++) {
      MigSlot slot = slots.get(i);
      JsonNode device = spec.get("devices").get(i);
      assertThat(device.get("name").asText()).isEqualTo(slot.uuid());
      JsonNode edits = device.get("containerEdits");
      assertThat(edits.get("env").toString()).contains("NVIDIA_VISIBLE_DEVICES=" + slot.uuid());
      List<String> paths = new ArrayList<>();
      edits.get("deviceNodes").forEach(n -> paths.add(n.get("path").asText()));
      int gi = minors.gpuInstance(slot.gpu(), slot.gpuInstanceId()).getAsInt();
      int ci =
          minors
              .computeInstance(slot.gpu(), slot.gpuInstanceId(), slot.computeInstanceId())
              .getAsInt();
      assertThat(paths)
          .containsExactly(
              "/dev/nvidia" + slot.gpu(),
              "/dev/nvidia-caps/nvidia-cap" + gi,
              "/dev/nvidia-caps/nvidia-cap" + ci);
      JsonNode cap = edits.get("deviceNodes").get(2);
      assertThat(cap.get("major").asInt()).isEqualTo(237);
      assertThat(cap.get("minor").asInt()).isEqualTo(ci);
      assertThat(cap.get("type").asText()).isEqualTo("c");
      assertThat(cap.has("hostPath")).as("a real node is where the container sees it").isFalse();
    }
    List<String> common = new ArrayList<>();
    spec.get("containerEdits").get("deviceNodes").forEach(n -> common.add(n.get("path").asText()));
    assertThat(common)
        .containsExactly("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools");
  }

  @Test
  void nodesKeptElsewhereOnTheHostNameTheirHostPath() throws Exception {
    JsonNode spec =
        new ObjectMapper().readTree(CdiSpec.of(node(), nodes(Path.of("/var/sim/dev"))).json());

    JsonNode first = spec.get("devices").get(0).get("containerEdits").get("deviceNodes").get(1);
    assertThat(first.get("path").asText()).startsWith("/dev/nvidia-caps/nvidia-cap");
    assertThat(first.get("hostPath").asText()).startsWith("/var/sim/dev/nvidia-caps/nvidia-cap");
  }

  @Test
  void theYamlAndTheJsonAreValidCdiSpecs() throws Exception {
    CdiSpec spec = CdiSpec.of(node(), nodes(Path.of("/var/sim/dev")));

    assertThat(SCHEMA.validate(spec.yaml(), InputFormat.YAML)).isEmpty();
    assertThat(SCHEMA.validate(spec.json(), InputFormat.JSON)).isEmpty();
    assertThat(new Load(LoadSettings.builder().build()).loadFromString(spec.yaml()))
        .as("the same spec either way")
        .isEqualTo(new ObjectMapper().readValue(spec.json(), Map.class));
  }

  @Test
  void theSchemaRefusesASpecWithoutItsKindOrADeviceWithoutEdits() {
    assertThat(SCHEMA.validate("{\"cdiVersion\":\"0.6.0\",\"devices\":[]}", InputFormat.JSON))
        .isNotEmpty();
    assertThat(
            SCHEMA.validate(
                "{\"cdiVersion\":\"0.6.0\",\"kind\":\"nvidia.com/mig\",\"devices\":[{\"name\":\"x\"}]}",
                InputFormat.JSON))
        .isNotEmpty();
  }

  @Test
  void anEmptyLayoutIsAValidSpecWithoutDevices() throws Exception {
    CdiSpec spec =
        CdiSpec.of(
            SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")),
            nodes(Path.of("/dev")));

    assertThat(spec.deviceCount()).isZero();
    assertThat(SCHEMA.validate(spec.yaml(), InputFormat.YAML)).isEmpty();
  }

  @Test
  void writingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("etc/cdi/migctl.yaml");
    CdiSpec.write(file, "old\n");
    CdiSpec.write(file, "new\n");

    assertThat(Files.readString(file)).isEqualTo("new\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aNodeShowsInTheContainerAtItsDriverPath() {
    assertThat(CdiSpec.containerPath(Path.of("/h/sim/dev/nvidia-caps/nvidia-cap30")))
        .isEqualTo(Path.of("/dev/nvidia-caps/nvidia-cap30"));
    assertThat(CdiSpec.containerPath(Path.of("/h/sim/dev/nvidia1")))
        .isEqualTo(Path.of("/dev/nvidia1"));
    assertThat(CdiSpec.containerPath(Path.of("/dev/nvidia-uvm")))
        .isEqualTo(Path.of("/dev/nvidia-uvm"));
  }
}
