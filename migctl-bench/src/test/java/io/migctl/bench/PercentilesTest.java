package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOfOneToAHundredIsTheRankItself() {
    long[] sorted = LongStream.rangeClosed(1, 100).toArray();
    assertThat(Percentiles.nearestRank(sorted, 50)).isEqualTo(50);
    assertThat(Percentiles.nearestRank(sorted, 90)).isEqualTo(90);
    assertThat(Percentiles.nearestRank(sorted, 99)).isEqualTo(99);
    assertThat(Percentiles.nearestRank(sorted, 100)).isEqualTo(100);
    assertThat(Percentiles.nearestRank(sorted, 0.5)).isEqualTo(1);
  }

  @Test
  void nearestRankRoundsTheRankUp() {
    long[] sorted = {10, 20, 30, 40};
    assertThat(Percentiles.nearestRank(sorted, 50)).isEqualTo(20); // rank 2
    assertThat(Percentiles.nearestRank(sorted, 51)).isEqualTo(30); // rank ceil(2.04) = 3
    assertThat(Percentiles.nearestRank(sorted, 99)).isEqualTo(40);
    assertThat(Percentiles.nearestRank(new long[] {7}, 50)).isEqualTo(7);
  }

  @Test
  void summarySortsACopyAndLeavesTheInputAlone() {
    long[] values = {5, 1, 4, 2, 3};
    Percentiles.Summary s = Percentiles.of(values);
    assertThat(s).isEqualTo(new Percentiles.Summary(5, 1, 3, 5, 5, 5, 3.0));
    assertThat(values).containsExactly(5, 1, 4, 2, 3);
  }

  @Test
  void refusesEmptySamplesAndPercentilesOutOfRange() {
    assertThatThrownBy(() -> Percentiles.of(new long[0])).hasMessage("no values to summarise");
    assertThatThrownBy(() -> Percentiles.nearestRank(new long[0], 50)).hasMessage("no values");
    assertThatThrownBy(() -> Percentiles.nearestRank(new long[] {1}, 0))
        .hasMessageContaining("(0, 100]");
    assertThatThrownBy(() -> Percentiles.nearestRank(new long[] {1}, 100.5))
        .hasMessageContaining("(0, 100]");
  }
}
