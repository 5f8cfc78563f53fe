package io.migctl.daemon.store;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link JobStore} in memory, with the contract of {@link SqliteJobStore} (the same contract
 * tests run against both): ids and event sequence numbers from 1, each method atomic, {@link
 * #record} refused unless the stored job is still exactly {@code transition.before()}. "Durable"
 * here means for the life of the object, which is what a runtime on virtual time needs: a second
 * runtime on the same store sees what the first stored, as after a restart.
 *
 * <p>Thread-safe: every method holds the store's lock.
 */
public final class InMemoryJobStore implements JobStore {

  private final TreeMap<Long, Job> jobs = new TreeMap<>();
  private final TreeMap<Long, JobEvent> events = new TreeMap<>();
  private long lastId;
  private long lastSeq;

  @Override
  public synchronized Job insert(
      JobSpec spec,
      Optional<Requirement> requirement,
      Optional<String> build,
      Instant at,
      String submittedBy) {
    JobStore.requireRequirementFits(spec, requirement);
    Job job = Job.accepted(++lastId, spec, requirement, build, at);
    jobs.put(job.id(), job);
    append(JobStateMachine.submitted(job, submittedBy));
    return job;
  }

  @Override
  public synchronized Optional<Job> find(long id) {
    return Optional.ofNullable(jobs.get(id));
  }

  @Override
  public synchronized List<Job> list(JobQuery query) {
    return jobs.descendingMap().values().stream()
        .filter(j -> query.states().isEmpty() || query.states().contains(j.state()))
        .filter(j -> query.tenant().map(j.spec().tenant()::equals).orElse(true))
        .filter(j -> query.name().map(j.spec().name()::equals).orElse(true))
        .limit(query.limit())
        .toList();
  }

  @Override
  public synchronized List<Job> unfinished() {
    return jobs.values().stream().filter(j -> !j.state().isTerminal()).toList();
  }

  @Override
  public synchronized JobEvent record(Transition transition) {
    Job before = transition.before();
    Job after = transition.after();
    long id = transition.requireRecordable();
    Job stored = jobs.get(id);
    if (stored == null) {
      throw new IllegalArgumentException(
          "job " + id + " does not exist; cannot record " + transition.event().kind());
    }
    if (!stored.equals(before)) {
      throw new ConcurrentTransitionException(
          "job "
              + id
              + " changed since it was read (read as "
              + before.state().wireName()
              + ", attempt "
              + before.attempt()
              + "; stored is "
              + stored.state().wireName()
              + ", attempt "
              + stored.attempt()
              + "); "
              + transition.event().kind()
              + " was not recorded: read the job again and re-apply the trigger");
    }
    jobs.put(id, after);
    return append(transition.event());
  }

  @Override
  public synchronized List<JobRetention.Finished> finished() {
    return jobs.values().stream()
        .filter(j -> j.state().isTerminal())
        .map(j -> new JobRetention.Finished(j.id(), j.finishedAt().orElse(j.submittedAt())))
        .toList();
  }

  @Override
  public synchronized List<Long> removeFinished(Collection<Long> ids) {
    List<Long> removed = new ArrayList<>();
    for (long id : ids.stream().distinct().sorted().toList()) {
      Job job = jobs.get(id);
      if (job != null && job.state().isTerminal()) {
        jobs.remove(id);
        events.values().removeIf(e -> e.jobId() == id);
        removed.add(id);
      }
    }
    return removed;
  }

  @Override
  public synchronized List<JobEvent> events(long jobId) {
    return events.values().stream().filter(e -> e.jobId() == jobId).toList();
  }

  @Override
  public synchronized List<JobEvent> eventsAfter(long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return events.tailMap(afterSeq, false).values().stream().limit(limit).toList();
  }

  @Override
  public synchronized Map<JobState, Map<String, Long>> countByStateAndTenant() {
    Map<JobState, Map<String, Long>> counts = new EnumMap<>(JobState.class);
    for (Job j : jobs.values()) {
      counts
          .computeIfAbsent(j.state(), k -> new TreeMap<>())
          .merge(j.spec().tenant(), 1L, Long::sum);
    }
    counts.replaceAll((k, v) -> Collections.unmodifiableMap(v));
    return Collections.unmodifiableMap(counts);
  }

  private JobEvent append(JobEvent e) {
    JobEvent stored =
        new JobEvent(
            ++lastSeq,
            e.jobId(),
            e.at(),
            e.from(),
            e.to(),
            e.attempt(),
            e.kind(),
            e.detail(),
            e.device());
    events.put(stored.seq(), stored);
    return stored;
  }
}
