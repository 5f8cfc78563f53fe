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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link JobStore} on the daemon's SQLite {@link Database}. Each method is one transaction (or
 * one read), committed durably before it returns; {@link #insert}s from several threads at once
 * share transactions ({@link Database#inSharedTransaction}).
 *
 * <p>{@link #record} is optimistic: it writes only when the stored job is still exactly {@code
 * transition.before()} — every field that transitions change, not only state and attempt, because
 * some transitions keep both (a launch while stopping, a cancel during a timeout).
 */
public final class SqliteJobStore implements JobStore {

  private static final List<JobState> TERMINAL =
      List.of(JobState.values()).stream().filter(JobState::isTerminal).toList();

  private final Database db;

  /** The job counts, which every health request asks for; each write reads them anew. */
  private final ReadCache<Map<JobState, Map<String, Long>>> counts = new ReadCache<>();

  public SqliteJobStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Job insert(
      JobSpec spec,
      Optional<Requirement> requirement,
      Optional<String> build,
      Instant at,
      String submittedBy) {
    JobStore.requireRequirementFits(spec, requirement);
    Job unnumbered = Job.accepted(0, spec, requirement, build, at);
    return write(
        db::inSharedTransaction,
        "insert job " + spec.name(),
        c -> {
          StatementCache sql = db.statements(c);
          long id = JobRows.insertJob(sql, unnumbered);
          Job job = Job.accepted(id, spec, requirement, build, at);
          JobRows.insertEvent(sql, JobStateMachine.submitted(job, submittedBy));
          return job;
        });
  }

  @Override
  public Optional<Job> find(long id) {
    return db.read("find job " + id, c -> JobRows.jobs(byId(c, id)).stream().findFirst());
  }

  @Override
  public List<Job> list(JobQuery query) {
    StringBuilder sql = new StringBuilder(JobRows.SELECT_JOB).append(" WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (!query.states().isEmpty()) {
      List<JobState> states = query.states().stream().sorted().toList();
      sql.append(" AND state IN (")
          .append(String.join(", ", Collections.nCopies(states.size(), "?")))
          .append(")");
      states.forEach(st -> args.add(st.wireName()));
    }
    query.tenant().ifPresent(t -> appendEquals(sql, args, "tenant", t));
    query.name().ifPresent(n -> appendEquals(sql, args, "name", n));
    sql.append(" ORDER BY id DESC LIMIT ?");
    return db.read(
        "list jobs",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String a : args) {
              s.setString(i++, a);
            }
            s.setInt(i, query.limit());
            return JobRows.jobs(s);
          }
        });
  }

  private static void appendEquals(StringBuilder sql, List<String> args, String column, String v) {
    sql.append(" AND ").append(column).append(" = ?");
    args.add(v);
  }

  @Override
  public List<Job> unfinished() {
    List<JobState> open = List.of(JobState.values()).stream().filter(s -> !s.isTerminal()).toList();
    String sql = JobRows.SELECT_JOB + " WHERE " + inStates(open) + " ORDER BY id";
    return db.read(
        "list unfinished jobs",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            bindStates(s, 1, open);
            return JobRows.jobs(s);
          }
        });
  }

  @Override
  public List<JobRetention.Finished> finished() {
    String sql =
        "SELECT id, coalesce(finished_at, submitted_at) FROM jobs WHERE " + inStates(TERMINAL);
    return db.read(
        "list finished jobs",
        c -> {
          List<JobRetention.Finished> out = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement(sql)) {
            bindStates(s, 1, TERMINAL);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new JobRetention.Finished(rs.getLong(1), Instant.parse(rs.getString(2))));
              }
            }
          }
          return out;
        });
  }

  @Override
  public List<Long> removeFinished(Collection<Long> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<Long> sorted = ids.stream().distinct().sorted().toList();
    String finishedJob = "id = ? AND " + inStates(TERMINAL);
    return write(
        db::inTransaction,
        "remove " + sorted.size() + " finished jobs",
        c -> {
          List<Long> removed = new ArrayList<>();
          // Events first: they refer to their job.
          try (PreparedStatement events =
                  c.prepareStatement(
                      "DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE "
                          + finishedJob
                          + ")");
              PreparedStatement jobs =
                  c.prepareStatement("DELETE FROM jobs WHERE " + finishedJob)) {
            for (long id : sorted) {
              events.setLong(1, id);
              bindStates(events, 2, TERMINAL);
              events.executeUpdate();
              jobs.setLong(1, id);
              bindStates(jobs, 2, TERMINAL);
              if (jobs.executeUpdate() == 1) {
                removed.add(id);
              }
            }
          }
          return removed;
        });
  }

  /** {@code state IN (?, …)}, one parameter per state, for {@link #bindStates}. */
  private static String inStates(List<JobState> states) {
    return "state IN (" + String.join(", ", Collections.nCopies(states.size(), "?")) + ")";
  }

  private static void bindStates(PreparedStatement s, int from, List<JobState> states)
      throws SQLException {
    for (int i = 0; i < states.size(); i++) {
      s.setString(from + i, states.get(i).wireName());
    }
  }

  @Override
  public JobEvent record(Transition transition) {
    Job before = transition.before();
    Job after = transition.after();
    long id = transition.requireRecordable();
    return write(
        db::inTransaction,
        "record " + transition.event().kind() + " of job " + id,
        c -> {
          StatementCache sql = db.statements(c);
          if (!JobRows.updateJob(sql, before, after)) {
            throw refusal(c, transition);
          }
          long seq = JobRows.insertEvent(sql, transition.event());
          JobEvent e = transition.event();
          return new JobEvent(
              seq,
              e.jobId(),
              e.at(),
              e.from(),
              e.to(),
              e.attempt(),
              e.kind(),
              e.detail(),
              e.device());
        });
  }

  private RuntimeException refusal(Connection c, Transition t) throws SQLException {
    long id = t.before().id();
    Optional<Job> stored = JobRows.jobs(byId(c, id)).stream().findFirst();
    if (stored.isEmpty()) {
      return new IllegalArgumentException(
          "job " + id + " does not exist; cannot record " + t.event().kind());
    }
    Job now = stored.get();
    return new ConcurrentTransitionException(
        "job "
            + id
            + " changed since it was read (read as "
            + t.before().state().wireName()
            + ", attempt "
            + t.before().attempt()
            + "; stored is "
            + now.state().wireName()
            + ", attempt "
            + now.attempt()
            + "); "
            + t.event().kind()
            + " was not recorded: read the job again and re-apply the trigger");
  }

  /** The query for the job {@code id}, bound. */
  private PreparedStatement byId(Connection c, long id) throws SQLException {
    PreparedStatement s = db.statements(c).prepared(JobRows.SELECT_JOB + " WHERE id = ?");
    s.setLong(1, id);
    return s;
  }

  @Override
  public List<JobEvent> events(long jobId) {
    return db.read(
        "read events of job " + jobId,
        c -> {
          PreparedStatement s =
              db.statements(c).prepared(JobRows.SELECT_EVENT + " WHERE job_id = ? ORDER BY seq");
          s.setLong(1, jobId);
          return JobRows.events(s);
        });
  }

  @Override
  public List<JobEvent> eventsAfter(long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return db.read(
        "read events after " + afterSeq,
        c -> {
          PreparedStatement s =
              db.statements(c)
                  .prepared(JobRows.SELECT_EVENT + " WHERE seq > ? ORDER BY seq LIMIT ?");
          s.setLong(1, afterSeq);
          s.setInt(2, limit);
          return JobRows.events(s);
        });
  }

  @Override
  public Map<JobState, Map<String, Long>> countByStateAndTenant() {
    return counts.get(this::readCounts);
  }

  /** A write to the jobs table, after which the counts are read again. */
  private <T> T write(Transaction<T> how, String what, Database.SqlWork<T> work) {
    return counts.write(() -> how.run(what, work));
  }

  /** How {@link Database} runs a write: alone or sharing a commit. */
  @FunctionalInterface
  private interface Transaction<T> {
    T run(String what, Database.SqlWork<T> work);
  }

  private Map<JobState, Map<String, Long>> readCounts() {
    return db.read(
        "count jobs by state and tenant",
        c -> {
          Map<JobState, Map<String, Long>> counts = new EnumMap<>(JobState.class);
          try (ResultSet rs =
              db.statements(c)
                  .prepared("SELECT state, tenant, count(*) FROM jobs GROUP BY state, tenant")
                  .executeQuery()) {
            while (rs.next()) {
              counts
                  .computeIfAbsent(JobState.parse(rs.getString(1)), k -> new java.util.TreeMap<>())
                  .put(rs.getString(2), rs.getLong(3));
            }
          }
          counts.replaceAll((k, v) -> Collections.unmodifiableMap(v));
          return Collections.unmodifiableMap(counts);
        });
  }
}
