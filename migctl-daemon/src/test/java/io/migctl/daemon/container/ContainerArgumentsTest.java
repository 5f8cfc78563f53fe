package io.migctl.daemon.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import io.migctl.process.ScriptedToolRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ContainerArgumentsTest {

  private static final String UUID = "MIG-11111111-2222-3333-4444-555555555555";

  private static ContainerJob job() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("SECRET", "s3cr3t value");
    vars.put("CUDA_VISIBLE_DEVICES", UUID);
    vars.put("NVIDIA_VISIBLE_DEVICES", UUID);
    return new ContainerJob(
        ContainerJob.nameOf(7, 2),
        "registry.example/ml/torch:2.4",
        List.of("python", "-c", "print('--rm')"),
        vars,
        Optional.of("/work"),
        new HostLimits(OptionalLong.of(16384), OptionalInt.of(1500), OptionalInt.of(512)),
        List.of(migDevice(UUID, 21)),
        List.of(Path.of("/home/m/envs/abc")),
        Optional.of("1001:1001"));
  }

  /** A MIG device of GPU 0 whose compute instance's cap node has {@code minor}. */
  private static ContainerJob.Device migDevice(String uuid, int minor) {
    return new ContainerJob.Device(
        uuid,
        false,
        List.of(
            new ContainerJob.Node(Path.of("/sim/dev/nvidia0"), Path.of("/dev/nvidia0")),
            new ContainerJob.Node(
                Path.of("/sim/dev/nvidia-caps/nvidia-cap" + minor),
                Path.of("/dev/nvidia-caps/nvidia-cap" + minor))));
  }

  /** A job without a GPU, limits, variables or mounts. */
  private static ContainerJob plain(String image) {
    return plain(image, List.of());
  }

  /** A job with {@code devices} and nothing else. */
  private static ContainerJob plain(String image, List<ContainerJob.Device> devices) {
    return new ContainerJob(
        "migctl-1-1",
        image,
        List.of("true"),
        Map.of(),
        Optional.empty(),
        HostLimits.NONE,
        devices,
        List.of(),
        Optional.empty());
  }

  private static ContainerEngine docker(DeviceAccess access) {
    return ContainerEngine.docker(
        Path.of("/usr/bin/docker"),
        Optional.of("unix:///run/d.sock"),
        access,
        "none",
        new ScriptedToolRunner());
  }

  @Test
  void dockerRunsTheAttemptInTheForegroundWithOnlyItsNodesAndNoValueOnTheCommandLine() {
    ContainerRuntime.Invocation run = docker(DeviceAccess.NODES).run(job());

    assertThat(run.argv())
        .containsExactly(
            "/usr/bin/docker",
            "--host=unix:///run/d.sock",
            "run",
            "--rm",
            "--name",
            "migctl-7-2",
            "--init",
            "--network=none",
            "--user=1001:1001",
            "--workdir=/work",
            "--memory=16384m",
            "--memory-swap=16384m",
            "--cpus=1.5",
            "--pids-limit=512",
            "--device=/sim/dev/nvidia0:/dev/nvidia0:rwm",
            "--device=/sim/dev/nvidia-caps/nvidia-cap21:/dev/nvidia-caps/nvidia-cap21:rwm",
            "--env=SECRET",
            "--env=CUDA_VISIBLE_DEVICES",
            "--env=NVIDIA_VISIBLE_DEVICES",
            "--volume=/home/m/envs/abc:/home/m/envs/abc:ro",
            "registry.example/ml/torch:2.4",
            "python",
            "-c",
            "print('--rm')");
    assertThat(String.join(" ", run.argv())).doesNotContain("s3cr3t");
    assertThat(run.environment()).containsEntry("SECRET", "s3cr3t value").hasSize(3);
  }

  @Test
  void severalDevicesGetEachOfTheirNodesButASharedNodeOnce() {
    String other = "MIG-4b2a6c1e-3d4f-5a6b-9c0d-1e2f3a4b5c6e";
    ContainerJob two = plain("busybox", List.of(migDevice(UUID, 21), migDevice(other, 30)));

    assertThat(docker(DeviceAccess.NODES).run(two).argv())
        .filteredOn(a -> a.startsWith("--device="))
        .containsExactly(
            "--device=/sim/dev/nvidia0:/dev/nvidia0:rwm",
            "--device=/sim/dev/nvidia-caps/nvidia-cap21:/dev/nvidia-caps/nvidia-cap21:rwm",
            "--device=/sim/dev/nvidia-caps/nvidia-cap30:/dev/nvidia-caps/nvidia-cap30:rwm");
    assertThat(docker(DeviceAccess.CDI).run(two).argv())
        .filteredOn(a -> a.startsWith("--device="))
        .containsExactly("--device=nvidia.com/mig=" + UUID, "--device=nvidia.com/mig=" + other);
  }

  @Test
  void aWholeGpuGoesByItsNodesAndCdiRefusesItWithTheWayOut() {
    ContainerJob.Device gpu =
        new ContainerJob.Device(
            "GPU-5c1f8e2a-0d3b-4c6e-9f7a-2b4d6e8f0a1c",
            true,
            List.of(new ContainerJob.Node(Path.of("/dev/nvidia3"), Path.of("/dev/nvidia3"))));
    ContainerJob whole = plain("busybox", List.of(gpu));

    assertThat(docker(DeviceAccess.NODES).run(whole).argv())
        .contains("--device=/dev/nvidia3:/dev/nvidia3:rwm");
    assertThatThrownBy(() -> docker(DeviceAccess.CDI).run(whole))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names MIG devices only")
        .hasMessageContaining("serve without --cdi-spec");
  }

  @Test
  void cdiModeNamesTheDeviceByItsUuidInsteadOfItsNodes() {
    List<String> argv = docker(DeviceAccess.CDI).run(job()).argv();

    assertThat(argv).contains("--device=nvidia.com/mig=" + UUID);
    assertThat(argv).noneMatch(a -> a.startsWith("--device=/"));
  }

  @Test
  void podmanGetsItsGlobalAndInitOptionsAndTheSameRunArguments() {
    ContainerEngine podman =
        ContainerEngine.podman(
            Path.of("/usr/bin/podman"),
            List.of("--runtime=runc"),
            List.of("--init-path=/usr/bin/docker-init", "--ulimit=nofile=20000:20000"),
            DeviceAccess.NODES,
            "none",
            new ScriptedToolRunner());

    List<String> argv = podman.run(job()).argv();

    assertThat(argv.subList(0, 10))
        .containsExactly(
            "/usr/bin/podman",
            "--runtime=runc",
            "run",
            "--rm",
            "--name",
            "migctl-7-2",
            "--init",
            "--init-path=/usr/bin/docker-init",
            "--ulimit=nofile=20000:20000",
            "--network=none");
    List<String> dockerArgv = docker(DeviceAccess.NODES).run(job()).argv();
    assertThat(argv.subList(10, argv.size())).isEqualTo(dockerArgv.subList(8, dockerArgv.size()));
  }

  @Test
  void aPodmanRootKeepsStorageRunStateAndTemporaryFilesUnderIt() {
    ContainerOptions options =
        new ContainerOptions(
            ContainerOptions.Engine.PODMAN,
            Optional.empty(),
            "none",
            Optional.empty(),
            Optional.of(Path.of("/var/lib/migctl/podman")));

    assertThat(options.podmanStoreOptions())
        .containsExactly(
            "--root=/var/lib/migctl/podman/storage",
            "--runroot=/var/lib/migctl/podman/run",
            "--tmpdir=/var/lib/migctl/podman/tmp");
    assertThat(ContainerOptions.DEFAULTS.podmanStoreOptions()).isEmpty();
  }

  @Test
  void podmanGetsAStaticInitWithoutCatatonitAndLimitsRuncCanSet() {
    Optional<Path> tini = Optional.of(Path.of("/usr/bin/tini-static"));

    assertThat(
            ContainerRuntimes.podmanRunOptions(
                false, tini, Optional.of(20000L), Optional.of(32768L)))
        .containsExactly(
            "--init-path=/usr/bin/tini-static",
            "--ulimit=nofile=20000:20000",
            "--ulimit=nproc=32768:32768");
    assertThat(ContainerRuntimes.podmanRunOptions(true, tini, Optional.empty(), Optional.of(4096L)))
        .containsExactly("--ulimit=nproc=4096:4096");
    assertThat(
            ContainerRuntimes.podmanRunOptions(
                false, Optional.empty(), Optional.empty(), Optional.empty()))
        .isEmpty();
  }

  @Test
  void aJobWithoutGpuOrLimitsGetsNoDeviceAndNoLimit() {
    assertThat(docker(DeviceAccess.CDI).run(plain("busybox")).argv())
        .containsExactly(
            "/usr/bin/docker",
            "--host=unix:///run/d.sock",
            "run",
            "--rm",
            "--name",
            "migctl-1-1",
            "--init",
            "--network=none",
            "busybox",
            "true");
  }

  @Test
  void anImageThatLooksLikeAnOptionIsRefused() {
    assertThatThrownBy(() -> plain("--privileged"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--privileged");
  }

  @Test
  void cdiOnlyWhereToolkitEngineAndSpecAllAre() {
    assertThat(DeviceAccess.choose(true, true, true)).isEqualTo(DeviceAccess.CDI);
    assertThat(DeviceAccess.choose(false, true, true)).isEqualTo(DeviceAccess.NODES);
    assertThat(DeviceAccess.choose(true, false, true)).isEqualTo(DeviceAccess.NODES);
    assertThat(DeviceAccess.choose(true, true, false)).isEqualTo(DeviceAccess.NODES);
  }

  @Test
  void noRuntimeRefusesToRunAndSaysWhy() {
    NoContainerRuntime none = new NoContainerRuntime("no engine here; install docker.io");

    assertThat(none.unavailable()).contains("no engine here; install docker.io");
    assertThatThrownBy(() -> none.run(job())).hasMessageContaining("install docker.io");
  }
}
