package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.process.SystemToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ScontrolSlurmController} against a real Slurm 22.05 cluster ({@link SlurmCluster}). */
class ScontrolSlurmControllerIT {

  private static final String REASON = "migctl reshape: applying all-1g.5gb (journal 3)";

  private static Path dir;
  private static SlurmCluster slurm;
  private static SlurmController controller;

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    dir = SlurmCluster.newDir();
    for (int minor = 0; minor < 3; minor++) {
      SlurmCluster.mknod(gpu(minor), 195, minor);
    }
    slurm =
        SlurmCluster.start(
            dir,
            SlurmCluster.Options.of(
                "gpu:1g.5gb:2",
                "Name=gpu Type=1g.5gb File="
                    + gpu(0)
                    + "\nName=gpu Type=1g.5gb File="
                    + gpu(1)
                    + "\n"));
    controller =
        new ScontrolSlurmController(
            new SystemToolRunner(), Optional.of(slurm.conf()), Duration.ofSeconds(60));
  }

  private static Path gpu(int minor) {
    return dir.resolve("dev/nvidia" + minor);
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (slurm != null) {
      slurm.close();
    }
  }

  @AfterEach
  void cancelJobsAndResume() throws IOException, InterruptedException {
    slurm.cancelAllJobs();
    controller.resume(slurm.nodeName());
    slurm.awaitIdle();
  }

  @Test
  void readsTheVersion() {
    assertThat(controller.version()).extracting(SlurmVersion::major).isEqualTo(22);
  }

  @Test
  void anIdleNodeDrainsAtOnceWithTheReasonAndResumes() {
    String node = slurm.nodeName();
    assertThat(controller.node(node).stateText()).isEqualTo("IDLE");

    controller.drain(node, REASON);

    SlurmNode drained = controller.node(node);
    assertThat(drained.stateText()).isEqualTo("DRAINED");
    assertThat(drained.reason()).contains(REASON);
    assertThat(drained.gres()).startsWith("gpu:1g.5gb:2");

    controller.resume(node);

    SlurmNode resumed = controller.node(node);
    assertThat(resumed.drainSet()).isFalse();
    assertThat(resumed.reason()).isEmpty();
  }

  @Test
  void aNodeWithARunningJobIsDrainingUntilTheJobEnds() throws IOException, InterruptedException {
    String node = slurm.nodeName();
    String id =
        slurm.sbatch(
            "--gres=gpu:1g.5gb:1", "--job-name=holder", "--output=/dev/null", "--wrap=sleep 600");
    slurm.awaitJobState(id, "RUNNING");

    assertThat(controller.jobsOn(node))
        .containsExactly(new SlurmJob(id, "RUNNING", "root", "holder"));

    controller.drain(node, REASON);

    SlurmNode draining = controller.node(node);
    assertThat(draining.stateText()).isEqualTo("DRAINING");
    assertThat(draining.runningJobs()).isEqualTo(1);
    assertThat(draining.gresUsed()).startsWith("gpu:1g.5gb:1(IDX:");

    slurm.run("scancel", id);
    slurm.await("node " + node + " to be drained", () -> controller.node(node).drained());
    assertThat(controller.jobsOn(node)).isEmpty();
    assertThat(controller.node(node).reason()).contains(REASON);
  }

  @Test
  void restartingInOrderTakesNewGpusWithoutInvalidRegistration()
      throws IOException, InterruptedException {
    String node = slurm.nodeName();
    controller.drain(node, REASON);
    slurm.reconfigure(
        "gpu:1g.5gb:2,gpu:2g.10gb:1",
        "Name=gpu Type=1g.5gb File="
            + gpu(0)
            + "\nName=gpu Type=1g.5gb File="
            + gpu(1)
            + "\nName=gpu Type=2g.10gb File="
            + gpu(2)
            + "\n");

    List<DaemonRestart.Step> done = controller.restartDaemons(slurm.daemonRestart());

    assertThat(done)
        .extracting(DaemonRestart.Step::action)
        .containsExactly(
            DaemonRestart.Action.STOP_SLURMD,
            DaemonRestart.Action.RESTART_SLURMCTLD,
            DaemonRestart.Action.START_SLURMD);
    slurm.await(
        "node " + node + " to register again", () -> !controller.node(node).has("NOT_RESPONDING"));
    SlurmNode after = controller.node(node);
    assertThat(after.gres()).isEqualTo("gpu:1g.5gb:2,gpu:2g.10gb:1");
    assertThat(after.states()).doesNotContain("INVALID_REG", "INVALID");
    assertThat(after.stateText()).isEqualTo("DRAINED");
    assertThat(after.reason()).contains(REASON);

    controller.resume(node);
    slurm.awaitIdle();
    SlurmCluster.Result r = slurm.srun("--gres=gpu:2g.10gb:1", "printenv", "SLURM_STEP_GPUS");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output().strip()).isEqualTo("2");
  }

  @Test
  void anUnknownNodeIsARefusalNamingIt() {
    assertThatThrownBy(() -> controller.node("nosuch"))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("show node nosuch")
        .hasMessageContaining("Node nosuch not found");
  }
}
