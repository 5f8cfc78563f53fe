package io.migctl.daemon.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@link AuditLog} in memory, numbered from 1 as the SQLite one is. Thread-safe. */
public final class InMemoryAuditLog implements AuditLog {

  private final List<Entry> entries = new ArrayList<>();

  @Override
  public synchronized Entry append(
      Instant at, String actor, String action, String target, String detail) {
    Entry e = new Entry(entries.size() + 1L, at, actor, action, target, detail);
    entries.add(e);
    return e;
  }

  @Override
  public GroupCommit.Pending<Entry> appendQueued(
      Instant at, String actor, String action, String target, String detail) {
    Entry e = append(at, actor, action, target, detail);
    return () -> e;
  }

  @Override
  public synchronized List<Entry> after(long afterSeq, int limit) {
    return entries.stream().filter(e -> e.seq() > afterSeq).limit(limit).toList();
  }
}
