package io.migctl.daemon.store;

import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The {@link TenantStore} in the daemon's database: the {@code tenants} and {@code build_owners}
 * tables. Removing a tenant removes its tokens too (the foreign key cascades).
 */
public final class TenantRecords implements TenantStore {

  private static final String COLUMNS =
      "name, unix_user, max_slices, max_gpu_memory_mib, max_running, max_queued, weight,"
          + " job_memory_mib, job_cpu_millis, job_max_procs";

  private final Database db;

  /** Every tenant, which each submission and scheduling round asks for; writes read it anew. */
  private final ReadCache<List<Stored>> all;

  public TenantRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.all = new ReadCache<>(db.tenantsAndTokens());
  }

  /** The refusal of a second tenant of one name, the same from every store. */
  static IllegalStateException exists(String name) {
    return new IllegalStateException(
        "tenant "
            + name
            + " exists already; change it with 'migctl tenant set "
            + name
            + "', or choose another name");
  }

  @Override
  public List<Stored> stored() {
    return all.get(this::readAll);
  }

  private List<Stored> readAll() {
    return db.read(
        "list tenants",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT " + COLUMNS + ", created_at FROM tenants ORDER BY name")) {
            List<Stored> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new Stored(tenant(rs), Instant.parse(rs.getString("created_at"))));
              }
            }
            return List.copyOf(out);
          }
        });
  }

  @Override
  public void add(Tenant tenant, Instant at) {
    all.write(
        () ->
            db.inTransaction(
                "add tenant " + tenant.name(),
                c -> {
                  if (present(c, tenant.name())) {
                    throw exists(tenant.name());
                  }
                  try (PreparedStatement s =
                      c.prepareStatement(
                          "INSERT INTO tenants ("
                              + COLUMNS
                              + ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bind(s, tenant);
                    s.setString(11, at.toString());
                    return s.executeUpdate();
                  }
                }));
  }

  @Override
  public boolean replace(Tenant tenant) {
    return all.write(
        () ->
            db.inTransaction(
                "change tenant " + tenant.name(),
                c -> {
                  try (PreparedStatement s =
                      c.prepareStatement(
                          "UPDATE tenants SET name = ?, unix_user = ?, max_slices = ?,"
                              + " max_gpu_memory_mib = ?, max_running = ?, max_queued = ?, weight = ?,"
                              + " job_memory_mib = ?, job_cpu_millis = ?, job_max_procs = ?"
                              + " WHERE name = ?")) {
                    bind(s, tenant);
                    s.setString(11, tenant.name());
                    return s.executeUpdate() > 0;
                  }
                }));
  }

  @Override
  public boolean remove(String name) {
    return all.write(
        () ->
            db.inTransaction(
                "remove tenant " + name,
                c -> {
                  try (PreparedStatement o =
                          c.prepareStatement("DELETE FROM build_owners WHERE tenant = ?");
                      PreparedStatement t =
                          c.prepareStatement("DELETE FROM tenants WHERE name = ?")) {
                    o.setString(1, name);
                    o.executeUpdate();
                    t.setString(1, name);
                    return t.executeUpdate() > 0;
                  }
                }));
  }

  @Override
  public void own(String buildId, String tenant) {
    db.inTransaction(
        "record the owner of environment build " + buildId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO build_owners (build_id, tenant) VALUES (?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            s.setString(1, buildId);
            s.setString(2, tenant);
            return s.executeUpdate();
          }
        });
  }

  @Override
  public boolean owns(String buildId, String tenant) {
    return db.read(
        "find the owners of environment build " + buildId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT 1 FROM build_owners WHERE build_id = ? AND tenant = ?")) {
            s.setString(1, buildId);
            s.setString(2, tenant);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  private static boolean present(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM tenants WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void bind(PreparedStatement s, Tenant t) throws SQLException {
    Quota q = t.quota();
    HostLimits d = t.jobDefaults();
    s.setString(1, t.name());
    SqlValues.setText(s, 2, t.unixUser());
    SqlValues.setInt(s, 3, boxed(q.maxSlices()));
    SqlValues.setLong(s, 4, boxed(q.maxGpuMemoryMiB()));
    SqlValues.setInt(s, 5, boxed(q.maxRunning()));
    SqlValues.setInt(s, 6, boxed(q.maxQueued()));
    s.setInt(7, t.weight());
    SqlValues.setLong(s, 8, boxed(d.memoryMiB()));
    SqlValues.setInt(s, 9, boxed(d.cpuMillis()));
    SqlValues.setInt(s, 10, boxed(d.maxProcs()));
  }

  private static Tenant tenant(ResultSet rs) throws SQLException {
    return new Tenant(
        rs.getString("name"),
        SqlValues.getText(rs, "unix_user"),
        new Quota(
            optionalInt(rs, "max_slices"),
            optionalLong(rs, "max_gpu_memory_mib"),
            optionalInt(rs, "max_running"),
            optionalInt(rs, "max_queued")),
        rs.getInt("weight"),
        new HostLimits(
            optionalLong(rs, "job_memory_mib"),
            optionalInt(rs, "job_cpu_millis"),
            optionalInt(rs, "job_max_procs")));
  }

  private static Optional<Integer> boxed(OptionalInt v) {
    return v.isPresent() ? Optional.of(v.getAsInt()) : Optional.empty();
  }

  private static Optional<Long> boxed(OptionalLong v) {
    return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
  }

  private static OptionalInt optionalInt(ResultSet rs, String column) throws SQLException {
    return SqlValues.getLong(rs, column)
        .map(v -> OptionalInt.of(Math.toIntExact(v)))
        .orElse(OptionalInt.empty());
  }

  private static OptionalLong optionalLong(ResultSet rs, String column) throws SQLException {
    return SqlValues.getLong(rs, column).map(OptionalLong::of).orElse(OptionalLong.empty());
  }
}
