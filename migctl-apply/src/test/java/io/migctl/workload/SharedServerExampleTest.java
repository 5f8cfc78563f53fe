package io.migctl.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.apply.MigPartedFiles;
import io.migctl.apply.MigPartedWriter;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.core.plan.Assignment;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.GpuLayout;
import io.migctl.core.plan.NodeGpu;
import io.migctl.core.workload.Workload;
import io.migctl.env.spec.EnvironmentFiles;
import io.migctl.env.venv.VenvBackend;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The example bundled with the CLI ({@code examples/shared-server}): it reads, its environments are
 * three distinct venv-buildable specs, and it plans onto its simulated node as its README says.
 */
class SharedServerExampleTest {

  /** The example in the checkout; Maven runs tests in the module's folder. */
  static final Path EXAMPLE =
      Path.of(System.getProperty("migctl.examples.dir", "../examples")).resolve("shared-server");

  @Test
  void readsWithEveryEnvironmentAndScriptInPlace() {
    Workload w = WorkloadFiles.read(EXAMPLE.resolve(WorkloadFiles.WORKLOAD_FILE));

    assertThat(w.name()).isEqualTo("shared-server");
    assertThat(w.simulate()).contains("a100-40gb:2");
    assertThat(w.environments()).containsOnlyKeys("train", "infer", "preprocess");
    assertThat(w.jobSpecs())
        .extracting(JobSpec::name)
        .containsExactly("preprocess", "train", "infer-1", "infer-2", "infer-3");
    for (JobSpec spec : w.jobSpecs()) {
      assertThat(spec.command().getFirst()).isEqualTo("python");
      assertThat(EXAMPLE.resolve(spec.command().get(1))).as(spec.name()).isRegularFile();
      assertThat(spec.environment()).as(spec.name()).isPresent();
      assertThat(spec.timeout()).as(spec.name()).isPresent();
    }
  }

  @Test
  void environmentsAreThreeDistinctBuildsTheVenvBackendAccepts() throws IOException {
    Workload w = WorkloadFiles.read(EXAMPLE.resolve(WorkloadFiles.WORKLOAD_FILE));
    Set<String> hashes = new HashSet<>();

    for (String path : w.environments().values()) {
      EnvironmentSpec spec = EnvironmentFiles.parse(Files.readString(Path.of(path)), path);
      VenvBackend.check(spec); // only python: builds offline
      assertThat(spec.pip()).as(path).isEmpty();
      assertThat(spec.variables()).as(path).containsKey("EXAMPLE_ENVIRONMENT");
      hashes.add(CanonicalSpec.of(spec, "linux-64", "venv").hash());
    }

    assertThat(hashes).hasSize(3);
  }

  @Test
  void plansOntoOneOfTheTwoSimulatedA100s() {
    Workload w = WorkloadFiles.read(EXAMPLE.resolve(WorkloadFiles.WORKLOAD_FILE));
    List<NodeGpu> gpus = new ArrayList<>();
    for (SimulatedNodeSpec.Entry e :
        SimulatedNodeSpec.parse(w.simulate().orElseThrow()).entries()) {
      for (int i = 0; i < e.count(); i++) {
        gpus.add(new NodeGpu(gpus.size(), e.model()));
      }
    }

    DemandPlan plan = new DemandPlanner().plan(w.demands(), gpus);

    assertThat(gpus).extracting(NodeGpu::model).containsOnly(Catalog.A100_40GB);
    assertThat(plan.placedAll()).isTrue();
    assertThat(plan.optimal()).isTrue();
    assertThat(plan.withoutGpu()).containsExactly("preprocess");
    assertThat(plan.assignments())
        .extracting(a -> a.job() + " " + a.instance())
        .containsExactly(
            "train 2g.10gb@0:2", "infer-1 1g.5gb@2:1", "infer-2 1g.5gb@3:1", "infer-3 1g.5gb@6:1");
    assertThat(plan.assignments()).extracting(Assignment::gpu).containsOnly(0);
    assertThat(plan.gpus()).extracting(GpuLayout::touched).containsExactly(true, false);
  }

  @Test
  void thePlanWritesAsAMigPartedFileThatReadsBack() {
    Workload w = WorkloadFiles.read(EXAMPLE.resolve(WorkloadFiles.WORKLOAD_FILE));
    DemandPlan plan =
        new DemandPlanner()
            .plan(
                w.demands(),
                List.of(new NodeGpu(0, Catalog.A100_40GB), new NodeGpu(1, Catalog.A100_40GB)));

    MigPartedConfig config = plan.migPartedConfig(w.name());
    String yaml = MigPartedWriter.yaml(config);

    assertThat(yaml)
        .isEqualTo(
            """
            version: v1
            mig-configs:
              shared-server:
              - devices: [0]
                mig-enabled: true
                mig-devices:
                  "1g.5gb": 3
                  "2g.10gb": 1
            """);
    MigPartedConfig back = MigPartedFiles.readConfig(yaml, "plan.yaml");
    assertThat(back.select(Optional.of(w.name())).getFirst().migDevices())
        .isEqualTo(config.select(Optional.of(w.name())).getFirst().migDevices());
    assertThat(back.select(Optional.of(w.name())).getFirst().devices())
        .isEqualTo(config.select(Optional.of(w.name())).getFirst().devices());
  }
}
