package io.migctl.daemon.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The statements of one connection, each prepared once and kept: SQLite parses a statement's text
 * when it is prepared, and the daemon runs the same few statements for every request. Used only by
 * the thread that holds the connection's lock ({@link Database#statements}); the statements it
 * hands out must not be closed (their result sets must, which makes them ready for the next use).
 * After a failure the database drops them all ({@link #drop}), so that none is used again in an
 * unknown state.
 */
final class StatementCache {

  private static final String LAST_ROW_ID = "SELECT last_insert_rowid()";

  private final Connection connection;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();

  StatementCache(Connection connection) {
    this.connection = connection;
  }

  /** The statement for {@code sql}, prepared on first use; its parameters keep their values. */
  PreparedStatement prepared(String sql) throws SQLException {
    PreparedStatement s = prepared.get(sql);
    if (s == null) {
      s = connection.prepareStatement(sql);
      prepared.put(sql, s);
    }
    return s;
  }

  /** The row id the last {@code INSERT} on this connection gave. */
  long lastRowId() throws SQLException {
    try (ResultSet rs = prepared(LAST_ROW_ID).executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Closes every statement, to be prepared anew when next asked for, after {@code failure} of work
   * that used them; what fails to close is added to it.
   */
  void drop(Throwable failure) {
    for (PreparedStatement s : prepared.values()) {
      try {
        s.close();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
    }
    prepared.clear();
  }

  /** Closes every statement, before the connection closes. */
  void close() throws SQLException {
    SQLException failure = new SQLException("cannot close the prepared statements");
    drop(failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }
}
