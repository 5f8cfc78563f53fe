package io.migctl.daemon;

import io.migctl.core.tenant.Principal;
import io.migctl.daemon.store.AuditLog;
import io.migctl.daemon.store.GroupCommit;
import java.time.Clock;
import java.util.List;

/**
 * The API's side of the audit log: a state-changing request calls {@link #record} after its input
 * was checked and before it acts, so the line is durable before anything changes.
 */
final class Audit {

  private final AuditLog log;
  private final Clock clock;

  Audit(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  /** Appends one line: {@code by} asked for {@code action} on {@code target}. */
  void record(Principal by, String action, String target, String detail) {
    log.append(clock.instant(), by.actor(), action, target, detail);
  }

  /**
   * Queues one line to share the transaction of the caller's next write to the store; see {@link
   * AuditLog#appendQueued}. For a request whose change is that write.
   */
  GroupCommit.Pending<AuditLog.Entry> recordQueued(
      Principal by, String action, String target, String detail) {
    return log.appendQueued(clock.instant(), by.actor(), action, target, detail);
  }

  /** The lines after {@code afterSeq}, oldest first. */
  List<AuditLog.Entry> after(long afterSeq, int limit) {
    return log.after(afterSeq, limit);
  }
}
