package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.apply;
import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.Transition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseIT {

  @TempDir Path dir;

  @Test
  void opensANewFileInMissingDirectoriesWithDurableSettings() {
    Path file = dir.resolve("a/b/c/migctl.db");
    try (Database db = Database.open(file)) {
      assertThat(Files.isRegularFile(file)).isTrue();
      assertThat(db.file()).isEqualTo(file.toAbsolutePath());
      assertThat(db.migrationsApplied()).isEqualTo(4);
      assertThat(pragma(db, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(db, "synchronous")).isEqualTo("2"); // FULL
      assertThat(pragma(db, "foreign_keys")).isEqualTo("1");
      assertThat(Integer.parseInt(pragma(db, "busy_timeout"))).isPositive();
      assertThat(tables(db))
          .contains(
              "jobs",
              "job_events",
              "env_builds",
              "layouts",
              "tokens",
              "tenants",
              "audit_log",
              "build_owners");
    }
  }

  @Test
  void jobCountsByStateAndTenantReadOnlyAnIndex() {
    try (Database db = Database.open(dir.resolve("migctl.db"))) {
      String plan =
          db.read(
              "plan",
              c -> {
                StringBuilder b = new StringBuilder();
                try (Statement s = c.createStatement();
                    ResultSet rs =
                        s.executeQuery(
                            "EXPLAIN QUERY PLAN SELECT state, tenant, count(*) FROM jobs"
                                + " GROUP BY state, tenant")) {
                  while (rs.next()) {
                    b.append(rs.getString(4)).append('\n');
                  }
                }
                return b.toString();
              });
      // GET /api/v1/health counts on every call: no job row is read, nothing sorted.
      assertThat(plan)
          .contains("COVERING INDEX jobs_by_state_tenant")
          .doesNotContain("TEMP B-TREE");
    }
  }

  @Test
  void reopeningKeepsEverythingAndMigratesNothing() {
    Path file = dir.resolve("migctl.db");
    Job job;
    Transition placed;
    List<JobEvent> events;
    try (Database db = Database.open(file)) {
      SqliteJobStore store = new SqliteJobStore(db);
      job =
          store.insert(
              Fixtures.fullSpec(),
              Optional.of(Fixtures.requirement(20480, 1)),
              Optional.of("b1"),
              t(0));
      placed =
          apply(
              job,
              new JobTrigger.Place(Optional.of(Fixtures.slot("MIG-x", "1c.3g.20gb", 20480, 1))),
              t(1));
      store.record(placed);
      events = store.events(job.id());
      new BuildRecords(db).record("b1", "torch", "venv", "/envs/b1", t(2));
      new LayoutRecords(db).append(t(3), "file.yaml", "all-1g.10gb", "{\"ok\":true}", "applied");
      new TokenRecords(db).add("s3cret-token", "ci", t(4));
    }
    try (Database db = Database.open(file)) {
      assertThat(db.migrationsApplied()).isZero();
      assertThat(historyRows(db)).isEqualTo(4);
      SqliteJobStore store = new SqliteJobStore(db);
      assertThat(store.find(job.id())).contains(placed.after());
      assertThat(store.events(job.id())).isEqualTo(events);
      assertThat(new BuildRecords(db).list())
          .containsExactly(new BuildRecords.BuildRecord("b1", "torch", "venv", "/envs/b1", t(2)));
      assertThat(new LayoutRecords(db).recent(5)).hasSize(1);
      assertThat(new TokenRecords(db).matches("s3cret-token")).isTrue();
      // Ids and sequence numbers continue after the stored ones.
      Job next = Fixtures.insertCpu(store, "next", "t", t(5));
      assertThat(next.id()).isGreaterThan(job.id());
      assertThat(store.events(next.id()).getFirst().seq()).isGreaterThan(events.getLast().seq());
    }
  }

  @Test
  void aFileThatIsNotADatabaseIsRefusedWithAClearMessage() throws Exception {
    Path file = dir.resolve("migctl.db");
    Files.writeString(file, "this is a text file, not a database\n".repeat(200));
    assertThatThrownBy(() -> Database.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is not a migctl database")
        .hasMessageContaining("move the file away");
    assertThat(Files.readString(file)).startsWith("this is a text file");
  }

  @Test
  void anotherProgramsSqliteDatabaseIsRefused() throws Exception {
    Path file = dir.resolve("other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)");
    }
    assertThatThrownBy(() -> Database.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not migctl's")
        .hasMessageContaining("recipes");
  }

  @Test
  void aSchemaOneDatabaseIsMigratedToTenantsAndItsTokensStayTheOperators() throws Exception {
    Path old = migratedTo("1");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO tokens (sha256, created_at, description) VALUES"
              + " ('2ff69a5f404c81989151301042b80ee9297abbcfff625133fba1e31a08528e91',"
              + " '2026-01-01T00:00:00Z', 'v1')");
    }
    try (Database db = Database.open(old)) {
      assertThat(db.migrationsApplied()).isEqualTo(3);
      assertThat(new TokenRecords(db).resolve("plaintext-token-d41d8cd98f00b204"))
          .contains(io.migctl.core.tenant.Principal.OPERATOR);
    }
  }

  @Test
  void aDatabaseOfANewerMigctlIsRefused() throws Exception {
    Path file = dir.resolve("migctl.db");
    Database.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, installed_on, execution_time, success)"
              + " VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'test',"
              + " CURRENT_TIMESTAMP, 0, 1)");
    }
    assertThatThrownBy(() -> Database.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("newer migctl")
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("this build knows up to 3.1");
  }

  @Test
  void aJobWrittenBeforeJobsHadSeveralDevicesReadsWithItsOneDevice() throws Exception {
    Path old = migratedTo("2");
    String spec =
        JobSpecCodec.write(
            Fixtures.spec("old", "t1", new io.migctl.core.job.GpuNeed.Memory(4864, 1)));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO jobs (name, tenant, priority, spec_json, req_memory_mib,"
                    + " req_compute_slices, state, attempt, submitted_at, started_at, device_uuid,"
                    + " device_gpu, device_gi, device_profile) VALUES ('old', 't1', 0, ?, 4864, 1,"
                    + " 'running', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 'MIG-old',"
                    + " 0, 7, '1g.5gb')")) {
      s.setString(1, spec);
      s.executeUpdate();
    }
    try (Database db = Database.open(old)) {
      assertThat(db.migrationsApplied()).isEqualTo(2);
      io.migctl.core.job.Job job = new SqliteJobStore(db).find(1).orElseThrow();
      assertThat(job.devices())
          .containsExactly(new io.migctl.core.job.Job.Device("MIG-old", 0, 7, "1g.5gb"));
    }
  }

  @Test
  void aTransactionThatThrowsLeavesNothingBehind() {
    try (Database db = Database.open(dir.resolve("migctl.db"))) {
      SqliteJobStore store = new SqliteJobStore(db);
      assertThatThrownBy(
              () ->
                  db.inTransaction(
                      "test",
                      c -> {
                        Fixtures.insertCpu(store, "inner", "t", t(0)); // joins this transaction
                        throw new IllegalStateException("boom");
                      }))
          .hasMessage("boom");
      assertThat(store.list(JobQuery.all())).isEmpty();
      assertThat(store.eventsAfter(0, 10)).isEmpty();
    }
  }

  @Test
  void foreignKeysAreEnforced() {
    try (Database db = Database.open(dir.resolve("migctl.db"))) {
      assertThatThrownBy(
              () ->
                  db.inTransaction(
                      "orphan event",
                      c -> {
                        try (Statement s = c.createStatement()) {
                          return s.executeUpdate(
                              "INSERT INTO job_events (job_id, at, from_state, to_state, attempt,"
                                  + " kind, detail) VALUES (12345, 'x', 'queued', 'queued', 1,"
                                  + " 'submitted', 'x')");
                        }
                      }))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("orphan event failed")
          .hasMessageContaining("FOREIGN KEY");
    }
  }

  @Test
  void aClosedDatabaseSaysSo() {
    Database db = Database.open(dir.resolve("migctl.db"));
    db.close();
    db.close();
    assertThatThrownBy(() -> new SqliteJobStore(db).find(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  private static String pragma(Database db, String name) {
    return db.read(
        "pragma",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
          }
        });
  }

  private static List<String> tables(Database db) {
    return db.read(
        "tables",
        c -> {
          List<String> out = new java.util.ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  private static int historyRows(Database db) {
    return db.read(
        "history",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history")) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  /**
   * A database file in {@code dir} migrated up to schema {@code target}, as an older migctl left
   * it.
   */
  private Path migratedTo(String target) {
    org.sqlite.SQLiteDataSource source = new org.sqlite.SQLiteDataSource();
    Path old = dir.resolve("old.db");
    source.setUrl("jdbc:sqlite:" + old);
    org.flywaydb.core.Flyway.configure(Database.class.getClassLoader())
        .dataSource(source)
        .locations("classpath:db/migration")
        .table(Database.HISTORY_TABLE)
        .target(target)
        .load()
        .migrate();
    return old;
  }

  @Test
  void aStatementKeptForReuseIsPreparedAnewAfterItFailedAndTheNextUseWorks() {
    String insert = "INSERT INTO t (x) VALUES (?)";
    try (Database db = Database.open(dir.resolve("migctl.db"))) {
      db.inTransaction(
          "create",
          c -> {
            try (Statement s = c.createStatement()) {
              return s.executeUpdate("CREATE TABLE t (x INTEGER UNIQUE)");
            }
          });
      Database.SqlWork<PreparedStatement> insertOne =
          c -> {
            PreparedStatement s = db.statements(c).prepared(insert);
            s.setInt(1, 1);
            s.executeUpdate();
            return s;
          };
      PreparedStatement first = db.inTransaction("insert 1", insertOne);
      PreparedStatement kept = db.inTransaction("again", c -> db.statements(c).prepared(insert));
      assertThat((Object) kept).isSameAs(first);

      assertThatThrownBy(() -> db.inTransaction("insert 1 again", insertOne))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("UNIQUE");

      PreparedStatement after =
          db.inTransaction(
              "insert 2",
              c -> {
                PreparedStatement s = db.statements(c).prepared(insert);
                s.setInt(1, 2);
                s.executeUpdate();
                return s;
              });
      assertThat((Object) after).isNotSameAs(first);
      int rows =
          db.read(
              "count",
              c -> {
                try (ResultSet rs =
                    db.statements(c).prepared("SELECT count(*) FROM t").executeQuery()) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      assertThat(rows).isEqualTo(2);
    }
  }
}
