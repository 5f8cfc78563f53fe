package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Slurm 22.05 cluster ({@link SlurmCluster}) schedules two MIG slices written by hand into
 * {@code gres.conf} as typed GPUs: each job gets its own, a job asking for a third waits, and with
 * {@code ConstrainDevices=yes} a job can open its own slice's device nodes but not the other's.
 *
 * <p>The device nodes are made with {@code mknod}: both slices share the GPU's {@code nvidia0} (c
 * 195:0) and each has its two capability nodes (GPU instance and compute instance, a free major).
 * No driver stands behind them, so opening a node the cgroup lets through fails with {@code ENXIO}
 * ("No such device or address"), and one it denies with {@code EPERM} ("Operation not permitted").
 */
class SlurmClusterIT {

  private static final int CAPS_MAJOR = 509;

  private static Path dir;
  private static SlurmCluster slurm;
  private static List<Path> slice0;
  private static List<Path> slice1;

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    dir = SlurmCluster.newDir();
    Path gpu = dir.resolve("dev/nvidia0");
    SlurmCluster.mknod(gpu, 195, 0);
    slice0 = List.of(gpu, cap(21), cap(22));
    slice1 = List.of(gpu, cap(30), cap(31));
    for (Path p : List.of(cap(21), cap(22), cap(30), cap(31))) {
      SlurmCluster.mknod(p, CAPS_MAJOR, Integer.parseInt(p.getFileName().toString().substring(10)));
    }
    String gresConf =
        "Name=gpu Type=1g.5gb MultipleFiles="
            + join(slice0)
            + "\n"
            + "Name=gpu Type=1g.5gb MultipleFiles="
            + join(slice1)
            + "\n";
    Path taskProlog = dir.resolve("task-prolog.sh");
    Files.writeString(
        taskProlog,
        "#!/bin/sh\necho \"export PROLOG_SAW=job:$SLURM_JOB_GPUS,step:$SLURM_STEP_GPUS\"\n");
    taskProlog.toFile().setExecutable(true);
    Path prolog = dir.resolve("prolog.sh");
    Files.writeString(
        prolog,
        "#!/bin/sh\necho \"prolog $SLURM_JOB_ID gpus:$SLURM_JOB_GPUS\" >> " + jobLog() + "\n");
    prolog.toFile().setExecutable(true);
    Path epilog = dir.resolve("epilog.sh");
    Files.writeString(
        epilog,
        "#!/bin/sh\necho \"epilog $SLURM_JOB_ID gpus:$SLURM_JOB_GPUS\" >> " + jobLog() + "\n");
    epilog.toFile().setExecutable(true);
    slurm =
        SlurmCluster.start(
            dir,
            SlurmCluster.Options.of("gpu:1g.5gb:2", gresConf)
                .withConstrainDevices(true)
                .withTaskProlog(taskProlog)
                .withPrologEpilog(prolog, epilog));
  }

  private static Path jobLog() {
    return dir.resolve("prolog-epilog.log");
  }

  private static Path cap(int minor) {
    return dir.resolve("dev/nvidia-caps/nvidia-cap" + minor);
  }

  private static String join(List<Path> files) {
    return String.join(",", files.stream().map(Path::toString).toList());
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (slurm != null) {
      slurm.close();
    }
  }

  @AfterEach
  void cancelJobs() throws IOException, InterruptedException {
    slurm.cancelAllJobs();
  }

  @Test
  void aStepGetsOneTypedGpuNumberedByItsPlaceInGresConfAndTheTaskPrologSeesIt()
      throws IOException, InterruptedException {
    SlurmCluster.Result r = slurm.srun("--gres=gpu:1g.5gb:1", "env");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("SLURM_STEP_GPUS=0\n")
        .contains("CUDA_VISIBLE_DEVICES=0\n")
        .contains("PROLOG_SAW=job:,step:0\n");
  }

  @Test
  void aBatchJobSeesItsGpuAsSlurmJobGpus() throws IOException, InterruptedException {
    Path out = dir.resolve("batch-env.out");
    String id = slurm.sbatch("--gres=gpu:1g.5gb:1", "--output=" + out, "--wrap=env");
    slurm.awaitNoJobs();

    assertThat(Files.readString(out))
        .contains("SLURM_JOB_GPUS=0\n")
        .contains("PROLOG_SAW=job:0,step:\n");
  }

  @Test
  void thePrologAndEpilogRunAroundAJobAndSeeItsGpus() throws IOException, InterruptedException {
    String id = slurm.sbatch("--gres=gpu:1g.5gb:1", "--output=/dev/null", "--wrap=true");
    slurm.awaitNoJobs();
    slurm.await(
        "the epilog of job " + id,
        () -> Files.exists(jobLog()) && read(jobLog()).contains("epilog " + id));

    assertThat(read(jobLog()))
        .contains("prolog " + id + " gpus:0\n")
        .contains("epilog " + id + " gpus:0\n");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void twoJobsHoldBothSlicesAndAThirdWaitsForResources() throws IOException, InterruptedException {
    slurm.hold("gpu:1g.5gb:1");
    slurm.hold("gpu:1g.5gb:1");

    String third = slurm.sbatch("--gres=gpu:1g.5gb:1", "--output=/dev/null", "--wrap=true");

    slurm.awaitJobReason(third, "Resources");
    assertThat(slurm.jobState(third)).isEqualTo("PENDING");
    assertThat(slurm.scontrol("-d", "show", "node", "-o", slurm.nodeName()).output())
        .contains("GresUsed=gpu:1g.5gb:2(IDX:0-1)");
  }

  @Test
  void aJobOpensItsOwnSlicesNodesAndIsRefusedTheOthers() throws IOException, InterruptedException {
    DeviceProbe alone = openAll();
    assertThat(alone.gpus()).isEqualTo("0");
    assertOpensOnly(alone, slice0, slice1);

    slurm.hold("gpu:1g.5gb:1");
    DeviceProbe beside = openAll();
    assertThat(beside.gpus()).isEqualTo("1");
    assertOpensOnly(beside, slice1, slice0);
  }

  /** Runs the probe on one slice: for every device node, "opened" or the shell's error. */
  private static DeviceProbe openAll() throws IOException, InterruptedException {
    return DeviceProbe.run(
        slurm, "gpu:1g.5gb:1", List.of(slice0.get(0), cap(21), cap(22), cap(30), cap(31)));
  }

  private static void assertOpensOnly(DeviceProbe seen, List<Path> own, List<Path> other) {
    for (Path p : own) {
      assertThat(seen.opened().get(p))
          .as("%s, of the job's own slice", p)
          .contains("No such device");
    }
    for (Path p : other) {
      if (!own.contains(p)) {
        assertThat(seen.opened().get(p))
            .as("%s, of the other slice", p)
            .contains("Operation not permitted");
      }
    }
  }
}
