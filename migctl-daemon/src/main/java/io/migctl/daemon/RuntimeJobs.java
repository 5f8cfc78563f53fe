package io.migctl.daemon;

import io.migctl.core.job.IncrementalScheduler;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The unfinished jobs as the store has them after each stored transition, kept on the job thread so
 * that a scheduling round reads the driver but not the store: the queue in a {@link
 * IncrementalScheduler}, the others (starting, running, stopping) by id, and why queued ones wait
 * on the {@link WaitingBoard}. Not thread-safe: the job thread owns it.
 */
final class RuntimeJobs {

  private final IncrementalScheduler queue;
  private final WaitingBoard waiting;
  private final Map<Long, Job> active = new HashMap<>();
  private final Map<Long, Job> queuedGangs = new HashMap<>();

  RuntimeJobs(IncrementalScheduler queue, WaitingBoard waiting) {
    this.queue = queue;
    this.waiting = waiting;
  }

  /** Keeps a job as the store has it: queued in the queue, other unfinished ones active. */
  void track(Job job) {
    long id = job.id();
    if (job.state() == JobState.QUEUED) {
      active.remove(id);
      queue.enqueue(job);
      waiting.queued(job);
      if (job.wholeGpus().isPresent()) {
        queuedGangs.put(id, job);
      } else {
        queuedGangs.remove(id);
      }
      return;
    }
    queue.remove(id);
    queuedGangs.remove(id);
    waiting.left(id);
    if (job.state().isTerminal()) {
      active.remove(id);
    } else {
      active.put(id, job);
    }
  }

  IncrementalScheduler queue() {
    return queue;
  }

  WaitingBoard waiting() {
    return waiting;
  }

  /**
   * The queued jobs that ask for whole GPUs, in no order: few, where the queue may hold thousands,
   * so a round looks at them without walking the queue.
   */
  Collection<Job> queuedGangs() {
    return Collections.unmodifiableCollection(queuedGangs.values());
  }

  /** The MIG devices jobs hold now. */
  Set<String> heldDevices() {
    Set<String> held = new HashSet<>();
    for (Job j : active.values()) {
      if (j.state().holdsDevice()) {
        j.devices().stream().filter(d -> !d.whole()).forEach(d -> held.add(d.uuid()));
      }
    }
    return held;
  }

  /** The supervisors of the jobs that hold or held a device: their processes are not foreign. */
  Set<Long> ownPids() {
    Set<Long> pids = new HashSet<>();
    for (Job j : active.values()) {
      j.supervisor().ifPresent(s -> pids.add(s.pid()));
    }
    return pids;
  }

  /** The jobs that are starting, running or stopping. */
  Collection<Job> active() {
    return Collections.unmodifiableCollection(active.values());
  }
}
