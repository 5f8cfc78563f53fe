package io.migctl.core.job;

/** Where a job is in its life. */
public enum JobState {
  /** Waiting for a device (or for its turn). */
  QUEUED,
  /** A device is reserved and the supervisor is being started. */
  STARTING,
  /** The supervisor runs the command. */
  RUNNING,
  /** Cancel or timeout: the process group was signalled and its exit is awaited. */
  STOPPING,
  /** Exited with status 0. */
  SUCCEEDED,
  /**
   * Exited with another status or timed out, and has no retry left; or could not start at all (not
   * retried: what stopped the launch — a missing folder or environment — stays).
   */
  FAILED,
  /** Stopped at a user's request. */
  CANCELLED,
  /** The supervisor vanished without recording an outcome. */
  LOST;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == LOST;
  }

  /** Whether a job in this state holds its MIG device. */
  public boolean holdsDevice() {
    return this == STARTING || this == RUNNING || this == STOPPING;
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@code queued}, {@code RUNNING}, … */
  public static JobState parse(String text) {
    for (JobState s : values()) {
      if (s.name().equalsIgnoreCase(text.strip())) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not a job state; use one of "
            + java.util.Arrays.stream(values()).map(JobState::wireName).toList());
  }
}
