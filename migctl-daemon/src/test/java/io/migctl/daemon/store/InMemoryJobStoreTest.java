package io.migctl.daemon.store;

import io.migctl.core.job.JobStore;
import java.nio.file.Path;

/** The {@link JobStoreContract} on the in-memory store the runtime on virtual time uses. */
class InMemoryJobStoreTest extends JobStoreContract {

  @Override
  JobStore open(Path dir) {
    return new InMemoryJobStore();
  }

  @Override
  void close() {}
}
