package io.migctl.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class StreamLimitsTest {

  private final StreamLimits limits = new StreamLimits(2, 3);

  @Test
  void aStreamUnderBothLimitsOpens() {
    assertThat(limits.refusal("10.0.0.7", 1, 2)).isEmpty();
  }

  @Test
  void aClientAtItsLimitIsRefusedWithTheLimitAndWhatToDo() {
    assertThat(limits.refusal("10.0.0.7", 2, 2))
        .hasValue(
            "10.0.0.7 already follows 2 logs, the most one client may at once (2); stop following"
                + " one, or read the log without follow");
  }

  @Test
  void anyClientIsRefusedWhenAllTogetherAreAtTheLimit() {
    assertThat(limits.refusal("10.0.0.8", 0, 3))
        .hasValueSatisfying(m -> assertThat(m).contains("already streams 3 logs", "(3)"));
  }

  @Test
  void theDefaultsAreSixteenPerClientAndTwoHundredFiftySixInAll() {
    assertThat(StreamLimits.DEFAULT).isEqualTo(new StreamLimits(16, 256));
    assertThat(StreamLimits.DEFAULT.refusal("::1", 15, 255)).isEmpty();
    assertThat(StreamLimits.DEFAULT.refusal("::1", 16, 16)).isPresent();
  }

  @Test
  void limitsArePositiveAndOneClientsFitsInAll() {
    assertThatIllegalArgumentException().isThrownBy(() -> new StreamLimits(0, 3));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new StreamLimits(4, 3))
        .withMessageContaining("4 per client and 3 in all");
  }
}
