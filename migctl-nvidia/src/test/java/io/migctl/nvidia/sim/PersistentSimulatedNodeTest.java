package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentSimulatedNodeTest {

  @TempDir Path dir;

  @Test
  void aSecondDriverOnTheSameFolderSeesTheFirstOnesChanges() {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1");
    SimulatedMigDriver first = SimulatedMigDriver.persistent(spec, dir);
    GpuInstance gi = first.createGpuInstance(1, 9, Optional.of(new Placement(4, 4)));
    ComputeInstance ci = first.createComputeInstance(1, gi.id(), 2, Optional.empty());
    first.hold(ci.uuid(), 77);

    SimulatedMigDriver second = SimulatedMigDriver.persistent(spec, dir);
    assertThat(second.gpus())
        .extracting(GpuDevice::uuid)
        .isEqualTo(first.gpus().stream().map(GpuDevice::uuid).toList());
    assertThat(second.gpuInstances(1)).containsExactly(gi);
    assertThat(second.computeInstances(1, gi.id())).containsExactly(ci);
    assertThat(second.processes(1)).extracting(p -> p.pid()).containsExactly(77L);
  }

  @Test
  void eachSpecHasItsOwnNode() {
    SimulatedMigDriver one =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse("a100-40gb:1"), dir);
    one.createGpuInstance(0, 19, Optional.empty());
    SimulatedMigDriver two =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse("a100-40gb:2"), dir);
    assertThat(two.gpuInstances(0)).isEmpty();
    // The same spec written differently is the same node.
    SimulatedMigDriver same =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse("A100-SXM4-40GB"), dir);
    assertThat(same.gpuInstances(0)).hasSize(1);
  }

  @Test
  void concurrentCreatorsNeverLoseOrDuplicateAnInstance() throws Exception {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse("a100-40gb:1");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<GpuInstance>> created = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        // Separate driver objects, as separate processes would have.
        SimulatedMigDriver d = SimulatedMigDriver.persistent(spec, dir);
        created.add(pool.submit(() -> d.createGpuInstance(0, 19, Optional.empty())));
      }
      List<GpuInstance> all = new ArrayList<>();
      for (Future<GpuInstance> f : created) {
        all.add(f.get());
      }
      assertThat(all).extracting(GpuInstance::id).doesNotHaveDuplicates();
      assertThat(SimulatedMigDriver.persistent(spec, dir).gpuInstances(0))
          .containsExactlyInAnyOrderElementsOf(all);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anUnreadableStateSaysHowToRecover() throws IOException {
    SimulatedNodeSpec spec = SimulatedNodeSpec.parse("a30:1");
    SimulatedMigDriver d = SimulatedMigDriver.persistent(spec, dir);
    d.createGpuInstance(0, 14, Optional.empty());
    try (var files = Files.list(dir)) {
      Path state = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
      Files.writeString(state, "{ not json");
    }
    assertThatThrownBy(d::gpus).hasMessageContaining("migctl sim reset-state");
    d.resetState();
    assertThat(d.gpuInstances(0)).isEmpty();
  }
}
