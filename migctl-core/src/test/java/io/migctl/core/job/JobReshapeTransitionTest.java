package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobReshapeTransitionTest {

  private final JobStateMachine machine = new JobStateMachine();
  private final Job queued =
      Jobs.queued(7, Jobs.spec(Jobs.memory(8192, 1), 0, Optional.empty(), 0), Jobs.T0);

  @Test
  void aReshapeKeepsTheJobQueuedAndRecordsWhy() {
    Transition t =
        machine
            .apply(queued, new JobTrigger.Reshaped("reshape GPU 0: …"), Jobs.T0.plusSeconds(3))
            .orElseThrow();
    assertThat(t.after()).isEqualTo(queued);
    assertThat(t.event().from()).isEqualTo(JobState.QUEUED);
    assertThat(t.event().to()).isEqualTo(JobState.QUEUED);
    assertThat(t.event().kind()).isEqualTo("reshape");
    assertThat(t.event().detail()).isEqualTo("reshape GPU 0: …");
    assertThat(t.effects()).isEmpty();

    Transition failed =
        machine
            .apply(queued, new JobTrigger.ReshapeFailed("it failed"), Jobs.T0.plusSeconds(4))
            .orElseThrow();
    assertThat(failed.event().kind()).isEqualTo("reshape-failed");
    assertThat(failed.after().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void onlyAQueuedJobIsReshapedFor() {
    Job placed =
        machine
            .apply(
                queued,
                new JobTrigger.Place(Optional.of(Jobs.slot("MIG-a", "1g.10gb", 9856, 1, 2))),
                Jobs.T0.plusSeconds(1))
            .orElseThrow()
            .after();
    assertThatThrownBy(
            () -> machine.apply(placed, new JobTrigger.Reshaped("x"), Jobs.T0.plusSeconds(2)))
        .isInstanceOf(IllegalTransitionException.class);
  }
}
