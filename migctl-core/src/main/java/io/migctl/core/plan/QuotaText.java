package io.migctl.core.plan;

import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;

/** The {@link DemandPlanner}'s sentences about tenants' quotas, in the words of the reasoning. */
final class QuotaText {

  private QuotaText() {}

  /** Why a job waits on its tenant's quota, with what it would add. */
  static String waitsFor(QuotaReached q) {
    return limitText(q)
        + "; its jobs planned before this one hold "
        + amount(q.limit(), q.inUse())
        + " and this one would add "
        + amount(q.limit(), q.wouldUse())
        + ". It starts when one of "
        + q.tenant()
        + "'s jobs ends.";
  }

  /** Why a job's tenant's quota refuses it even when the tenant runs nothing else. */
  static String neverWithin(QuotaReached q) {
    return limitText(q)
        + ", and this job alone would take "
        + amount(q.limit(), q.wouldUse())
        + ". Ask for less, or raise the tenant's "
        + q.limit().option()
        + ".";
  }

  /** {@code tenant ml may hold 2 compute slices at once (max-slices 2)}. */
  private static String limitText(QuotaReached q) {
    return "tenant "
        + q.tenant()
        + (q.limit() == QuotaLimit.RUNNING ? " may run " : " may hold ")
        + amount(q.limit(), q.max())
        + " at once ("
        + q.limit().option()
        + " "
        + q.max()
        + ")";
  }

  static String amount(QuotaLimit limit, long n) {
    return switch (limit) {
      case SLICES -> n + " compute slice" + ProfileChoice.plural(n);
      case GPU_MEMORY -> n + " MiB of GPU memory";
      case RUNNING -> n + " job" + ProfileChoice.plural(n);
    };
  }
}
