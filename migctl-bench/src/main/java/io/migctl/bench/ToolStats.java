package io.migctl.bench;

import java.util.List;

/**
 * One tool's measurements over one model's transitions, summed up.
 *
 * @param transitions how many transitions
 * @param meanOperations mean successful driver operations per transition
 * @param p50Operations median operations per transition (nearest rank)
 * @param maxOperations most operations on one transition
 * @param failedCalls failed driver calls, all transitions together
 * @param refused transitions refused without a change
 * @param failed transitions the tool tried and gave up
 * @param reachedTarget transitions that ended at the target
 * @param busyDestroyed busy MIG devices destroyed, all transitions together
 * @param emptied transitions that missed the target and left the GPU without idle MIG devices
 * @param collateralDestroyed idle MIG devices destroyed on transitions that missed the target
 */
record ToolStats(
    int transitions,
    double meanOperations,
    int p50Operations,
    int maxOperations,
    int failedCalls,
    int refused,
    int failed,
    int reachedTarget,
    int busyDestroyed,
    int emptied,
    int collateralDestroyed) {

  static ToolStats of(List<Measurement> runs) {
    int[] ops = runs.stream().mapToInt(Measurement::operations).sorted().toArray();
    int n = ops.length;
    return new ToolStats(
        n,
        n == 0 ? 0 : runs.stream().mapToInt(Measurement::operations).average().orElse(0),
        n == 0 ? 0 : ops[(n + 1) / 2 - 1],
        n == 0 ? 0 : ops[n - 1],
        runs.stream().mapToInt(Measurement::failedCalls).sum(),
        (int) runs.stream().filter(Measurement::refused).count(),
        (int) runs.stream().filter(Measurement::failed).count(),
        (int) runs.stream().filter(Measurement::reachedTarget).count(),
        runs.stream().mapToInt(Measurement::busyDestroyed).sum(),
        (int) runs.stream().filter(Measurement::emptied).count(),
        runs.stream().mapToInt(Measurement::collateralDestroyed).sum());
  }
}
