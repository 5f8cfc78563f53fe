package io.migctl.daemon;

import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobStore;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Removes the finished jobs a {@link JobRetention} no longer keeps: the decision is {@link
 * JobRetention#expired}'s, the rows and events go in one store transaction, and only then the
 * folders of the jobs the store removed — so a job the API lists always has its folder, and a job
 * that has not finished (the store keeps it, whatever is asked) never loses its folder.
 *
 * <p>Safe to call from any thread: the store serialises the removals, and each folder belongs to
 * the one call whose transaction removed its job.
 */
final class FinishedJobs {

  private static final Logger LOG = Logger.getLogger(FinishedJobs.class.getName());

  private final JobStore store;
  private final Path jobsDir;
  private final JobRetention keep;

  /**
   * @param jobsDir where each job has its folder {@code <id>/}
   */
  FinishedJobs(JobStore store, Path jobsDir, JobRetention keep) {
    this.store = store;
    this.jobsDir = jobsDir;
    this.keep = keep;
  }

  /**
   * Removes what is no longer kept at {@code now}.
   *
   * @return the ids of the jobs removed, lowest first
   */
  List<Long> removeExpired(Instant now) {
    List<Long> expired = keep.expired(store.finished(), now);
    if (expired.isEmpty()) {
      return List.of();
    }
    List<Long> removed = store.removeFinished(expired);
    removed.forEach(id -> deleteTree(jobsDir.resolve(Long.toString(id))));
    LOG.info(
        "removed "
            + removed.size()
            + " finished job(s) and their folders (keep-finished: "
            + keep.describe()
            + ")");
    return removed;
  }

  /** Deletes a folder: links are removed, never followed; what cannot go is logged and left. */
  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              LOG.warning("cannot read " + file + " to remove it: " + e.getMessage());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warning("cannot remove " + root + ": " + e.getMessage());
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warning("cannot remove " + path + ": " + e.getMessage());
    }
  }
}
