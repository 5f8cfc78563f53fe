package io.migctl.daemon;

import io.migctl.core.plan.Repartitioner;
import io.migctl.core.plan.ReshapeBackoff;
import java.time.Duration;

/** The words of the reshape events and log lines, which people read in a job's history. */
final class ReshapeWords {
  private ReshapeWords() {}

  /** The {@code reshape} event of a job a reshape serves. */
  static String served(Repartitioner.Decision d, Repartitioner.Assigned a, String whyWaiting) {
    return "reshape "
        + d.describe()
        + " so that this job gets "
        + a.instance()
        + " (it fits no free device: "
        + whyWaiting
        + "); "
        + d.operations()
        + " GPU-instance operation"
        + (d.operations() == 1 ? "" : "s")
        + ", the fewest of the layouts that serve the queue best; "
        + d.reason()
        + "; busy instances are kept";
  }

  static String retrying(int gpu, ReshapeBackoff.Streak streak, Repartitioner.Decision d) {
    return "retrying the reshape of GPU "
        + gpu
        + " after "
        + streak.failures()
        + " failed attempt(s): "
        + d.describe();
  }

  static String succeededAfter(String detail, ReshapeBackoff.Streak streak) {
    return detail
        + "; it succeeded after "
        + streak.failures()
        + " failed attempt"
        + (streak.failures() == 1 ? "" : "s");
  }

  /** The one {@code reshape-failed} event of a streak. */
  static String failed(int gpu, String failure, Duration wait) {
    return "reshape of GPU "
        + gpu
        + " failed: "
        + failure
        + "; retrying in "
        + wait.toSeconds()
        + "s, the wait doubling with each further failure up to "
        + ReshapeBackoff.MAX.toMinutes()
        + " min (this is the only event until it succeeds)";
  }

  static String failedAgain(int gpu, int failures, String failure, Duration wait) {
    return "reshape of GPU "
        + gpu
        + " failed again ("
        + failures
        + " in a row): "
        + failure
        + "; next try in "
        + wait.toSeconds()
        + "s";
  }
}
