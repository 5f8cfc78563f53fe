package io.migctl.env.builds;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobStore;
import io.migctl.env.store.EnvironmentStore;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code env gc}: removes the builds no name points at (beyond each name's newest few) and no job
 * not yet finished will run in, and interrupted builds. Which builds jobs need comes from a {@link
 * JobBuilds} view: the daemon's API while a daemon runs on the home, its {@link JobStore} when none
 * does — never the daemon's database behind its back.
 */
public final class EnvironmentGc {

  /** Which builds jobs not yet finished (queued, starting, running, stopping) will run in. */
  @FunctionalInterface
  public interface JobBuilds {

    /**
     * The builds' ids.
     *
     * @throws RuntimeException when the jobs cannot be known; nothing is removed then
     */
    Set<String> ofUnfinishedJobs();

    /** No jobs at all: a home where no daemon ever stored one. */
    JobBuilds NONE = Set::of;

    /** The unfinished jobs of a job store. */
    static JobBuilds of(JobStore store) {
      return () -> buildsOf(store.unfinished());
    }
  }

  private final EnvironmentStore store;
  private final JobBuilds jobs;

  public EnvironmentGc(EnvironmentStore store, JobBuilds jobs) {
    this.store = store;
    this.jobs = jobs;
  }

  /** The builds {@code unfinished} jobs will run in. */
  public static Set<String> buildsOf(Collection<Job> unfinished) {
    Set<String> ids = new TreeSet<>();
    unfinished.forEach(j -> j.environmentBuild().ifPresent(ids::add));
    return ids;
  }

  /**
   * Removes (or with {@code dryRun} only lists) what is no longer needed; see {@link
   * EnvironmentStore#gc}. The jobs are asked first, so nothing is removed when they cannot be.
   *
   * @param keep builds kept per name, newest first, at least 1
   * @throws IllegalArgumentException when {@code keep} is below 1
   */
  public EnvironmentStore.GcResult run(int keep, boolean dryRun) {
    if (keep < 1) {
      throw new IllegalArgumentException(
          "--keep " + keep + ": keep at least 1 (each name's current build)");
    }
    return store.gc(keep, jobs.ofUnfinishedJobs(), dryRun);
  }
}
