package io.migctl.daemon.store;

import static io.migctl.daemon.store.SqlValues.getInstant;
import static io.migctl.daemon.store.SqlValues.getLong;
import static io.migctl.daemon.store.SqlValues.getText;
import static io.migctl.daemon.store.SqlValues.setInt;
import static io.migctl.daemon.store.SqlValues.setLong;
import static io.migctl.daemon.store.SqlValues.setText;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.Requirement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Jobs and their events as rows of the {@code jobs} and {@code job_events} tables: writing them and
 * reading them back. The caller owns the connection and its transaction.
 *
 * <p>A job's columns are of two kinds: those fixed at submit (spec, requirement, environment build,
 * submission time) and the {@link #MUTABLE} ones that transitions change.
 */
final class JobRows {

  /** Every column of {@code jobs}, for queries that read whole jobs. */
  static final String SELECT_JOB = "SELECT * FROM jobs";

  /** Every column of {@code job_events}, for queries that read whole events. */
  static final String SELECT_EVENT = "SELECT * FROM job_events";

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
          "more_devices",
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

  private JobRows() {}

  /**
   * Inserts {@code job} (its id is ignored) as a new row.
   *
   * @return the id the row was given
   */
  static long insertJob(StatementCache sql, Job job) throws SQLException {
    JobSpec spec = job.spec();
    PreparedStatement s = sql.prepared(INSERT_JOB);
    int i = 1;
    s.setString(i++, spec.name());
    s.setString(i++, spec.tenant());
    s.setInt(i++, spec.priority());
    s.setString(i++, JobSpecCodec.write(spec));
    setLong(s, i++, job.requirement().map(Requirement::memoryMiB));
    setInt(s, i++, job.requirement().map(Requirement::computeSlices));
    setText(s, i++, job.environmentBuild());
    s.setString(i++, job.submittedAt().toString());
    bindMutable(s, i, job);
    s.executeUpdate();
    return sql.lastRowId();
  }

  /**
   * Writes the {@link #MUTABLE} columns of {@code after} into the row of {@code before}, only if
   * that row still holds exactly {@code before}'s values.
   *
   * @return whether the row was updated (false: no such job, or it has changed)
   */
  static boolean updateJob(StatementCache sql, Job before, Job after) throws SQLException {
    PreparedStatement s = sql.prepared(UPDATE_JOB);
    int i = bindMutable(s, 1, after);
    s.setLong(i++, before.id());
    bindMutable(s, i, before);
    return s.executeUpdate() == 1;
  }

  /**
   * Inserts {@code e} (its sequence number is ignored).
   *
   * @return the sequence number the event was given
   */
  static long insertEvent(StatementCache sql, JobEvent e) throws SQLException {
    PreparedStatement s = sql.prepared(INSERT_EVENT);
    s.setLong(1, e.jobId());
    s.setString(2, e.at().toString());
    s.setString(3, e.from().wireName());
    s.setString(4, e.to().wireName());
    s.setInt(5, e.attempt());
    s.setString(6, e.kind());
    s.setString(7, e.detail());
    setText(s, 8, e.device());
    s.executeUpdate();
    return sql.lastRowId();
  }

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
    setText(s, i++, moreDevices(job.devices()));
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

  /** The devices after the first, one {@code uuid gpu gi profile} line each; empty for none. */
  static Optional<String> moreDevices(List<Job.Device> devices) {
    if (devices.size() < 2) {
      return Optional.empty();
    }
    return Optional.of(
        devices.subList(1, devices.size()).stream()
            .map(d -> d.uuid() + " " + d.gpu() + " " + d.gpuInstanceId() + " " + d.profile())
            .collect(Collectors.joining("\n")));
  }

  /** Reads what {@link #moreDevices} wrote. */
  static List<Job.Device> readDevices(long id, String text) {
    List<Job.Device> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.split(" ");
      if (f.length != 4) {
        throw new StoreException(
            "job " + id + " in the store has a device this build cannot read: '" + line + "'");
      }
      try {
        out.add(new Job.Device(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3]));
      } catch (NumberFormatException e) {
        throw new StoreException(
            "job " + id + " in the store has a device this build cannot read: '" + line + "'", e);
      }
    }
    return out;
  }

  /**
   * The jobs that {@code s} (a {@link #SELECT_JOB} query) finds, in its order.
   *
   * @throws StoreException when a stored spec cannot be read by this build
   */
  static List<Job> jobs(PreparedStatement s) throws SQLException {
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
    List<Job.Device> devices = new ArrayList<>();
    if (uuid.isPresent()) {
      devices.add(
          new Job.Device(
              uuid.get(),
              rs.getInt("device_gpu"),
              rs.getInt("device_gi"),
              rs.getString("device_profile")));
      getText(rs, "more_devices").ifPresent(text -> devices.addAll(readDevices(id, text)));
    }
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
        devices,
        supervisor,
        getText(rs, "stop_cause").map(c -> Job.StopCause.valueOf(c.toUpperCase(Locale.ROOT))),
        status.isPresent() ? OptionalInt.of(Math.toIntExact(status.get())) : OptionalInt.empty(),
        getText(rs, "reason"));
  }

  /** The events that {@code s} (a {@link #SELECT_EVENT} query) finds, in its order. */
  static List<JobEvent> events(PreparedStatement s) throws SQLException {
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
}
