package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReshapeGateTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final ReshapeGate GATE =
      ReshapeGate.open(new ReshapeGate.Params(Duration.ofSeconds(30), Duration.ofSeconds(2)));

  @Test
  void aJobIsOfferedOnlyAfterItsMinimumWait() {
    assertThat(GATE.jobWaitLeft(T0, T0)).contains(Duration.ofSeconds(2));
    assertThat(GATE.jobWaitLeft(T0, T0.plusMillis(1500))).contains(Duration.ofMillis(500));
    assertThat(GATE.jobWaitLeft(T0, T0.plusSeconds(2))).isEmpty();
    assertThat(GATE.jobWaitLeft(T0, T0.plusSeconds(60))).isEmpty();
  }

  @Test
  void aGpuNeverReshapedMayBeReshapedAtOnce() {
    assertThat(GATE.coolingLeft(0, T0, 0)).isEmpty();
    assertThat(GATE.mayDestroy(3, T0, 5)).isTrue();
  }

  @Test
  void aReshapedGpuCoolsDownForTheCooldownWhileTheQueueDoesNotGrow() {
    ReshapeGate g = GATE.reshaped(0, T0, 4);
    assertThat(g.coolingLeft(0, T0.plusSeconds(10), 4)).contains(Duration.ofSeconds(20));
    assertThat(g.coolingLeft(0, T0.plusSeconds(10), 2)).contains(Duration.ofSeconds(20));
    assertThat(g.mayDestroy(0, T0.plusSeconds(29), 4)).isFalse();
    assertThat(g.mayDestroy(0, T0.plusSeconds(30), 4)).isTrue();
    assertThat(g.mayDestroy(1, T0, 4)).as("another GPU").isTrue();
  }

  @Test
  void aGrowingQueueLiftsTheCooldown() {
    ReshapeGate g = GATE.reshaped(0, T0, 4);
    assertThat(g.coolingLeft(0, T0.plusSeconds(1), 5)).isEmpty();
  }

  @Test
  void theLatestReshapeCounts() {
    ReshapeGate g = GATE.reshaped(0, T0, 4).reshaped(0, T0.plusSeconds(40), 1);
    assertThat(g.coolingLeft(0, T0.plusSeconds(50), 1)).contains(Duration.ofSeconds(20));
    assertThat(g.coolingLeft(0, T0.plusSeconds(50), 2)).isEmpty();
    assertThat(GATE.last()).as("the gate is a value").isEmpty();
  }

  @Test
  void negativeDurationsAreRefused() {
    assertThatThrownBy(() -> new ReshapeGate.Params(Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> new ReshapeGate.Params(Duration.ZERO, Duration.ofSeconds(-1)))
        .hasMessageContaining("must not be negative");
  }
}
