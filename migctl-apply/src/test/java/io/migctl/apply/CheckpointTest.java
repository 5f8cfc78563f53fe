package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import org.junit.jupiter.api.Test;

/** Reading checkpoint files: bounded, strict, and with messages in migctl's words. */
class CheckpointTest {

  private static String checkpointOfOneA100() {
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    return Checkpoint.of(GpuSnapshot.readAll(driver), "2026-12-06T00:00:00Z").toJson();
  }

  @Test
  void aCheckpointReadsBackAsWritten() {
    String text = checkpointOfOneA100();
    assertThat(Checkpoint.parse(text, "cp.json").toJson()).isEqualTo(text);
  }

  @Test
  void deeplyNestedJsonIsRefusedNamingTheFileAndTheBound() {
    String deep = "{\"version\": 1, \"gpus\": " + "[".repeat(3000) + "]".repeat(3000) + "}";
    assertThatThrownBy(() -> Checkpoint.parse(deep, "cp.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cp.json: nested more than 64 levels deep (line 1, column ");
  }

  @Test
  void wrongFieldsAreNamedByPathWithoutJavaTypeNames() {
    String text = checkpointOfOneA100();
    assertThatThrownBy(
            () -> Checkpoint.parse(text.replace("\"index\" : 0", "\"index\" : \"0\""), "cp.json"))
        .hasMessage("cp.json: gpus[0].index: expected a whole number, got the string \"0\"");
    assertThatThrownBy(
            () ->
                Checkpoint.parse(
                    text.replace("\"index\" : 0", "\"index\" : 0, \"extra\" : 0"), "cp.json"))
        .hasMessageStartingWith("cp.json: gpus[0]: unknown field 'extra'; known fields: [index,")
        .hasMessageNotContaining("io.migctl");
    assertThatThrownBy(() -> Checkpoint.parse(text.replace("\"index\" : 0,", ""), "cp.json"))
        .hasMessage("cp.json: gpus[0].index: missing; give a whole number");
    assertThatThrownBy(() -> Checkpoint.parse(text + "{}", "cp.json"))
        .hasMessageStartingWith("cp.json: more text after the JSON document");
  }

  /** Found by CheckpointFuzzTest: the document {@code null} read as no checkpoint at all. */
  @Test
  void aDocumentThatIsNotAnObjectIsRefusedSayingWhatItIs() {
    assertThatThrownBy(() -> Checkpoint.parse("null", "cp.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cp.json: the file holds null; a checkpoint is the JSON object");
    assertThatThrownBy(() -> Checkpoint.parse("[1]", "cp.json"))
        .hasMessageStartingWith(
            "cp.json: the file holds an array; a checkpoint is the JSON object");
  }
}
