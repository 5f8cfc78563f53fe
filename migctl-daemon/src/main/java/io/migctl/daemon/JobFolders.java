package io.migctl.daemon;

import io.migctl.core.job.Job;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where each job's attempts keep their files: {@code <jobsDir>/<id>/attempt-<n>/}.
 *
 * @param jobsDir the folder of all jobs
 */
record JobFolders(Path jobsDir) {

  JobFolders {
    Objects.requireNonNull(jobsDir, "jobsDir");
  }

  /** The folder of a job's current (or last) attempt. */
  Path attemptDir(Job job) {
    return attemptDir(job.id(), job.attempt());
  }

  Path attemptDir(long id, int attempt) {
    return jobsDir.resolve(Long.toString(id)).resolve("attempt-" + attempt);
  }
}
