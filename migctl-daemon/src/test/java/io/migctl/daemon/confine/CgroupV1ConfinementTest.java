package io.migctl.daemon.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.nvidia.dev.DeviceNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup v1 side against a folder tree shaped as {@code /sys/fs/cgroup}'s v1 hierarchies. */
class CgroupV1ConfinementTest {

  private static final UnixUsers USERS =
      UnixUsers.of(
          Map.of(
              "alice", new UnixIdentity("alice", 1001, 1001),
              "nobody", new UnixIdentity("nobody", 65534, 65534),
              "toor", new UnixIdentity("toor", 0, 0)));

  private static final List<DeviceNode> NODES =
      List.of(
          new DeviceNode(Path.of("/dev/nvidiactl"), 195, 255),
          new DeviceNode(Path.of("/dev/nvidia-caps/nvidia-cap12"), 236, 12));

  @TempDir Path root;
  private CgroupV1Confinement confinement;

  @BeforeEach
  void tree() throws IOException {
    for (String c : CgroupV1Settings.CONTROLLERS) {
      Files.createDirectories(root.resolve(c));
    }
    confinement = new CgroupV1Confinement(root, "migctl", USERS, Path.of("/usr/bin/setpriv"));
  }

  @Test
  void anAttemptGetsACgroupPerControllerItsNodesAndLimitsAndDropsToItsUser() throws IOException {
    HostLimits limits =
        new HostLimits(OptionalLong.of(64), OptionalInt.of(1500), OptionalInt.of(64));
    LaunchConfinement c =
        confinement.prepare(new ConfineRequest("7-1", Optional.of("alice"), NODES, limits));

    Path devices = root.resolve("devices/migctl/7-1");
    assertThat(Files.readString(devices.resolve("devices.deny"))).isEqualTo("a\n");
    assertThat(Files.readAllLines(devices.resolve("devices.allow")))
        .startsWith("c 1:3 rwm")
        .endsWith("c 195:255 rwm", "c 236:12 rwm")
        .hasSize(CgroupV1Settings.STANDARD.size() + 2);
    assertThat(Files.readString(root.resolve("memory/migctl/7-1/memory.limit_in_bytes")))
        .isEqualTo("67108864\n");
    assertThat(root.resolve("memory/migctl/7-1/memory.memsw.limit_in_bytes")).doesNotExist();
    assertThat(Files.readString(root.resolve("cpu/migctl/7-1/cpu.cfs_quota_us")))
        .isEqualTo("150000\n");
    assertThat(Files.readString(root.resolve("cpu/migctl/7-1/cpu.cfs_period_us")))
        .isEqualTo("100000\n");
    assertThat(Files.readString(root.resolve("pids/migctl/7-1/pids.max"))).isEqualTo("64\n");

    assertThat(c.commandPrefix())
        .containsExactly(
            "/usr/bin/setpriv",
            "--reuid=1001",
            "--regid=1001",
            "--init-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--");
    assertThat(c.joinCgroups())
        .containsExactly(
            root.resolve("devices/migctl/7-1/cgroup.procs"),
            root.resolve("memory/migctl/7-1/cgroup.procs"),
            root.resolve("cpu/migctl/7-1/cgroup.procs"),
            root.resolve("pids/migctl/7-1/cgroup.procs"));
    assertThat(c.owner()).contains(new LaunchConfinement.FileOwner(1001, 1001));
  }

  @Test
  void swapIsLimitedToTheSameAmountWhereItIsAccounted() throws IOException {
    Path memory = Files.createDirectories(root.resolve("memory/migctl/8-1"));
    Files.writeString(memory.resolve("memory.memsw.limit_in_bytes"), "");
    HostLimits limits =
        new HostLimits(OptionalLong.of(4), OptionalInt.empty(), OptionalInt.empty());

    confinement.prepare(new ConfineRequest("8-1", Optional.of("alice"), List.of(), limits));

    assertThat(Files.readString(memory.resolve("memory.memsw.limit_in_bytes")))
        .isEqualTo("4194304\n");
    assertThat(root.resolve("pids/migctl/8-1/pids.max")).doesNotExist();
    assertThat(root.resolve("cpu/migctl/8-1/cpu.cfs_quota_us")).doesNotExist();
  }

  @Test
  void aTenantWithoutAUserRunsAsNobodyNeverAsRoot() {
    LaunchConfinement c =
        confinement.prepare(
            new ConfineRequest("9-1", Optional.empty(), List.of(), HostLimits.NONE));

    assertThat(c.commandPrefix()).contains("--reuid=65534");
    assertThatThrownBy(
            () ->
                confinement.prepare(
                    new ConfineRequest("9-2", Optional.of("toor"), List.of(), HostLimits.NONE)))
        .isInstanceOf(ConfinementException.class)
        .hasMessageContaining("is root (uid 0): jobs never run as root");
  }

  @Test
  void anUnknownUserIsRefusedWithTheFixAndNothingIsMade() {
    assertThatThrownBy(
            () ->
                confinement.prepare(
                    new ConfineRequest("10-1", Optional.of("zed"), List.of(), HostLimits.NONE)))
        .isInstanceOf(ConfinementException.class)
        .hasMessage(
            "the Unix user 'zed' of this job's tenant does not exist on this node; create it"
                + " (useradd zed) or give the tenant another user");
    assertThat(root.resolve("devices/migctl/10-1")).doesNotExist();
  }

  @Test
  void aControllerThatIsNotMountedFailsThePreparationAndLeavesNothing() throws IOException {
    Files.delete(root.resolve("pids"));
    Files.writeString(root.resolve("pids"), "not a hierarchy");

    assertThatThrownBy(
            () ->
                confinement.prepare(
                    new ConfineRequest("11-1", Optional.of("alice"), NODES, HostLimits.NONE)))
        .isInstanceOf(ConfinementException.class)
        .hasMessageStartingWith("cannot make the cgroups of attempt 11-1");
    assertThat(root.resolve("devices/migctl/11-1")).doesNotExist();
  }

  @Test
  void releasingAnAttemptWithoutCgroupsSaysNothing() {
    assertThat(confinement.release("12-1")).isEmpty();
  }
}
