package io.migctl.core.job;

import java.util.List;

/** A job's next version, the event that records the change, and the effects to perform after. */
public record Transition(Job before, Job after, JobEvent event, List<JobEffect> effects) {
  public Transition {
    effects = List.copyOf(effects);
  }
}
