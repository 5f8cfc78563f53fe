package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.GpuState;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout changes through the daemon when the driver fails, or the request names what is not. */
class LayoutFaultsIT {

  static final String WHOLE =
      """
      version: v1
      mig-configs:
        whole:
          - devices: all
            mig-enabled: true
            mig-devices: {"7g.40gb": 1}
      """;

  static final String HALVES =
      """
      version: v1
      mig-configs:
        halves:
          - devices: all
            mig-enabled: true
            mig-devices: {"3g.20gb": 2}
      """;

  @TempDir Path home;

  @Test
  void aFailedDriverStepIsUndoneAndAnswered500WithTheOutcomePerGpu() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d = new TestDaemon(home, sim)) {
      assertThat(d.postJson("/api/v1/layout/apply", Map.of("config", WHOLE)).status())
          .isEqualTo(200);
      GpuState before = GpuState.of(GpuSnapshot.read(sim, sim.gpus().getFirst()));
      sim.failNext(SimOperation.CREATE_GI, DriverError.INSUFFICIENT_RESOURCES, 1, 1);

      TestDaemon.Reply r = d.postJson("/api/v1/layout/apply", Map.of("config", HALVES));

      assertThat(r.status()).as(r.body()).isEqualTo(500);
      assertThat(r.json().get("code").asText()).isEqualTo("apply-failed");
      assertThat(r.json().get("message").asText())
          .contains("GPU 0: create GPU instance 3g.20gb", "Insufficient Resources")
          .contains("undone: GPU 0 has its old layout again");
      JsonNode gpu = r.json().get("gpus").get(0);
      assertThat(gpu.get("outcome").asText()).isEqualTo("undone");
      assertThat(gpu.get("undo").findValuesAsText("result")).containsOnly("done");
      assertThat(GpuState.of(GpuSnapshot.read(sim, sim.gpus().getFirst()))).isEqualTo(before);
      assertThat(
              new ApplyJournal(home.resolve("mig/journal.jsonl"), Clock.systemUTC())
                  .read().stream().map(ApplyJournal.Entry::event))
          .contains("step-failed", "undo-done");
    }
  }

  @Test
  void aGpuIndexTheNodeLacksIs400AndChangesNothing() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    try (TestDaemon d = new TestDaemon(home, sim)) {
      String config =
          """
          version: v1
          mig-configs:
            far:
              - devices: [99]
                mig-enabled: true
                mig-devices: {"7g.40gb": 1}
          """;

      TestDaemon.Reply r = d.postJson("/api/v1/layout/apply", Map.of("config", config));

      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.json().get("message").asText())
          .contains("devices", "GPU 99 is not on this node", "GPUs 0 (NVIDIA A100-SXM4-40GB), 1");
      assertThat(d.get("/api/v1/gpus").json().findValues("instances")).allMatch(JsonNode::isEmpty);
    }
  }
}
