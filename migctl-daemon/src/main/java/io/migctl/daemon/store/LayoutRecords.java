package io.migctl.daemon.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The history of MIG layouts applied on the node, in the order they were applied. */
public final class LayoutRecords {

  /**
   * One applied layout.
   *
   * @param seq the store's sequence number, increasing
   * @param appliedAt when it was applied
   * @param source where the request came from, e.g. a file name or {@code api}
   * @param request what was asked, as text (e.g. the mig-parted file and configuration name)
   * @param resultJson the result as JSON
   * @param outcome a short word: {@code applied}, {@code failed}, …
   */
  public record LayoutRecord(
      long seq,
      Instant appliedAt,
      String source,
      String request,
      String resultJson,
      String outcome) {}

  private final Database db;

  public LayoutRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * Appends one applied layout.
   *
   * @return its sequence number
   */
  public long append(Instant at, String source, String request, String resultJson, String outcome) {
    return db.inTransaction(
        "record applied layout",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO layouts (applied_at, source, request, result_json, outcome)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, at.toString());
            s.setString(2, Objects.requireNonNull(source, "source"));
            s.setString(3, Objects.requireNonNull(request, "request"));
            s.setString(4, Objects.requireNonNull(resultJson, "resultJson"));
            s.setString(5, Objects.requireNonNull(outcome, "outcome"));
            s.executeUpdate();
          }
          return SqlValues.lastRowId(c);
        });
  }

  /** The {@code limit} most recent layouts, newest first. */
  public List<LayoutRecord> recent(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return db.read(
        "list applied layouts",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT * FROM layouts ORDER BY seq DESC LIMIT ?")) {
            s.setInt(1, limit);
            return read(s);
          }
        });
  }

  private static List<LayoutRecord> read(PreparedStatement s) throws SQLException {
    List<LayoutRecord> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(
            new LayoutRecord(
                rs.getLong("seq"),
                Instant.parse(rs.getString("applied_at")),
                rs.getString("source"),
                rs.getString("request"),
                rs.getString("result_json"),
                rs.getString("outcome")));
      }
    }
    return out;
  }
}
