package io.migctl.daemon.store;

import io.migctl.core.job.GpuNeed;
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
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The {@link JobStore} on the daemon's SQLite {@link Database}. Each method is one transaction (or
 * one read), committed durably before it returns.
 *
 * <p>{@link #record} is optimistic: it writes only when the stored job is still exactly {@code
 * transition.before()} — every field that transitions change, not only state and attempt, because
 * some transitions keep both (a launch while stopping, a cancel during a timeout).
 */
public final class SqliteJobStore implements JobStore {

  /** Columns a transition may change, in the order {@link #bindMutable} binds them. */
  private static final List<String> MUTABLE =
      List.of(
          "state",
          "attempt",
          "started_at",
          "finished_at",
          "device_uuid",
          "device_gpu",
          "device_gi",
          "device_profile",
          "supervisor_pid",
          "supervisor_start",
          "stop_cause",
          "exit_status",
          "reason");

  private static final String INSERT_JOB =
      "INSERT INTO jobs (name, tenant, priority, spec_json, req_memory_mib, req_compute_slices,"
          + " environment_build, submitted_at, "
          + String.join(", ", MUTABLE)
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?"
          + ", ?".repeat(MUTABLE.size())
          + ")";

  private static final String UPDATE_JOB =
      "UPDATE jobs SET "
          + MUTABLE.stream().map(c -> c + " = ?").collect(Collectors.joining(", "))
          + " WHERE id = ? AND "
          + MUTABLE.stream().map(c -> c + " IS ?").collect(Collectors.joining(" AND "));

  private static final String INSERT_EVENT =
      "INSERT INTO job_events (job_id, at, from_state, to_state, attempt, kind, detail, device)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  private static final List<JobState> TERMINAL =
      List.of(JobState.values()).stream().filter(JobState::isTerminal).toList();

  private static final String SELECT_JOB = "SELECT * FROM jobs";
  private static final String SELECT_EVENT = "SELECT * FROM job_events";

  private final Database db;

  public SqliteJobStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Job insert(
      JobSpec spec, Optional<Requirement> requirement, Optional<String> build, Instant at) {
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
    Job unnumbered = Job.accepted(0, spec, requirement, build, at);
    return db.inTransaction(
        "insert job " + spec.name(),
        c -> {
          try (PreparedStatement s = c.prepareStatement(INSERT_JOB)) {
            int i = 1;
            s.setString(i++, spec.name());
            s.setString(i++, spec.tenant());
            s.setInt(i++, spec.priority());
            s.setString(i++, JobSpecCodec.write(spec));
            setLong(s, i++, requirement.map(Requirement::memoryMiB));
            setInt(s, i++, requirement.map(Requirement::computeSlices));
            setText(s, i++, build);
            s.setString(i++, at.toString());
            bindMutable(s, i, unnumbered);
            s.executeUpdate();
          }
          long id = lastRowId(c);
          Job job = Job.accepted(id, spec, requirement, build, at);
          insertEvent(c, JobStateMachine.submitted(job));
          return job;
        });
  }

  @Override
  public Optional<Job> find(long id) {
    return db.read(
        "find job " + id,
        c -> {
          try (PreparedStatement s = c.prepareStatement(SELECT_JOB + " WHERE id = ?")) {
            s.setLong(1, id);
            List<Job> jobs = jobs(s);
            return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.getFirst());
          }
        });
  }

  @Override
  public List<Job> list(JobQuery query) {
    StringBuilder sql = new StringBuilder(SELECT_JOB).append(" WHERE 1 = 1");
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
            return jobs(s);
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
    String sql = SELECT_JOB + " WHERE " + inStates(open) + " ORDER BY id";
    return db.read(
        "list unfinished jobs",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            bindStates(s, 1, open);
            return jobs(s);
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
    return db.inTransaction(
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
    long id = before.id();
    if (after.id() != id || transition.event().jobId() != id) {
      throw new IllegalArgumentException(
          "a transition belongs to one job, but names jobs "
              + id
              + ", "
              + after.id()
              + " and (event) "
              + transition.event().jobId());
    }
    if (!after.spec().equals(before.spec())
        || !after.submittedAt().equals(before.submittedAt())
        || !after.requirement().equals(before.requirement())
        || !after.environmentBuild().equals(before.environmentBuild())) {
      throw new IllegalArgumentException(
          "a transition of job "
              + id
              + " changes its spec, requirement, environment build or submission time, which are"
              + " fixed at submit");
    }
    return db.inTransaction(
        "record " + transition.event().kind() + " of job " + id,
        c -> {
          int updated;
          try (PreparedStatement s = c.prepareStatement(UPDATE_JOB)) {
            int i = bindMutable(s, 1, after);
            s.setLong(i++, id);
            bindMutable(s, i, before);
            updated = s.executeUpdate();
          }
          if (updated != 1) {
            throw refusal(c, transition);
          }
          long seq = insertEvent(c, transition.event());
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
    Optional<Job> stored;
    try (PreparedStatement s = c.prepareStatement(SELECT_JOB + " WHERE id = ?")) {
      s.setLong(1, id);
      stored = jobs(s).stream().findFirst();
    }
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

  @Override
  public List<JobEvent> events(long jobId) {
    return db.read(
        "read events of job " + jobId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(SELECT_EVENT + " WHERE job_id = ? ORDER BY seq")) {
            s.setLong(1, jobId);
            return events(s);
          }
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
          try (PreparedStatement s =
              c.prepareStatement(SELECT_EVENT + " WHERE seq > ? ORDER BY seq LIMIT ?")) {
            s.setLong(1, afterSeq);
            s.setInt(2, limit);
            return events(s);
          }
        });
  }

  @Override
  public Map<JobState, Map<String, Long>> countByStateAndTenant() {
    return db.read(
        "count jobs by state and tenant",
        c -> {
          Map<JobState, Map<String, Long>> counts = new EnumMap<>(JobState.class);
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT state, tenant, count(*) FROM jobs GROUP BY state, tenant")) {
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

  // ------------------------------------------------------------------------------ rows

  /** Binds the {@link #MUTABLE} columns of {@code job} from {@code i}; returns the next index. */
  private static int bindMutable(PreparedStatement s, int i, Job job) throws SQLException {
    s.setString(i++, job.state().wireName());
    s.setInt(i++, job.attempt());
    setText(s, i++, job.startedAt().map(Instant::toString));
    setText(s, i++, job.finishedAt().map(Instant::toString));
    setText(s, i++, job.device().map(Job.Device::uuid));
    setInt(s, i++, job.device().map(Job.Device::gpu));
    setInt(s, i++, job.device().map(Job.Device::gpuInstanceId));
    setText(s, i++, job.device().map(Job.Device::profile));
    setLong(s, i++, job.supervisor().map(Job.Supervisor::pid));
    setText(s, i++, job.supervisor().flatMap(Job.Supervisor::processStart).map(Instant::toString));
    setText(s, i++, job.stopCause().map(cause -> cause.name().toLowerCase(Locale.ROOT)));
    setInt(
        s,
        i++,
        job.exitStatus().isPresent() ? Optional.of(job.exitStatus().getAsInt()) : Optional.empty());
    setText(s, i++, job.reason());
    return i;
  }

  private static List<Job> jobs(PreparedStatement s) throws SQLException {
    List<Job> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(job(rs));
      }
    }
    return out;
  }

  private static Job job(ResultSet rs) throws SQLException {
    long id = rs.getLong("id");
    JobSpec spec;
    try {
      spec = JobSpecCodec.read(rs.getString("spec_json"));
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "job " + id + " in the store has a spec this build cannot read: " + e.getMessage(), e);
    }
    Optional<Long> memory = getLong(rs, "req_memory_mib");
    Optional<Requirement> requirement =
        memory.isPresent()
            ? Optional.of(new Requirement(memory.get(), rs.getInt("req_compute_slices")))
            : Optional.empty();
    Optional<String> uuid = getText(rs, "device_uuid");
    Optional<Job.Device> device =
        uuid.isPresent()
            ? Optional.of(
                new Job.Device(
                    uuid.get(),
                    rs.getInt("device_gpu"),
                    rs.getInt("device_gi"),
                    rs.getString("device_profile")))
            : Optional.empty();
    Optional<Long> pid = getLong(rs, "supervisor_pid");
    Optional<Job.Supervisor> supervisor =
        pid.isPresent()
            ? Optional.of(new Job.Supervisor(pid.get(), getInstant(rs, "supervisor_start")))
            : Optional.empty();
    Optional<Long> status = getLong(rs, "exit_status");
    return new Job(
        id,
        spec,
        requirement,
        getText(rs, "environment_build"),
        JobState.parse(rs.getString("state")),
        rs.getInt("attempt"),
        Instant.parse(rs.getString("submitted_at")),
        getInstant(rs, "started_at"),
        getInstant(rs, "finished_at"),
        device,
        supervisor,
        getText(rs, "stop_cause").map(c -> Job.StopCause.valueOf(c.toUpperCase(Locale.ROOT))),
        status.isPresent() ? OptionalInt.of(Math.toIntExact(status.get())) : OptionalInt.empty(),
        getText(rs, "reason"));
  }

  private static long insertEvent(Connection c, JobEvent e) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(INSERT_EVENT)) {
      s.setLong(1, e.jobId());
      s.setString(2, e.at().toString());
      s.setString(3, e.from().wireName());
      s.setString(4, e.to().wireName());
      s.setInt(5, e.attempt());
      s.setString(6, e.kind());
      s.setString(7, e.detail());
      setText(s, 8, e.device());
      s.executeUpdate();
    }
    return lastRowId(c);
  }

  private static List<JobEvent> events(PreparedStatement s) throws SQLException {
    List<JobEvent> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(
            new JobEvent(
                rs.getLong("seq"),
                rs.getLong("job_id"),
                Instant.parse(rs.getString("at")),
                JobState.parse(rs.getString("from_state")),
                JobState.parse(rs.getString("to_state")),
                rs.getInt("attempt"),
                rs.getString("kind"),
                rs.getString("detail"),
                getText(rs, "device")));
      }
    }
    return out;
  }

  static long lastRowId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ------------------------------------------------------------ null-aware accessors

  static void setText(PreparedStatement s, int i, Optional<String> v) throws SQLException {
    if (v.isPresent()) {
      s.setString(i, v.get());
    } else {
      s.setNull(i, Types.VARCHAR);
    }
  }

  private static void setLong(PreparedStatement s, int i, Optional<Long> v) throws SQLException {
    if (v.isPresent()) {
      s.setLong(i, v.get());
    } else {
      s.setNull(i, Types.BIGINT);
    }
  }

  private static void setInt(PreparedStatement s, int i, Optional<Integer> v) throws SQLException {
    if (v.isPresent()) {
      s.setInt(i, v.get());
    } else {
      s.setNull(i, Types.INTEGER);
    }
  }

  static Optional<String> getText(ResultSet rs, String column) throws SQLException {
    return Optional.ofNullable(rs.getString(column));
  }

  private static Optional<Long> getLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(v);
  }

  static Optional<Instant> getInstant(ResultSet rs, String column) throws SQLException {
    return getText(rs, column).map(Instant::parse);
  }
}
