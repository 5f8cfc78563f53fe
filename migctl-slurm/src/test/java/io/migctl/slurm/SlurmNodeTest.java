package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlurmNodeTest {

  private static SlurmNode node(List<String> states, int jobs) {
    return new SlurmNode("n1", states, Optional.of("migctl"), "gpu:1g.5gb:2", "", jobs);
  }

  @Test
  void aDrainedLookingNodeWithAJobStillListedIsDraining() {
    SlurmNode n = node(List.of("IDLE", "DRAIN"), 1);

    assertThat(n.drained()).isFalse();
    assertThat(n.stateText()).isEqualTo("DRAINING");
  }

  @Test
  void completingJobsKeepANodeDraining() {
    assertThat(node(List.of("IDLE", "COMPLETING", "DRAIN"), 0).stateText()).isEqualTo("DRAINING");
    assertThat(node(List.of("DOWN", "DRAIN"), 0).stateText()).isEqualTo("DRAINED");
  }

  @Test
  void aNodeWithoutDrainIsNeitherAndSaysItsStateWords() {
    SlurmNode n = node(List.of("IDLE", "NOT_RESPONDING"), 0);

    assertThat(n.draining()).isFalse();
    assertThat(n.drained()).isFalse();
    assertThat(n.stateText()).isEqualTo("IDLE+NOT_RESPONDING");
    assertThat(n.baseState()).isEqualTo("IDLE");
  }

  @Test
  void invalidValuesAreRefusedNamingTheNode() {
    assertThatThrownBy(() -> node(List.of(), 0)).hasMessageContaining("node n1 needs a state");
    assertThatThrownBy(() -> node(List.of("IDLE"), -1))
        .hasMessageContaining("runningJobs must be 0 or more, was -1");
  }
}
