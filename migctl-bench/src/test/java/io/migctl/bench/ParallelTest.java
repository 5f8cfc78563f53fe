package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void runsEveryIndexExactlyOnceAndRecordsEachEndInOrder() throws InterruptedException {
    AtomicIntegerArray seen = new AtomicIntegerArray(1000);
    Parallel.Run run = Parallel.run(4, 1000, seen::incrementAndGet);
    for (int i = 0; i < seen.length(); i++) {
      assertThat(seen.get(i)).as("task %d", i).isEqualTo(1);
    }
    assertThat(run.count()).isEqualTo(1000);
    long[] ends = run.finishedNanos();
    assertThat(ends[0]).isGreaterThanOrEqualTo(run.startNanos());
    for (int i = 1; i < ends.length; i++) {
      assertThat(ends[i]).isGreaterThanOrEqualTo(ends[i - 1]);
    }
    assertThat(run.elapsedNanos()).isEqualTo(ends[999] - run.startNanos());
  }

  @Test
  void theRateComesFromTheStartAndTheLastEnd() {
    // Start at 1 s; tasks end at 2, 3, ..., 11 s.
    long[] ends = new long[10];
    for (int i = 0; i < 10; i++) {
      ends[i] = (i + 2) * 1_000_000_000L;
    }
    Parallel.Run run = new Parallel.Run(1_000_000_000L, ends);
    assertThat(run.elapsedNanos()).isEqualTo(10_000_000_000L);
    assertThat(run.perSecond()).isEqualTo(1.0);
  }

  @Test
  void anEmptyRunHasNoRateAndZeroTasksAreFine() throws InterruptedException {
    Parallel.Run run = Parallel.run(3, 0, i -> {});
    assertThat(run.count()).isZero();
    assertThat(run.elapsedNanos()).isZero();
    assertThat(run.perSecond()).isNaN();
  }

  @Test
  void aFailingTaskFailsTheRun() {
    assertThatThrownBy(
            () ->
                Parallel.run(
                    2,
                    100,
                    i -> {
                      if (i == 7) {
                        throw new java.io.IOException("no answer");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no answer");
    assertThatThrownBy(() -> Parallel.run(0, 1, i -> {}))
        .hasMessage("threads must be at least 1, was 0");
  }
}
