package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.confine.ConfineRequest;
import io.migctl.daemon.confine.FakeConfinement;
import io.migctl.nvidia.dev.DeviceNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's side of confinement on virtual time: what it asks for each attempt, that it
 * releases every attempt however it ended (a crash between included), and that what the confinement
 * found becomes the job's reason.
 */
class ConfinementScenarioTest {

  private static final DeviceNode CAP = new DeviceNode(Path.of("/dev/nvidia-caps/cap"), 236, 9);

  @TempDir Path home;

  private final FakeConfinement fake = new FakeConfinement();

  private RuntimeScenario scenario() {
    RuntimeScenario s = new RuntimeScenario(home, "a100-40gb:1");
    s.create(0, "3g.20gb", 4);
    s.tenants =
        TenantDirectory.of(
            List.of(
                new Tenant(
                    "ta",
                    Optional.of("alice"),
                    Quota.NONE,
                    1,
                    new HostLimits(
                        OptionalLong.of(1024), OptionalInt.of(2000), OptionalInt.of(100)))));
    s.confinement = new JobConfinement(fake, device -> List.of(CAP));
    return s;
  }

  private static JobSpec spec(String tenant) {
    return RuntimeScenario.spec("train", "3g.20gb")
        .withTenant(tenant)
        .withLimits(new HostLimits(OptionalLong.of(64), OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void anAttemptIsConfinedAsItsTenantsUserWithItsNodesAndItsLimitsOverTheTenantsDefaults() {
    try (RuntimeScenario s = scenario().start()) {
      long id = s.submit(spec("ta"));

      assertThat(fake.prepared())
          .containsExactly(
              new ConfineRequest(
                  id + "-1",
                  Optional.of("alice"),
                  List.of(CAP),
                  new HostLimits(OptionalLong.of(64), OptionalInt.of(2000), OptionalInt.of(100))));
      assertThat(s.process(id).command()).startsWith("confined-as", "alice", "--", "train");
    }
  }

  @Test
  void whatTheConfinementFoundIsTheJobsReason() {
    try (RuntimeScenario s = scenario().start()) {
      long id = s.submit(spec("tb"));
      fake.finding(id + "-1", "killed: out of memory (limit 64 MiB)");

      s.process(id).exit(137);

      assertThat(s.state(id)).isEqualTo(JobState.FAILED);
      assertThat(s.job(id).reason().orElseThrow())
          .startsWith("killed: out of memory (limit 64 MiB); ");
      assertThat(fake.released()).containsExactly(id + "-1");
      assertThat(fake.prepared().getFirst().user()).isEqualTo(ConfineRequest.DEFAULT_USER);
    }
  }

  @Test
  void aConfinementThatCannotBeMadeFailsTheLaunchWithItsMessage() {
    try (RuntimeScenario s = scenario().start()) {
      fake.failNextPrepare("the Unix user 'zed' of this job's tenant does not exist on this node");
      long id = s.submit(spec("ta"));

      assertThat(s.state(id)).isEqualTo(JobState.FAILED);
      assertThat(s.job(id).reason().orElseThrow())
          .contains("could not start: the Unix user 'zed' of this job's tenant does not exist");
    }
  }

  @Test
  void anAttemptThatEndedWhileTheDaemonWasDownIsReleasedWhenItComesBack() {
    try (RuntimeScenario s = scenario().start()) {
      long id = s.submit(spec("ta"));
      s.down();
      fake.finding(id + "-1", "reached its process limit (100): 2 forks were refused");
      s.process(id).exit(0);
      assertThat(fake.released()).isEmpty();

      s.start();

      assertThat(s.state(id)).isEqualTo(JobState.SUCCEEDED);
      assertThat(s.job(id).reason().orElseThrow())
          .startsWith("reached its process limit (100): 2 forks were refused; ");
      assertThat(fake.released()).containsExactly(id + "-1");
    }
  }
}
