package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReshapeBackoffTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void theWaitDoublesFromTwoSecondsToFiveMinutes() {
    assertThat(ReshapeBackoff.delay(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(ReshapeBackoff.delay(2)).isEqualTo(Duration.ofSeconds(4));
    assertThat(ReshapeBackoff.delay(8)).isEqualTo(Duration.ofSeconds(256));
    assertThat(ReshapeBackoff.delay(9)).isEqualTo(Duration.ofMinutes(5));
    assertThat(ReshapeBackoff.delay(1000)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aGpuWaitsAfterEachFailureAndNotAfterASuccess() {
    ReshapeBackoff b = ReshapeBackoff.NONE.failed(0, T0);
    assertThat(b.waitLeft(0, T0)).contains(Duration.ofSeconds(2));
    assertThat(b.waitLeft(0, T0.plusSeconds(1))).contains(Duration.ofSeconds(1));
    assertThat(b.waitLeft(0, T0.plusSeconds(2))).isEmpty();
    assertThat(b.waitLeft(1, T0)).isEmpty();
    assertThat(b.streak(0).orElseThrow().failures()).isEqualTo(1);

    ReshapeBackoff twice = b.failed(0, T0.plusSeconds(2));
    assertThat(twice.waitLeft(0, T0.plusSeconds(2))).contains(Duration.ofSeconds(4));
    assertThat(twice.streak(0).orElseThrow().since()).isEqualTo(T0);

    ReshapeBackoff reset = twice.succeeded(0);
    assertThat(reset.streak(0)).isEmpty();
    assertThat(reset.failed(0, T0.plusSeconds(9)).waitLeft(0, T0.plusSeconds(9)))
        .contains(Duration.ofSeconds(2));
  }

  @Test
  void theSoonestRetryIsTheNearestOfAllGpus() {
    ReshapeBackoff b = ReshapeBackoff.NONE.failed(0, T0).failed(0, T0).failed(1, T0.plusSeconds(1));
    assertThat(b.soonest(T0)).contains(Duration.ofSeconds(3));
    assertThat(ReshapeBackoff.NONE.soonest(T0)).isEmpty();
  }
}
