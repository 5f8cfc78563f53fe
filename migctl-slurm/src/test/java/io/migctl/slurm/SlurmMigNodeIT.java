package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.slurm.GresNaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17's acceptance on one node: a simulated A100-40GB with MIG slices (2×1g.5gb, 2g.10gb,
 * 3g.20gb) is a Slurm 22.05 node configured only from what migctl generates ({@link MigSlurmNode}),
 * and jobs get exactly their slices: the task sees their MIG UUIDs in Slurm's order, a third job on
 * two held slices waits for Resources, the device cgroup lets a job open its own slice's nodes and
 * refuses every other slice's, and the prolog and epilog keep DCGM's job mapping. The slice behind
 * each of Slurm's indexes comes from {@code slurmd -G} and the simulated driver, not from the map
 * under test.
 */
class SlurmMigNodeIT {

  private static MigSlurmNode node;

  @BeforeAll
  static void startNode() throws IOException, InterruptedException {
    node = MigSlurmNode.start(GresNaming.PROFILE);
  }

  @AfterAll
  static void stopNode() throws IOException {
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void cancelJobs() throws IOException, InterruptedException {
    node.slurm().cancelAllJobs();
  }

  @Test
  void theNodeOffersEveryMigDeviceAsItsProfile() {
    assertThat(node.slices())
        .extracting(MigSlurmNode.Slice::type)
        .containsExactlyInAnyOrder("1g.5gb", "1g.5gb", "2g.10gb", "3g.20gb");
  }

  @Test
  void aStepSeesExactlyItsSlicesMigUuidsInSlurmsOrder() throws IOException, InterruptedException {
    assertStepSeesItsSlices(node, "gpu:1g.5gb:1", "1g.5gb");
    assertStepSeesItsSlices(node, "gpu:1g.5gb:2", "1g.5gb", "1g.5gb");
    assertStepSeesItsSlices(node, "gpu:3g.20gb:1,gpu:1g.5gb:1", "1g.5gb", "3g.20gb");
  }

  @Test
  void aBatchJobSeesExactlyItsSlicesMigUuids() throws IOException, InterruptedException {
    assertBatchJobSeesItsSlices(node, "gpu:2g.10gb:1", "2g.10gb");
    assertBatchJobSeesItsSlices(node, "gpu:1g.5gb:2", "1g.5gb", "1g.5gb");
  }

  @Test
  void twoJobsHoldBothOneGSlicesAndAThirdWaitsForResources()
      throws IOException, InterruptedException {
    SlurmCluster slurm = node.slurm();
    slurm.hold("gpu:1g.5gb:1");
    slurm.hold("gpu:1g.5gb:1");

    String third = slurm.sbatch("--gres=gpu:1g.5gb:1", "--output=/dev/null", "--wrap=true");

    slurm.awaitJobReason(third, "Resources");
    assertThat(slurm.jobState(third)).isEqualTo("PENDING");
    // The 2g and 3g slices are still free: the third waits for its type, not for any GPU.
    assertThat(slurm.scontrol("-d", "show", "node", "-o", slurm.nodeName()).output())
        .containsPattern("GresUsed=\\S*gpu:1g\\.5gb:2\\(IDX:")
        .contains("gpu:2g.10gb:0(IDX:N/A)")
        .contains("gpu:3g.20gb:0(IDX:N/A)");
  }

  @Test
  void aJobOpensItsOwnSlicesNodesAndIsRefusedEveryOtherSlicesCaps()
      throws IOException, InterruptedException {
    for (String type : List.of("1g.5gb", "3g.20gb")) {
      String gres = "gpu:" + type + ":1";
      DeviceProbe probe =
          DeviceProbe.run(
              node.slurm(),
              gres,
              node.slices().stream().flatMap(s -> s.files().stream()).distinct().toList());
      MigSlurmNode.Slice own = node.slice(Integer.parseInt(probe.gpus()));
      assertThat(own.type()).isEqualTo(type);

      for (Path file : own.files()) {
        // No driver stands behind the node: ENXIO means the cgroup let the open through.
        assertThat(probe.opened().get(file))
            .as("%s of the job's own slice %s", file, own)
            .contains("No such device");
      }
      for (MigSlurmNode.Slice other : node.slices()) {
        if (other.index() == own.index()) {
          continue;
        }
        for (Path cap : other.capNodes()) {
          assertThat(probe.opened().get(cap))
              .as("%s of slice %s, asked for %s", cap, other, gres)
              .contains("Operation not permitted");
        }
      }
    }
  }

  @Test
  void thePrologMapsARunningJobsSliceForDcgmAndTheEpilogRemovesIt()
      throws IOException, InterruptedException {
    SlurmCluster slurm = node.slurm();
    Path out = slurm.dir().resolve("dcgm-job.out");
    String id =
        slurm.sbatch(
            "--gres=gpu:1g.5gb:1",
            "--output=" + out,
            "--wrap=echo \"$SLURM_JOB_GPUS\"; exec sleep 600");
    node.awaitLine(out);
    MigSlurmNode.Slice slice = node.slice(Integer.parseInt(MigSlurmNode.read(out).strip()));
    Path mapping = node.dcgmDir().resolve(slice.dcgmName());

    assertThat(MigSlurmNode.read(mapping)).isEqualTo(id + "\n");
    try (Stream<Path> files = Files.list(node.dcgmDir())) {
      assertThat(files).containsExactly(mapping);
    }

    assertThat(slurm.run("scancel", id).exitCode()).isZero();
    slurm.awaitNoJobs();
    slurm.await("the epilog to remove " + mapping, () -> !Files.exists(mapping));
  }

  /** The same jobs on the same node, its types named as Slurm's NVML autodetection names them. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AutodetectTypes {

    private MigSlurmNode autodetected;

    @BeforeAll
    void startNode() throws IOException, InterruptedException {
      autodetected = MigSlurmNode.start(GresNaming.AUTODETECT);
    }

    @AfterAll
    void stopNode() throws IOException {
      if (autodetected != null) {
        autodetected.close();
      }
    }

    @Test
    void jobsAskingForNvmlsTypeNamesSeeExactlyTheirSlices()
        throws IOException, InterruptedException {
      assertThat(autodetected.slices())
          .extracting(MigSlurmNode.Slice::type)
          .containsExactlyInAnyOrder(
              "nvidia_a100_1g.5gb",
              "nvidia_a100_1g.5gb",
              "nvidia_a100_2g.10gb",
              "nvidia_a100_3g.20gb");

      assertStepSeesItsSlices(autodetected, "gpu:nvidia_a100_1g.5gb:1", "nvidia_a100_1g.5gb");
      assertStepSeesItsSlices(
          autodetected, "gpu:nvidia_a100_1g.5gb:2", "nvidia_a100_1g.5gb", "nvidia_a100_1g.5gb");
      assertBatchJobSeesItsSlices(autodetected, "gpu:nvidia_a100_3g.20gb:1", "nvidia_a100_3g.20gb");
    }
  }

  // --- helpers

  /**
   * Runs {@code env} under {@code srun --gres=GRES}: the step's GPUs are {@code types}, and {@code
   * CUDA_VISIBLE_DEVICES} and {@code NVIDIA_VISIBLE_DEVICES} are their UUIDs in the order of {@code
   * SLURM_STEP_GPUS}.
   */
  private static void assertStepSeesItsSlices(MigSlurmNode on, String gres, String... types)
      throws IOException, InterruptedException {
    SlurmCluster.Result r = on.slurm().srun("--gres=" + gres, "env");
    assertThat(r.exitCode()).as(r.output()).isZero();

    assertSeesItsSlices(on, MigSlurmNode.environment(r.output()), "SLURM_STEP_GPUS", gres, types);
  }

  /** As {@link #assertStepSeesItsSlices} for an {@code sbatch} job, from {@code SLURM_JOB_GPUS}. */
  private static void assertBatchJobSeesItsSlices(MigSlurmNode on, String gres, String... types)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(on.slurm().dir(), "batch-env", ".out");
    on.slurm().sbatch("--gres=" + gres, "--output=" + out, "--wrap=env");
    on.slurm().awaitNoJobs();

    assertSeesItsSlices(
        on, MigSlurmNode.environment(MigSlurmNode.read(out)), "SLURM_JOB_GPUS", gres, types);
  }

  private static void assertSeesItsSlices(
      MigSlurmNode on, Map<String, String> env, String gpusVariable, String gres, String... types) {
    String gpus = env.get(gpusVariable);
    assertThat(gpus).as("%s of a job asking for %s: %s", gpusVariable, gres, env).isNotBlank();
    List<MigSlurmNode.Slice> given = on.slices(gpus);
    String uuids = String.join(",", given.stream().map(MigSlurmNode.Slice::uuid).toList());

    assertThat(given)
        .as("the slices behind %s=%s", gpusVariable, gpus)
        .extracting(MigSlurmNode.Slice::type)
        .containsExactlyInAnyOrder(types);
    assertThat(given).extracting(MigSlurmNode.Slice::uuid).doesNotHaveDuplicates();
    assertThat(env.get("CUDA_VISIBLE_DEVICES")).as("asking for %s", gres).isEqualTo(uuids);
    assertThat(env.get("NVIDIA_VISIBLE_DEVICES")).as("asking for %s", gres).isEqualTo(uuids);
  }
}
