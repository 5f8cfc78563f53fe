package io.migctl.daemon.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link AuditLog} in the daemon's database: the {@code audit_log} table. Appends from several
 * threads at once share transactions ({@link Database#inSharedTransaction}).
 */
public final class AuditRecords implements AuditLog {

  private final Database db;

  public AuditRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Entry append(Instant at, String actor, String action, String target, String detail) {
    return appendQueued(at, actor, action, target, detail).await();
  }

  @Override
  public GroupCommit.Pending<Entry> appendQueued(
      Instant at, String actor, String action, String target, String detail) {
    Entry unnumbered = new Entry(0, at, actor, action, target, detail);
    return db.queueSharedTransaction(
        "append to the audit log",
        c -> {
          StatementCache sql = db.statements(c);
          PreparedStatement s =
              sql.prepared(
                  "INSERT INTO audit_log (at, actor, action, target, detail)"
                      + " VALUES (?, ?, ?, ?, ?)");
          s.setString(1, at.toString());
          s.setString(2, actor);
          s.setString(3, action);
          s.setString(4, target);
          s.setString(5, detail);
          s.executeUpdate();
          return new Entry(sql.lastRowId(), at, actor, action, target, unnumbered.detail());
        });
  }

  @Override
  public List<Entry> after(long afterSeq, int limit) {
    return db.read(
        "read the audit log",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT seq, at, actor, action, target, detail FROM audit_log"
                      + " WHERE seq > ? ORDER BY seq LIMIT ?")) {
            s.setLong(1, afterSeq);
            s.setInt(2, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Entry(
                        rs.getLong(1),
                        Instant.parse(rs.getString(2)),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6)));
              }
            }
            return out;
          }
        });
  }
}
