package io.migctl.daemon.confine;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.HostLimits;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.process.ScriptedToolRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The systemd side's argument list (no systemd runs the build machines: it is not run here). */
class SystemdScopeConfinementTest {

  @Test
  void aScopeClosesDevicesButTheJobsAndCarriesItsLimitsThenDropsToTheUser() {
    SystemdScopeConfinement systemd =
        new SystemdScopeConfinement(
            Path.of("/usr/bin/systemd-run"),
            Path.of("/usr/bin/setpriv"),
            UnixUsers.of(Map.of("alice", new UnixIdentity("alice", 1001, 100))),
            new ScriptedToolRunner());
    HostLimits limits =
        new HostLimits(OptionalLong.of(16384), OptionalInt.of(4000), OptionalInt.of(512));

    LaunchConfinement c =
        systemd.prepare(
            new ConfineRequest(
                "3-2",
                Optional.of("alice"),
                List.of(new DeviceNode(Path.of("/dev/nvidia0"), 195, 0)),
                limits));

    assertThat(c.commandPrefix())
        .containsExactly(
            "/usr/bin/systemd-run",
            "--scope",
            "--quiet",
            "--collect",
            "--unit=migctl-3-2",
            "--property=DevicePolicy=closed",
            "--property=DeviceAllow=/dev/nvidia0 rw",
            "--property=MemoryMax=16384M",
            "--property=MemorySwapMax=0",
            "--property=CPUQuota=400%",
            "--property=TasksMax=512",
            "--",
            "/usr/bin/setpriv",
            "--reuid=1001",
            "--regid=100",
            "--init-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--");
    assertThat(c.joinCgroups()).isEmpty();
    assertThat(c.owner()).contains(new LaunchConfinement.FileOwner(1001, 100));
  }
}
