package io.migctl.core.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where jobs and their history live. Every method is durable when it returns: a transition that
 * {@link #record} accepted survives a crash of the process.
 */
public interface JobStore {

  /**
   * Stores a new job in {@link JobState#QUEUED} with its submission event, in one transaction.
   *
   * @param submittedBy who submitted it, in words for the event ({@code operator}, {@code tenant
   *     alice}; see {@link JobStateMachine#submitted})
   * @return the job with its id
   */
  Job insert(
      JobSpec spec,
      Optional<Requirement> requirement,
      Optional<String> build,
      Instant at,
      String submittedBy);

  /**
   * Stores a new job submitted by its own tenant; see {@link #insert(JobSpec, Optional, Optional,
   * Instant, String)}.
   */
  default Job insert(
      JobSpec spec, Optional<Requirement> requirement, Optional<String> build, Instant at) {
    return insert(spec, requirement, build, at, "tenant " + spec.tenant());
  }

  Optional<Job> find(long id);

  /** Jobs matching the query, newest first. */
  List<Job> list(JobQuery query);

  /** Every job not yet in a final state, oldest first. */
  List<Job> unfinished();

  /**
   * Stores a transition: the job's new version and its event, in one transaction.
   *
   * @return the stored event, with its sequence number
   * @throws ConcurrentTransitionException when the stored job is no longer {@code
   *     transition.before()} (another transition got there first); nothing is stored then
   */
  JobEvent record(Transition transition);

  /** Every job in a final state, with when it finished, for {@link JobRetention#expired}. */
  List<JobRetention.Finished> finished();

  /**
   * Removes these jobs and their events, in one transaction; a job that is not in a final state
   * (any more) is kept, whatever is asked.
   *
   * @return the ids of the jobs removed, lowest first
   */
  List<Long> removeFinished(java.util.Collection<Long> ids);

  /** A job's history, oldest first. */
  List<JobEvent> events(long jobId);

  /** Events of all jobs after sequence number {@code afterSeq}, oldest first, at most limit. */
  List<JobEvent> eventsAfter(long afterSeq, int limit);

  /** How many jobs each tenant has in each state (absent where there are none). */
  Map<JobState, Map<String, Long>> countByStateAndTenant();

  /** How many jobs are in each state (states without jobs are absent). */
  default Map<JobState, Long> countByState() {
    Map<JobState, Long> out = new java.util.EnumMap<>(JobState.class);
    countByStateAndTenant()
        .forEach(
            (state, byTenant) ->
                out.put(state, byTenant.values().stream().mapToLong(Long::longValue).sum()));
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Thrown by {@link #record} when the stored job changed since it was read. */
  final class ConcurrentTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ConcurrentTransitionException(String message) {
      super(message);
    }
  }

  /**
   * Checks what every store requires before it inserts a job: a requirement exactly when the job
   * needs a GPU (as {@link Admission} gives it).
   *
   * @throws IllegalArgumentException naming the job, its need and what it was given
   */
  static void requireRequirementFits(JobSpec spec, Optional<Requirement> requirement) {
    if (requirement.isPresent() == (spec.gpu() instanceof GpuNeed.None)) {
      throw new IllegalArgumentException(
          "job "
              + spec.name()
              + " needs "
              + spec.gpu()
              + " but was given "
              + requirement.map(r -> "the requirement " + r).orElse("no requirement")
              + "; a requirement is given exactly when the job needs a GPU (see Admission)");
    }
  }
}
