package io.migctl.daemon.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The environment builds the daemon knows, by build id (the spec's canonical hash). */
public final class BuildRecords {

  /**
   * One environment build.
   *
   * @param id the build id
   * @param name the environment's name (empty when the spec has none)
   * @param backend conda, mamba, micromamba or venv
   * @param prefix where the environment lives
   * @param recordedAt when it was last recorded
   */
  public record BuildRecord(
      String id, String name, String backend, String prefix, Instant recordedAt) {}

  private final Database db;

  public BuildRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Records a build, replacing what was recorded under the same id. */
  public void record(String id, String name, String backend, String prefix, Instant at) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("an environment build id must not be blank");
    }
    db.inTransaction(
        "record environment build " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO env_builds (id, name, backend, prefix, recorded_at)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                      + " backend = excluded.backend, prefix = excluded.prefix,"
                      + " recorded_at = excluded.recorded_at")) {
            s.setString(1, id);
            s.setString(2, Objects.requireNonNull(name, "name"));
            s.setString(3, Objects.requireNonNull(backend, "backend"));
            s.setString(4, Objects.requireNonNull(prefix, "prefix"));
            s.setString(5, at.toString());
            return s.executeUpdate();
          }
        });
  }

  /** The build recorded under {@code id}. */
  public Optional<BuildRecord> find(String id) {
    return db.read(
        "find environment build " + id,
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT * FROM env_builds WHERE id = ?")) {
            s.setString(1, id);
            return read(s).stream().findFirst();
          }
        });
  }

  /** Every recorded build, by id. */
  public List<BuildRecord> list() {
    return db.read(
        "list environment builds",
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT * FROM env_builds ORDER BY id")) {
            return read(s);
          }
        });
  }

  /**
   * Forgets a build.
   *
   * @return whether one was recorded
   */
  public boolean remove(String id) {
    return db.inTransaction(
        "remove environment build " + id,
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM env_builds WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  private static List<BuildRecord> read(PreparedStatement s) throws SQLException {
    List<BuildRecord> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(
            new BuildRecord(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("backend"),
                rs.getString("prefix"),
                Instant.parse(rs.getString("recorded_at"))));
      }
    }
    return out;
  }
}
