package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TransitionTest {

  private static final Job QUEUED =
      Jobs.queued(7, Jobs.spec(Jobs.memory(8192, 1), 0, Optional.empty(), 0), T0);

  private final Transition cancel =
      new JobStateMachine(java.time.Duration.ofSeconds(10))
          .apply(QUEUED, new JobTrigger.Cancel("operator"), T0.plusSeconds(1))
          .orElseThrow();

  @Test
  void aTransitionOfTheStateMachineIsRecordable() {
    assertThat(cancel.requireRecordable()).isEqualTo(7);
  }

  @Test
  void aTransitionNamingAnotherJobIsRefused() {
    Job other = Jobs.queued(8, QUEUED.spec(), T0);
    assertThatThrownBy(
            () -> new Transition(QUEUED, other, cancel.event(), List.of()).requireRecordable())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names jobs 7, 8 and (event) 7");
  }

  @Test
  void aTransitionChangingWhatIsFixedAtSubmitIsRefused() {
    Job later = Jobs.queued(7, QUEUED.spec(), T0.plusSeconds(5));
    assertThatThrownBy(
            () -> new Transition(QUEUED, later, cancel.event(), List.of()).requireRecordable())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fixed at submit");
  }
}
