package io.migctl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.apply.MigPartedFiles;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.ReconfigurationPlanner;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * mig-parted config files, as {@code migctl mig apply -f} reads them: parsed, every config selected
 * and resolved against a node of three models, and planned from their empty layouts.
 */
class MigPartedConfigFuzzTest {

  private static final String SOURCE = "config.yaml";

  private static final List<GpuSnapshot> NODE =
      GpuSnapshot.readAll(
          SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1,a30:1")));

  @FuzzTest
  void readResolveAndPlan(byte[] input) {
    Refusals.readText(
        SOURCE,
        input,
        text -> {
          MigPartedConfig config = MigPartedFiles.readConfig(text, SOURCE);
          for (String name : config.configs().keySet()) {
            Map<Integer, DesiredGpu> desired;
            try {
              desired = DesiredLayouts.resolve(config.select(Optional.of(name)), NODE);
            } catch (ConfigException e) {
              throw e.in(SOURCE); // as mig apply reports errors found against the GPUs
            }
            for (GpuSnapshot gpu : NODE) {
              DesiredGpu want = desired.get(gpu.device().index());
              if (want != null) {
                ReconfigurationPlanner.plan(gpu, want);
              }
            }
          }
        });
  }
}
