package io.migctl.daemon.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Who asked for which change, in the order asked. Append-only: a line once written is never changed
 * or removed (in SQLite, triggers refuse it). Every state-changing request appends its line before
 * the change is made, so the log names everything that may have happened.
 *
 * <p>Port: {@link AuditRecords} is the SQLite side, {@link InMemoryAuditLog} the in-memory one.
 */
public interface AuditLog {

  /**
   * One line.
   *
   * @param seq the log's sequence number, from 1; 0 until stored
   * @param actor who asked: {@code operator} or {@code tenant:alice}
   * @param action what was asked, e.g. {@code submit}, {@code cancel}, {@code tenant-add}
   * @param target what it was asked of, e.g. {@code job 17}, {@code tenant alice}
   * @param detail a few words more for people
   */
  record Entry(long seq, Instant at, String actor, String action, String target, String detail) {
    /** Checks that every field is given. */
    public Entry {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Appends a line, durably.
   *
   * @return the line as stored, with its sequence number
   */
  Entry append(Instant at, String actor, String action, String target, String detail);

  /**
   * Appends a line that becomes durable no later than the caller's next write to the store (it
   * shares that write's transaction where it can), and returns at once. The caller must await it on
   * every path, before it acts on anything outside the store.
   */
  GroupCommit.Pending<Entry> appendQueued(
      Instant at, String actor, String action, String target, String detail);

  /** The lines after sequence number {@code afterSeq}, oldest first, at most {@code limit}. */
  List<Entry> after(long afterSeq, int limit);
}
