package io.migctl.core.job;

import java.util.List;

/** A job's next version, the event that records the change, and the effects to perform after. */
public record Transition(Job before, Job after, JobEvent event, List<JobEffect> effects) {
  public Transition {
    effects = List.copyOf(effects);
  }

  /**
   * Checks what every store requires before it records this transition: one job throughout, and
   * nothing changed that is fixed at submit.
   *
   * @return the job's id
   * @throws IllegalArgumentException naming what is wrong
   */
  public long requireRecordable() {
    long id = before.id();
    if (after.id() != id || event.jobId() != id) {
      throw new IllegalArgumentException(
          "a transition belongs to one job, but names jobs "
              + id
              + ", "
              + after.id()
              + " and (event) "
              + event.jobId());
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
    return id;
  }
}
