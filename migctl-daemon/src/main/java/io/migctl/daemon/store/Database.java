package io.migctl.daemon.store;

import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The daemon's SQLite file: opened in WAL mode with {@code synchronous=FULL} (a committed
 * transaction survives a crash), foreign keys on and a busy timeout, and migrated by Flyway from
 * {@code classpath:db/migration} when opened.
 *
 * <p>Two connections, each guarded by a lock: one writes (SQLite has one writer anyway), the other
 * reads, so that a query does not wait while a commit syncs the disk (WAL lets readers go on beside
 * the writer). Every read sees every transaction committed before it began. Use {@link
 * #inTransaction} or {@link #inSharedTransaction} to change data and {@link #read} to query it.
 */
public final class Database implements AutoCloseable {

  /** A unit of work on the connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** How long a statement waits for another process's write lock before it fails. */
  public static final int BUSY_TIMEOUT_MS = 10_000;

  static final String HISTORY_TABLE = "flyway_schema_history";
  private static final String MIGRATIONS = "classpath:db/migration";
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Path file;
  private final Connection connection;
  private final Connection reader;
  private final int migrationsApplied;
  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock readerLock = new ReentrantLock();
  private final StatementCache statements;
  private final StatementCache readerStatements;
  private final ReadCache.Writes tenantsAndTokens = new ReadCache.Writes();
  private final GroupCommit<Connection> groups =
      new GroupCommit<>((what, body) -> inTransaction(what, body::apply));
  private boolean inTransaction;
  private boolean closed;

  private Database(Path file, Connection connection, Connection reader, int migrationsApplied) {
    this.file = file;
    this.connection = connection;
    this.reader = reader;
    this.statements = new StatementCache(connection);
    this.readerStatements = new StatementCache(reader);
    this.migrationsApplied = migrationsApplied;
  }

  /**
   * Opens (creating it 0600 and its parent directories 0700 when absent) and migrates the database;
   * an existing file and its {@code -wal} and {@code -shm} files are narrowed to 0600.
   *
   * @throws StoreException when the file is not a SQLite database, is another program's database,
   *     was written by a newer migctl, or cannot be created or migrated
   */
  public static Database open(Path file) {
    Path path = file.toAbsolutePath().normalize();
    try {
      Path parent = path.getParent();
      if (parent != null) {
        PrivateFiles.createDirectories(parent);
      }
      // SQLite gives the -wal and -shm files the database's mode: 0600 for all three.
      if (!Files.exists(path)) {
        try {
          Files.createFile(path, PrivateFiles.fileMode());
        } catch (FileAlreadyExistsException e) {
          // another process created it first: SQLite opens it as it is
        }
      }
      for (String suffix : List.of("", "-wal", "-shm")) {
        PrivateFiles.restrict(path.resolveSibling(path.getFileName() + suffix));
      }
    } catch (IOException e) {
      throw new StoreException(
          "cannot create the directory of the migctl database "
              + path
              + ": "
              + e
              + "; check the permissions or set MIGCTL_HOME to a writable directory",
          e);
    }
    SQLiteConfig config = config();
    // Our connections: an INSERT does not ask SQLite for the keys it generated (an extra query
    // each); the store reads the row id itself where it needs it. Flyway keeps the defaults.
    SQLiteConfig ours = config();
    ours.setGetGeneratedKeys(false);
    String url = "jdbc:sqlite:" + path;
    Connection connection;
    try {
      connection = ours.createConnection(url);
    } catch (SQLException e) {
      throw openFailure(path, e);
    }
    try {
      checkIsOurs(path, connection);
      int applied = migrate(path, url, config);
      checkPragmas(path, connection);
      return new Database(path, connection, ours.createConnection(url), applied);
    } catch (RuntimeException e) {
      closeQuietly(connection, e);
      throw e;
    } catch (SQLException e) {
      StoreException failure = openFailure(path, e);
      closeQuietly(connection, failure);
      throw failure;
    }
  }

  private static SQLiteConfig config() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.enforceForeignKeys(true);
    // Take the write lock at BEGIN, so a transaction never fails half-way on a lock upgrade.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    return config;
  }

  /** Refuses a SQLite file that has tables but no migctl schema history: another program's. */
  private static void checkIsOurs(Path path, Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                    + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    if (!tables.isEmpty() && !tables.contains(HISTORY_TABLE)) {
      throw new StoreException(
          path
              + " is a SQLite database, but not migctl's: it has the tables "
              + tables
              + " and no migctl schema history; move it away or set MIGCTL_HOME to another"
              + " directory");
    }
  }

  private static int migrate(Path path, String url, SQLiteConfig config) {
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl(url);
    Flyway flyway =
        Flyway.configure(Database.class.getClassLoader())
            .dataSource(source)
            .loggers("slf4j")
            .locations(MIGRATIONS)
            .table(HISTORY_TABLE)
            .cleanDisabled(true)
            .validateOnMigrate(true)
            // Fail on every unknown applied migration, including those of a newer build.
            .ignoreMigrationPatterns(new String[0])
            .load();
    try {
      MigrationInfo[] all = flyway.info().all();
      MigrationVersion known = MigrationVersion.EMPTY;
      for (MigrationInfo m : all) {
        if (m.getState().isResolved() && m.getVersion() != null) {
          known = m.getVersion().compareTo(known) > 0 ? m.getVersion() : known;
        }
      }
      for (MigrationInfo m : all) {
        if (m.getState() == MigrationState.FUTURE_SUCCESS
            || m.getState() == MigrationState.FUTURE_FAILED) {
          throw new StoreException(
              path
                  + " was written by a newer migctl (schema version "
                  + m.getVersion()
                  + "; this build knows up to "
                  + known
                  + "); run the newer migctl, or set MIGCTL_HOME to another directory");
        }
      }
      MigrateResult result = flyway.migrate();
      if (result.migrationsExecuted > 0) {
        LOG.info(
            "migrated {} from schema version {} to {}",
            path,
            result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion,
            result.targetSchemaVersion);
      }
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      throw new StoreException(
          "cannot migrate the migctl database "
              + path
              + ": "
              + e.getMessage()
              + "; if it was changed by hand or by another migctl version, move it away",
          e);
    }
  }

  private static void checkPragmas(Path path, Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      String mode = rs.next() ? rs.getString(1) : "unknown";
      if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
        LOG.warn(
            "{}: SQLite runs in journal mode {}, not WAL (the file system may not support it);"
                + " writes stay durable but readers wait for writers",
            path,
            mode);
      }
    }
  }

  private static StoreException openFailure(Path path, SQLException e) {
    if (e instanceof SQLiteException se
        && (se.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB
            || se.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT)) {
      return new StoreException(
          path
              + " is not a migctl database (SQLite says: "
              + se.getMessage()
              + "); move the file away or set MIGCTL_HOME to another directory",
          e);
    }
    return new StoreException(
        "cannot open the migctl database "
            + path
            + ": "
            + e.getMessage()
            + "; check that it is a file you may read and write, or set MIGCTL_HOME to another"
            + " directory",
        e);
  }

  private static void closeQuietly(Connection c, Exception failure) {
    try {
      c.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /** The database file, absolute. */
  public Path file() {
    return file;
  }

  /** How many migrations {@link #open} applied: all of them for a new file, 0 for a current one. */
  public int migrationsApplied() {
    return migrationsApplied;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
   * (the exception is rethrown; a {@link SQLException} as a {@link StoreException}). A call from
   * inside {@code work} joins the outer transaction.
   *
   * @param what a few words for error messages, e.g. {@code "insert job"}
   */
  public <T> T inTransaction(String what, SqlWork<T> work) {
    lock.lock();
    try {
      ensureOpen();
      if (inTransaction) {
        return work.apply(connection);
      }
      connection.setAutoCommit(false);
      inTransaction = true;
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (RuntimeException | SQLException | Error e) {
        try {
          connection.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        statements.drop(e);
        throw e;
      } finally {
        inTransaction = false;
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code work} as {@link #inTransaction} does, but in a transaction that it may share with
   * the work of other threads that ask at the same time ({@link GroupCommit}): one commit, one sync
   * of the disk for all of them. Returns once that transaction has committed; when {@code work}
   * throws, only its caller fails. {@code work} must do nothing but use the connection, since it
   * may run twice. A call from inside {@code work} of {@link #inTransaction} or {@link #read} joins
   * that transaction.
   *
   * @param what a few words for error messages, e.g. {@code "insert job"}
   */
  public <T> T inSharedTransaction(String what, SqlWork<T> work) {
    return queueSharedTransaction(what, work).await();
  }

  /**
   * Queues {@code work} for {@link #inSharedTransaction} and returns at once: the caller's next
   * shared transaction commits it too (or a transaction of another thread does, earlier), so that
   * two writes of one request cost one sync. The caller must await the result on every path ({@link
   * GroupCommit#queue}). Inside the work of {@link #inTransaction} it runs there and then.
   */
  public <T> GroupCommit.Pending<T> queueSharedTransaction(String what, SqlWork<T> work) {
    if (lock.isHeldByCurrentThread()) {
      T result = inTransaction(what, work);
      return () -> result;
    }
    return groups.queue(what, work::apply);
  }

  /**
   * Runs read-only {@code work} on the reading connection, beside a transaction that may be under
   * way; it sees every transaction committed before it began. A call from inside the work of {@link
   * #inTransaction} runs on the writing connection, so it sees what that work wrote.
   *
   * @param what a few words for error messages, e.g. {@code "list jobs"}
   */
  public <T> T read(String what, SqlWork<T> work) {
    ReentrantLock held = lock.isHeldByCurrentThread() ? lock : readerLock;
    held.lock();
    try {
      ensureOpen();
      try {
        return work.apply(held == lock ? connection : reader);
      } catch (RuntimeException | SQLException | Error e) {
        (held == lock ? statements : readerStatements).drop(e);
        throw e;
      }
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      held.unlock();
    }
  }

  /**
   * The statement cache of {@code c}, which must be the connection a {@link SqlWork} of this
   * database was given, inside that work.
   */
  StatementCache statements(Connection c) {
    if (c == connection && lock.isHeldByCurrentThread()) {
      return statements;
    }
    if (c == reader && readerLock.isHeldByCurrentThread()) {
      return readerStatements;
    }
    throw new IllegalStateException("statements of a connection used outside its work");
  }

  /**
   * What counts the writes to the tenants and the tokens, for the {@link ReadCache}s of both:
   * removing a tenant removes its tokens too.
   */
  ReadCache.Writes tenantsAndTokens() {
    return tenantsAndTokens;
  }

  private StoreException failure(String what, SQLException e) {
    String busy =
        e instanceof SQLiteException se
                && (se.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code
            ? "; another process holds the database locked, is a second daemon running?"
            : "";
    return new StoreException(what + " failed on " + file + ": " + e.getMessage() + busy, e);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the migctl database " + file + " is closed");
    }
  }

  /** Closes the connections; later calls fail. Closing twice does nothing. */
  @Override
  public void close() {
    lock.lock();
    readerLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        readerStatements.close();
        statements.close();
      } finally {
        try {
          reader.close();
        } finally {
          connection.close();
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot close the migctl database " + file + ": " + e, e);
    } finally {
      readerLock.unlock();
      lock.unlock();
    }
  }
}
