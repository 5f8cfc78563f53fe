package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InMemorySlurmControllerTest {

  private final InMemorySlurmController slurm =
      new InMemorySlurmController(new SlurmVersion(22, 5, 8));

  @Test
  void aNodeDrainsWhileAJobRunsAndIsDrainedOnceItEnds() {
    slurm.addNode("n1", "gpu:1g.5gb:2");
    SlurmJob job = new SlurmJob("7", "RUNNING", "alice", "train");
    slurm.start("n1", job);

    slurm.drain("n1", "migctl reshape");

    assertThat(slurm.node("n1").stateText()).isEqualTo("DRAINING");
    assertThat(slurm.jobsOn("n1")).containsExactly(job);

    slurm.end("n1", "7");

    assertThat(slurm.node("n1").stateText()).isEqualTo("DRAINED");
    assertThat(slurm.node("n1").reason()).contains("migctl reshape");

    slurm.resume("n1");

    assertThat(slurm.node("n1").stateText()).isEqualTo("IDLE");
    assertThat(slurm.node("n1").reason()).isEmpty();
  }

  @Test
  void newGresTakesEffectWhenTheControllerRestarts() {
    slurm.addNode("n1", "gpu:1g.5gb:2");
    slurm.configure("n1", "gpu:3g.20gb:1");

    assertThat(slurm.node("n1").gres()).isEqualTo("gpu:1g.5gb:2");

    slurm.restartDaemons(DaemonRestart.systemd());

    assertThat(slurm.node("n1").gres()).isEqualTo("gpu:3g.20gb:1");
    assertThat(slurm.stepsRun())
        .extracting(s -> s.action().words())
        .containsExactly("stop slurmd", "restart slurmctld", "start slurmd");
  }

  @Test
  void anInjectedFailureStopsTheRestartAtItsStepOnce() {
    slurm.addNode("n1", "gpu:1g.5gb:2");
    slurm.configure("n1", "gpu:3g.20gb:1");
    slurm.failNextRestart(DaemonRestart.Action.RESTART_SLURMCTLD);

    assertThatThrownBy(() -> slurm.restartDaemons(DaemonRestart.systemd()))
        .isInstanceOf(SlurmControlException.class)
        .hasMessageContaining("could not restart slurmctld");
    assertThat(slurm.stepsRun()).hasSize(1);
    assertThat(slurm.node("n1").gres()).isEqualTo("gpu:1g.5gb:2");

    assertThat(slurm.restartDaemons(DaemonRestart.systemd())).hasSize(3);
  }

  @Test
  void anUnknownNodeIsARefusalListingTheKnownOnes() {
    slurm.addNode("n1", "");

    assertThatThrownBy(() -> slurm.node("n2"))
        .isInstanceOf(SlurmControlException.class)
        .hasMessage("Slurm has no node n2; nodes: n1");
  }
}
