package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.mig.ProfileName;
import io.migctl.daemon.container.ContainerEngine;
import io.migctl.daemon.container.ContainerJob;
import io.migctl.daemon.container.DeviceAccess;
import io.migctl.daemon.container.NoContainerRuntime;
import io.migctl.process.ScriptedToolRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs with an image on virtual time, with the fake engine: what the engine is asked to run, and
 * that a container goes with its attempt once the client is killed or the attempt has ended.
 */
class ContainerRuntimeScenarioTest {

  @TempDir Path home;

  private static JobSpec inImage(String name, String profile) {
    return inImage(name, new GpuNeed.Profile(ProfileName.parse(profile)));
  }

  private static JobSpec inImage(String name, GpuNeed gpu) {
    return new JobSpec(
            name,
            List.of("python", "train.py"),
            Optional.of("/work"),
            Optional.empty(),
            gpu,
            0,
            "alice",
            Optional.of(Duration.ofMinutes(5)),
            1,
            Map.of("SEED", "7"))
        .withImage(Optional.of("registry.example/ml/torch:2.4"));
  }

  /** The invocation the engine was asked for container {@code name} (submit asks one to check). */
  private static ContainerJob runOf(RuntimeScenario s, String name) {
    return s.fakeContainers.runs().stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no run of " + name));
  }

  @Test
  void theEngineRunsTheAttemptWithOnlyTheJobsVariablesAndItsDevice() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "3g.20gb", 0);
      s.start();
      long id = s.submit(inImage("train", "3g.20gb"));

      assertThat(s.state(id)).isEqualTo(JobState.RUNNING);
      ContainerJob run = runOf(s, "migctl-" + id + "-1");
      String uuid = s.job(id).device().orElseThrow().uuid();
      assertThat(run.image()).isEqualTo("registry.example/ml/torch:2.4");
      assertThat(run.command()).containsExactly("python", "train.py");
      assertThat(run.workdir()).contains("/work");
      assertThat(run.devices()).extracting(ContainerJob.Device::uuid).containsExactly(uuid);
      assertThat(run.variables())
          .containsEntry("SEED", "7")
          .containsEntry("CUDA_VISIBLE_DEVICES", uuid)
          .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid)
          .containsEntry("MIGCTL_JOB_ID", Long.toString(id))
          .as("nothing of the daemon's environment")
          .doesNotContainKey("PATH");
      assertThat(s.process(id).environment()).isEqualTo(run.variables());
      assertThat(s.fakeContainers.removed()).isEmpty();
    }
  }

  @Test
  void aContainerJobWithSeveralDevicesOrAWholeGpuGetsThemAll() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1,a100-40gb:1:mig-off")) {
      s.create(0, "3g.20gb", 0);
      s.create(0, "3g.20gb", 4);
      s.start();
      long pair =
          s.submit(
              inImage(
                  "pair",
                  new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("3g.20gb")), 2)));
      long whole = s.submit(inImage("whole", new GpuNeed.WholeGpus(1)));

      assertThat(s.state(pair)).isEqualTo(JobState.RUNNING);
      assertThat(s.state(whole)).isEqualTo(JobState.RUNNING);
      List<String> uuids = s.job(pair).devices().stream().map(Job.Device::uuid).toList();
      ContainerJob run = runOf(s, "migctl-" + pair + "-1");
      assertThat(run.devices()).extracting(ContainerJob.Device::uuid).isEqualTo(uuids).hasSize(2);
      assertThat(run.devices()).noneMatch(ContainerJob.Device::whole);
      assertThat(run.variables())
          .containsEntry("CUDA_VISIBLE_DEVICES", String.join(",", uuids))
          .containsEntry("NVIDIA_VISIBLE_DEVICES", String.join(",", uuids));
      ContainerJob gpu = runOf(s, "migctl-" + whole + "-1");
      assertThat(gpu.devices()).singleElement().matches(ContainerJob.Device::whole);
      assertThat(gpu.variables().get("NVIDIA_VISIBLE_DEVICES")).startsWith("GPU-");
    }
  }

  @Test
  void aKilledClientsContainerIsRemovedAndTheRetryGetsAContainerOfItsOwn() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "3g.20gb", 0);
      s.start();
      long id = s.submit(inImage("train", "3g.20gb"));
      s.process(id).ignoreTerm();

      s.advance(Duration.ofMinutes(5));
      assertThat(s.fakeContainers.removed()).isEmpty();
      s.advance(s.killGrace);

      assertThat(s.fakeContainers.removed()).contains("migctl-" + id + "-1");
      assertThat(s.job(id).attempt()).isEqualTo(2);
      assertThat(runOf(s, "migctl-" + id + "-2").image())
          .isEqualTo("registry.example/ml/torch:2.4");
    }
  }

  @Test
  void aJobOnTheHostNeverTouchesTheEngine() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.create(0, "3g.20gb", 0);
      s.start();
      long id = s.submit(inImage("host", "3g.20gb").withImage(Optional.empty()));
      s.process(id).exit(0);

      assertThat(s.state(id)).isEqualTo(JobState.SUCCEEDED);
      assertThat(s.fakeContainers.runs()).isEmpty();
      assertThat(s.fakeContainers.removed()).isEmpty();
    }
  }

  @Test
  void aJobWithAnImageIsRefusedAtSubmitWhereNoEngineRuns() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1")) {
      s.containers = new NoContainerRuntime("docker was not found on PATH; install docker.io");
      s.start();

      assertThatThrownBy(() -> s.submit(inImage("train", "3g.20gb")))
          .isInstanceOf(DaemonException.class)
          .hasMessage(
              "image: this daemon cannot run containers: docker was not found on PATH; install"
                  + " docker.io; or leave the image out to run the job on the host");
      assertThat(s.jobs().list(JobQuery.all())).isEmpty();
    }
  }

  @Test
  void aWholeGpuContainerJobIsRefusedAtSubmitWhereDevicesGoThroughCdi() {
    try (RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1:mig-off")) {
      s.containers =
          ContainerEngine.docker(
              Path.of("/usr/bin/docker"),
              Optional.empty(),
              DeviceAccess.CDI,
              "none",
              new ScriptedToolRunner());
      s.start();

      assertThatThrownBy(() -> s.submit(inImage("whole", new GpuNeed.WholeGpus(1))))
          .isInstanceOfSatisfying(DaemonException.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageStartingWith("image: a whole GPU cannot reach a container through CDI")
          .hasMessageContaining("serve without --cdi-spec");
      assertThat(s.jobs().list(JobQuery.all())).isEmpty();
    }
  }
}
