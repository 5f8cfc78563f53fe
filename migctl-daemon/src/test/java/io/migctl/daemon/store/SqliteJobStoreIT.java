package io.migctl.daemon.store;

import io.migctl.core.job.JobStore;
import java.nio.file.Path;

/** The {@link JobStoreContract} on SQLite, on disk. */
class SqliteJobStoreIT extends JobStoreContract {

  private Database db;

  @Override
  JobStore open(Path dir) {
    db = Database.open(dir.resolve("home/migctl.db"));
    return new SqliteJobStore(db);
  }

  @Override
  void close() {
    db.close();
  }
}
