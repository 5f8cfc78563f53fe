package io.migctl.bench;

import java.util.Arrays;

/** Order statistics of a sample of durations, by the nearest-rank method. */
final class Percentiles {

  private Percentiles() {}

  /**
   * A sample's summary, in nanoseconds.
   *
   * @param count how many values
   * @param min the smallest
   * @param p50 the median (nearest rank)
   * @param p90 the 90th percentile (nearest rank)
   * @param p99 the 99th percentile (nearest rank)
   * @param max the largest
   * @param mean the arithmetic mean
   */
  record Summary(int count, long min, long p50, long p90, long p99, long max, double mean) {}

  /**
   * Summarises {@code values}, which is left unchanged.
   *
   * @throws IllegalArgumentException when {@code values} is empty
   */
  static Summary of(long[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values to summarise");
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new Summary(
        sorted.length,
        sorted[0],
        nearestRank(sorted, 50),
        nearestRank(sorted, 90),
        nearestRank(sorted, 99),
        sorted[sorted.length - 1],
        sum / sorted.length);
  }

  /**
   * The {@code p}-th percentile of ascending {@code sorted}: the smallest value with at least
   * {@code p} percent of the values at or below it (the value at 1-based rank ⌈p·n/100⌉).
   *
   * @param p from 0 (exclusive) to 100
   * @throws IllegalArgumentException when {@code sorted} is empty or {@code p} is out of range
   */
  static long nearestRank(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("a percentile lies in (0, 100], was " + p);
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
