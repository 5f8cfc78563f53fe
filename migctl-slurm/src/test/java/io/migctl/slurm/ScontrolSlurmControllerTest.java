package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.process.ScriptedToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link ScontrolSlurmController}'s commands and how it reads their answers, on a scripted runner
 * answering with output recorded from Slurm 22.05.
 */
class ScontrolSlurmControllerTest {

  private final ScriptedToolRunner tools = new ScriptedToolRunner();
  private final ScontrolSlurmController controller =
      new ScontrolSlurmController(
          tools, Optional.of(Path.of("/etc/slurm-test/slurm.conf")), Duration.ofSeconds(5));

  @Test
  void aNodeIsReadWithItsJobCountUnderTheGivenConf() throws IOException {
    tools
        .when("scontrol", "-d", "show", "node", "-o", "mig1")
        .prints(ScontrolOutputTest.recorded("show-node-two-types.txt"));
    tools.when("squeue").prints(ScontrolOutputTest.recorded("squeue-running.txt"));

    SlurmNode n = controller.node("mig1");

    assertThat(n.runningJobs()).isEqualTo(2);
    assertThat(n.stateText()).isEqualTo("MIXED");
    assertThat(tools.calls())
        .allSatisfy(
            c ->
                assertThat(c.environment())
                    .containsEntry("SLURM_CONF", "/etc/slurm-test/slurm.conf"));
    assertThat(tools.argvs().get(1))
        .containsExactly(
            "squeue",
            "--noheader",
            "--nodelist=mig1",
            "--states=RUNNING,COMPLETING,CONFIGURING,SUSPENDED",
            "--format=%i|%T|%u|%j");
  }

  @Test
  void drainPassesTheReasonAsOneArgument() {
    tools.when();

    controller.drain("mig1", "migctl reshape: all 1g.5gb");

    assertThat(tools.argvs())
        .containsExactly(
            List.of(
                "scontrol",
                "update",
                "NodeName=mig1",
                "State=DRAIN",
                "Reason=migctl reshape: all 1g.5gb"));
  }

  @Test
  void aBlankReasonIsRefusedBeforeSlurmIsAsked() {
    assertThatThrownBy(() -> controller.drain("mig1", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a reason");
    assertThat(tools.calls()).isEmpty();
  }

  @Test
  void resumingANodeThatIsNotDrainedAsksNothingOfSlurm() throws IOException {
    tools.when("scontrol", "-d").prints(ScontrolOutputTest.recorded("show-node-idle.txt"));
    tools.when("squeue");

    controller.resume("mig1");

    assertThat(tools.argvs()).noneMatch(a -> a.contains("State=RESUME"));
  }

  @Test
  void resumingADrainedNodeUpdatesIt() throws IOException {
    tools.when("scontrol", "-d").prints(ScontrolOutputTest.recorded("show-node-drained.txt"));
    tools.when("squeue");
    tools.when("scontrol", "update");

    controller.resume("mig1");

    assertThat(tools.argvs().getLast())
        .containsExactly("scontrol", "update", "NodeName=mig1", "State=RESUME");
  }

  @Test
  void aRefusalSaysWhatWasAskedAndWhatSlurmSaid() {
    tools.when("scontrol").printsError("Node nosuch not found\n").exits(1);

    assertThatThrownBy(() -> controller.node("nosuch"))
        .isInstanceOf(SlurmControlException.class)
        .hasMessage(
            "could not show node nosuch: scontrol -d show node -o nosuch exited with status 1:"
                + " Node nosuch not found");
  }

  @Test
  void aMissingScontrolSaysHowToInstallIt() {
    assertThatThrownBy(() -> controller.version())
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("apt-get install slurm-client");
  }

  @Test
  void aMissingDaemonProgramIsNamed() {
    assertThatThrownBy(() -> controller.restartDaemons(DaemonRestart.systemd()))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("could not stop slurmd")
        .hasMessageContaining("Is systemctl installed and on PATH?");
  }

  @Test
  void restartRunsTheStepsInOrder() {
    tools.when();

    List<DaemonRestart.Step> done = controller.restartDaemons(DaemonRestart.systemd());

    assertThat(done).hasSize(3);
    assertThat(tools.argvs())
        .containsExactly(
            List.of("systemctl", "stop", "slurmd"),
            List.of("systemctl", "restart", "slurmctld"),
            List.of("systemctl", "start", "slurmd"));
  }

  @Test
  void aFailedRestartStepStopsTheRestartAndListsTheStepsLeft() {
    tools.when("systemctl", "restart").printsError("Job for slurmctld.service failed\n").exits(1);
    tools.when("systemctl");

    assertThatThrownBy(() -> controller.restartDaemons(DaemonRestart.systemd()))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("could not restart slurmctld")
        .hasMessageContaining("Job for slurmctld.service failed")
        .hasMessageEndingWith(
            "in this order, once the cause is fixed:\n"
                + "  systemctl restart slurmctld\n"
                + "  systemctl start slurmd");
    assertThat(tools.argvs()).hasSize(2);
  }
}
