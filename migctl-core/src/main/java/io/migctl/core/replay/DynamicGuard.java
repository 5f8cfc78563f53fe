package io.migctl.core.replay;

import java.util.Locale;

/**
 * Keeps the dynamic policy from doing worse than the static layout it is compared with: both are
 * simulated on the same trace, and where dynamic's mean job completion time is higher, the cluster
 * stays static. Pure.
 *
 * @param policy the policy kept: the dynamic one's name, or the static one's
 * @param jctMean the kept policy's mean job completion time, seconds
 * @param stayedStatic whether dynamic lost and the static layout was kept
 * @param reason one sentence saying what was compared and kept
 */
public record DynamicGuard(String policy, double jctMean, boolean stayedStatic, String reason) {

  /**
   * Chooses between {@code dynamic} and {@code staticLayout}, each a policy name and its mean job
   * completion time; a tie keeps dynamic.
   */
  public static DynamicGuard choose(
      String dynamic, double dynamicJct, String staticLayout, double staticJct) {
    if (dynamicJct <= staticJct) {
      return new DynamicGuard(
          dynamic,
          dynamicJct,
          false,
          String.format(
              Locale.ROOT,
              "%s kept: mean JCT %.0f s <= %.0f s of %s",
              dynamic,
              dynamicJct,
              staticJct,
              staticLayout));
    }
    return new DynamicGuard(
        staticLayout,
        staticJct,
        true,
        String.format(
            Locale.ROOT,
            "stayed static on %s: %s would take mean JCT %.0f s > %.0f s",
            staticLayout,
            dynamic,
            dynamicJct,
            staticJct));
  }
}
