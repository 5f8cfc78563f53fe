package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ScontrolOutput} on output recorded from Slurm 22.05.8 (Debian 12). */
class ScontrolOutputTest {

  private static final String REASON = "migctl reshape: applying all-1g.5gb";

  static String recorded(String name) throws IOException {
    try (InputStream in = ScontrolOutputTest.class.getResourceAsStream("scontrol/" + name)) {
      if (in == null) {
        throw new IOException("no recorded output scontrol/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void anIdleNodeWithItsGres() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-idle.txt"), 0);

    assertThat(n.name()).isEqualTo("mig1");
    assertThat(n.states()).containsExactly("IDLE");
    assertThat(n.reason()).isEmpty();
    assertThat(n.gres()).isEqualTo("gpu:1g.5gb:2");
    assertThat(n.gresUsed()).isEqualTo("gpu:1g.5gb:0(IDX:N/A)");
    assertThat(n.stateText()).isEqualTo("IDLE");
  }

  @Test
  void aNodeWithAJobIsMixedAndSaysWhichGpuIsUsed() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-mixed.txt"), 1);

    assertThat(n.states()).containsExactly("MIXED");
    assertThat(n.gresUsed()).isEqualTo("gpu:1g.5gb:1(IDX:0)");
    assertThat(n.drainSet()).isFalse();
  }

  @Test
  void aDrainSetWhileAJobRunsIsDrainingWithTheReasonLessSlurmsStamp() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-draining.txt"), 1);

    assertThat(n.states()).containsExactly("MIXED", "DRAIN");
    assertThat(n.reason()).contains(REASON);
    assertThat(n.draining()).isTrue();
    assertThat(n.drained()).isFalse();
    assertThat(n.stateText()).isEqualTo("DRAINING");
  }

  @Test
  void aDrainSetOnAnIdleNodeIsDrained() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-drained.txt"), 0);

    assertThat(n.states()).containsExactly("IDLE", "DRAIN");
    assertThat(n.reason()).contains(REASON);
    assertThat(n.drained()).isTrue();
    assertThat(n.stateText()).isEqualTo("DRAINED");
  }

  @Test
  void aJustResumedNodeIsNotRespondingUntilItIsPinged() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-resumed.txt"), 0);

    assertThat(n.states()).containsExactly("IDLE", "NOT_RESPONDING");
    assertThat(n.has("NOT_RESPONDING")).isTrue();
    assertThat(n.drainSet()).isFalse();
  }

  @Test
  void twoTypesAreListedInTheNodesOrderWithTheirPositions() throws IOException {
    SlurmNode n = ScontrolOutput.node(recorded("show-node-two-types.txt"), 2);

    assertThat(n.gres()).isEqualTo("gpu:1g.5gb:2,gpu:2g.10gb:1");
    assertThat(n.gresUsed()).isEqualTo("gpu:1g.5gb:1(IDX:0),gpu:2g.10gb:1(IDX:2)");
    assertThat(n.runningJobs()).isEqualTo(2);
  }

  @Test
  void aReasonMayHoldEqualsSignsAndBrackets() {
    SlurmNode n =
        ScontrolOutput.node(
            "NodeName=n1 Gres=(null) State=DOWN+DRAIN Reason=layout=a [x] now"
                + " [root@2026-12-07T00:37:09]\n",
            0);

    assertThat(n.reason()).contains("layout=a [x] now");
    assertThat(n.gres()).isEmpty();
    assertThat(n.drained()).isTrue();
  }

  @Test
  void outputWithoutANodeIsRefusedQuotingIt() {
    assertThatThrownBy(() -> ScontrolOutput.node("Node nosuch not found\n", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Node nosuch not found");
  }

  @Test
  void jobsFromSqueueKeepABarInTheirName() throws IOException {
    assertThat(ScontrolOutput.jobs(recorded("squeue-running.txt")))
        .containsExactly(
            new SlurmJob("16", "RUNNING", "root", "two words|pipe"),
            new SlurmJob("17", "RUNNING", "root", "wrap"));
    assertThat(ScontrolOutput.jobs("")).isEqualTo(List.of());
  }

  @Test
  void aSqueueLineOfAnotherFormatIsRefused() {
    assertThatThrownBy(() -> ScontrolOutput.jobs("16 RUNNING\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 RUNNING")
        .hasMessageContaining("%i|%T|%u|%j");
  }

  @Test
  void versionsAsScontrolPrintsThem() {
    assertThat(SlurmVersion.parse("slurm-wlm 22.05.8\n")).isEqualTo(new SlurmVersion(22, 5, 8));
    assertThat(SlurmVersion.parse("slurm 23.11.10")).hasToString("23.11.10");
    assertThatThrownBy(() -> SlurmVersion.parse("slurm")).hasMessageContaining("no Slurm version");
  }
}
