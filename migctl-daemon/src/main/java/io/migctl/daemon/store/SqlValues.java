package io.migctl.daemon.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/**
 * Nullable SQL values as {@link Optional}s: an empty one binds and reads as SQL {@code NULL}.
 * Instants are stored as ISO-8601 text ({@link Instant#toString()}).
 */
final class SqlValues {

  private SqlValues() {}

  /** The rowid of the row that {@code c} inserted last. */
  static long lastRowId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void setText(PreparedStatement s, int i, Optional<String> v) throws SQLException {
    if (v.isPresent()) {
      s.setString(i, v.get());
    } else {
      s.setNull(i, Types.VARCHAR);
    }
  }

  static void setLong(PreparedStatement s, int i, Optional<Long> v) throws SQLException {
    if (v.isPresent()) {
      s.setLong(i, v.get());
    } else {
      s.setNull(i, Types.BIGINT);
    }
  }

  static void setInt(PreparedStatement s, int i, Optional<Integer> v) throws SQLException {
    if (v.isPresent()) {
      s.setInt(i, v.get());
    } else {
      s.setNull(i, Types.INTEGER);
    }
  }

  static Optional<String> getText(ResultSet rs, String column) throws SQLException {
    return Optional.ofNullable(rs.getString(column));
  }

  static Optional<Long> getLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(v);
  }

  static Optional<Instant> getInstant(ResultSet rs, String column) throws SQLException {
    return getText(rs, column).map(Instant::parse);
  }
}
