package io.migctl.daemon;

import static io.migctl.daemon.RuntimeScenario.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.ProfileName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on several devices in the job runtime (issue 20), on virtual time with the in-memory store,
 * fake processes and the simulated driver: whole GPUs, several MIG devices, the MIG mode switch.
 */
class GangJobScenarioTest {

  private static final String MIXED = "a100-40gb:1,a100-40gb:2:mig-off";

  @TempDir Path home;

  private static JobSpec gpus(String name, int count) {
    return JobSpec.of(name, List.of("train"), new GpuNeed.WholeGpus(count));
  }

  @Test
  void aGangJobTakesTheWholeGpusSeesThemAllAndGivesThemBackWhenItEnds() {
    try (RuntimeScenario s = new RuntimeScenario(home, MIXED)) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long slice = s.submit(spec("slice", "1g.5gb"));
      long gang = s.submit(gpus("gang", 2));
      long second = s.submit(gpus("second", 2));

      assertThat(s.state(slice)).isEqualTo(JobState.RUNNING);
      assertThat(s.state(gang)).isEqualTo(JobState.RUNNING);
      List<Job.Device> devices = s.job(gang).devices();
      assertThat(devices).extracting(Job.Device::gpu).containsExactly(1, 2);
      assertThat(devices).allMatch(Job.Device::whole);
      String list = devices.get(0).uuid() + "," + devices.get(1).uuid();
      assertThat(list).startsWith("GPU-");
      assertThat(s.process(gang).environment())
          .containsEntry("CUDA_VISIBLE_DEVICES", list)
          .containsEntry("NVIDIA_VISIBLE_DEVICES", list);

      assertThat(s.state(second)).isEqualTo(JobState.QUEUED);
      WaitingReason.NoWholeGpus why = (WaitingReason.NoWholeGpus) s.waiting(second).orElseThrow();
      assertThat(why.free()).isZero();
      assertThat(why.matching()).isEqualTo(2);
      assertThat(WaitingText.describe(why)).startsWith("needs 2 whole GPUs, 0 free");

      s.process(gang).exit(0);

      assertThat(s.state(gang)).isEqualTo(JobState.SUCCEEDED);
      assertThat(s.job(gang).devices()).as("kept for the record").isEqualTo(devices);
      assertThat(s.state(second)).isEqualTo(JobState.RUNNING);
      assertThat(s.job(second).devices()).extracting(Job.Device::gpu).containsExactly(1, 2);
      assertThat(s.state(slice)).isEqualTo(JobState.RUNNING);
    }
  }

  @Test
  void aGangJobGetsTheClosestFreeGpusByTheDriversTopologyAndSaysWhy() {
    // PCIe boards: GPUs 0-1 share one NUMA node, 2-3 the other (the simulated node's topology).
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb-pcie:4:mig-off")) {
      s.start();
      long one = s.submit(gpus("one", 1));
      long pair = s.submit(gpus("pair", 2));

      assertThat(s.job(one).devices()).extracting(Job.Device::gpu).containsExactly(0);
      assertThat(s.job(pair).devices())
          .as("not the lowest free (1, 2), which are across NUMA nodes")
          .extracting(Job.Device::gpu)
          .containsExactly(2, 3);
      assertThat(
              s.jobs().events(pair).stream()
                  .filter(e -> e.kind().equals("placed"))
                  .map(JobEvent::detail)
                  .findFirst())
          .get()
          .asString()
          .contains("GPU 2")
          .contains("GPU 3")
          .contains("same NUMA node");
    }
  }

  @Test
  void aJobWithACountGetsThatManyMigDevicesAndACrashKeepsThemAll() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      for (int start = 0; start < 4; start++) {
        s.create(0, "1g.5gb", start);
      }
      s.start();
      GpuNeed need = new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 3);
      long trio = s.submit(JobSpec.of("trio", List.of("serve"), need));
      long one = s.submit(spec("one", "1g.5gb"));
      long another = s.submit(spec("another", "1g.5gb"));

      List<Job.Device> devices = s.job(trio).devices();
      assertThat(devices).hasSize(3).extracting(Job.Device::uuid).doesNotHaveDuplicates();
      assertThat(s.process(trio).environment().get("CUDA_VISIBLE_DEVICES"))
          .isEqualTo(String.join(",", devices.stream().map(Job.Device::uuid).toList()));
      assertThat(s.state(one)).isEqualTo(JobState.RUNNING);
      assertThat(s.state(another))
          .as("three of four devices are the trio's")
          .isEqualTo(JobState.QUEUED);

      s.crash();

      assertThat(s.state(trio)).isEqualTo(JobState.RUNNING);
      assertThat(s.job(trio).devices()).isEqualTo(devices);
      assertThat(s.state(another)).isEqualTo(JobState.QUEUED);

      s.process(trio).exit(0);

      assertThat(s.state(another)).isEqualTo(JobState.RUNNING);
    }
  }

  @Test
  void withoutThePolicyFlagAGpuWithMigOnIsNeverMadeWhole() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long gang = s.submit(gpus("gang", 1));

      assertThat(s.state(gang)).isEqualTo(JobState.QUEUED);
      assertThat(WaitingText.describe(s.waiting(gang).orElseThrow()))
          .contains("only 0 GPUs of this node can serve it");
      assertThat(s.sim.gpus().getFirst().migMode().current()).isTrue();
    }
  }

  @Test
  void withThePolicyFlagAnIdleMigGpuIsTurnedWholeAsAJournaledReshapeButNotWhileHeld() {
    Scheduler.Policy policy = Scheduler.Policy.DEFAULT.withMigModeSwitch(true);
    try (RuntimeScenario s =
        new RuntimeScenario(home, "a100-40gb:1", policy, Repartition.OFF, Duration.ofSeconds(10))) {
      s.create(0, "1g.5gb", 0);
      s.start();
      long slice = s.submit(spec("slice", "1g.5gb"));
      long gang = s.submit(gpus("gang", 1));

      assertThat(s.state(gang)).as("the slice holds the GPU").isEqualTo(JobState.QUEUED);
      assertThat(s.sim.gpus().getFirst().migMode().current()).isTrue();

      s.process(slice).exit(0);

      assertThat(s.state(gang)).isEqualTo(JobState.RUNNING);
      assertThat(s.sim.gpus().getFirst().migMode().current()).isFalse();
      assertThat(s.job(gang).devices()).extracting(Job.Device::gpu).containsExactly(0);
      assertThat(s.kinds(gang)).containsSubsequence("reshape", "placed");
      assertThat(home.resolve("mig/journal.jsonl")).exists();
    }
  }
}
