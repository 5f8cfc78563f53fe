package io.migctl.core.job;

/** A request that the job's current state does not allow, such as cancelling a finished job. */
public final class IllegalTransitionException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final long jobId;
  private final JobState state;

  public IllegalTransitionException(long jobId, JobState state, String message) {
    super(message);
    this.jobId = jobId;
    this.state = state;
  }

  public long jobId() {
    return jobId;
  }

  public JobState state() {
    return state;
  }
}
