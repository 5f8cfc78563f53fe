package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl gpus --topo} on simulated nodes. */
class GpusTopologyCliTest {

  @TempDir Path home;

  private Invocations.Result run(String spec, String... args) {
    return new Invocations(home, spec).run(args);
  }

  @Test
  void anSxmNodePrintsNvlinkEverywhereAndALegend() {
    Invocations.Result r = run("a100-40gb:4", "gpus", "--topo");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out())
        .startsWith(
            """
                  GPU0  GPU1  GPU2  GPU3
            GPU0  X     NV    NV    NV
            GPU1  NV    X     NV    NV
            GPU2  NV    NV    X     NV
            GPU3  NV    NV    NV    X

            Legend:
            """)
        .contains("NV   = an NVLink", "SYS  = across NUMA nodes");
  }

  @Test
  void aPcieNodePrintsNumaLevels() {
    Invocations.Result r = run("h100-pcie:4", "gpus", "--topo");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out())
        .contains(
            """
            GPU0  X     NODE  SYS   SYS
            GPU1  NODE  X     SYS   SYS
            GPU2  SYS   SYS   X     NODE
            GPU3  SYS   SYS   NODE  X
            """);
  }

  @Test
  void jsonGivesEveryPairWithItsLevelNvlinkAndDistance() {
    Invocations.Result r = run("h100-nvl:4", "gpus", "--topo", "--json");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode json = r.json();
    assertThat(json.get("gpus").asInt()).isEqualTo(4);
    assertThat(json.get("known").asBoolean()).isTrue();
    assertThat(json.get("pairs")).hasSize(6);
    JsonNode first = json.get("pairs").get(0);
    assertThat(first.get("gpus").toString()).isEqualTo("[0,1]");
    assertThat(first.get("commonAncestor").asText()).isEqualTo("NODE");
    assertThat(first.get("nvlink").asText()).isEqualTo("present");
    assertThat(first.get("label").asText()).isEqualTo("NV");
    assertThat(first.get("description").asText()).isEqualTo("NVLink");
    JsonNode across = json.get("pairs").get(1);
    assertThat(across.get("gpus").toString()).isEqualTo("[0,2]");
    assertThat(across.get("nvlink").asText()).isEqualTo("absent");
    assertThat(across.get("description").asText()).isEqualTo("across NUMA nodes");
    assertThat(across.get("distance").asInt()).isGreaterThan(first.get("distance").asInt());
  }
}
