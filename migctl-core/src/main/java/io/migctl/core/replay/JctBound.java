package io.migctl.core.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Lower bounds on the mean job completion time that no policy can beat on a trace, so that a report
 * shows how far each policy is from the limit.
 *
 * <p>The no-queue bound: every job starts on arrival on the slice where it runs fastest, so its
 * completion time is its duration over its best speed. The work bound: the cluster as one machine
 * that processes {@code gpus × compute slices} slice-seconds per second, each job needing at least
 * the slice-seconds of its cheapest fitting slice (slices × duration / speed there); shortest
 * remaining work first minimises the mean completion time on such a machine, even against sharing
 * it, so its mean is a bound too. It is the tighter one only where the trace loads the cluster near
 * or past its capacity; reshaping time is left out of both, so both stay bounds. A gang job ({@link
 * SimJob#isGang()}) counts in both: with no queue it runs its duration on its whole GPUs, and it
 * needs the slice-seconds of all of them.
 *
 * @param noQueue mean completion time with no queueing on each job's fastest slice, seconds
 * @param work mean completion time of shortest-remaining-work-first on the pooled capacity
 */
public record JctBound(double noQueue, double work) {

  /** The tighter bound: the larger of the two. */
  public double best() {
    return Math.max(noQueue, work);
  }

  /** {@code jctMean} over the tighter bound, at least 1 for any real policy. */
  public double ratio(double jctMean) {
    return jctMean / best();
  }

  /** The bounds averaged over several job lists (seeds) on the same cluster. */
  public static JctBound mean(Simulation.Config config, List<List<SimJob>> lists) {
    double noQueue = 0;
    double work = 0;
    for (List<SimJob> jobs : lists) {
      JctBound b = of(config, jobs);
      noQueue += b.noQueue();
      work += b.work();
    }
    return new JctBound(noQueue / lists.size(), work / lists.size());
  }

  /**
   * The bounds of {@code jobs} on {@code config}'s cluster.
   *
   * @throws IllegalArgumentException when there are no jobs, a job fits no slice, or a gang job
   *     needs more GPUs than the cluster has
   */
  public static JctBound of(Simulation.Config config, List<SimJob> jobs) {
    if (jobs.isEmpty()) {
      throw new IllegalArgumentException("no jobs: a bound needs at least one");
    }
    double capacity = (double) config.gpus() * config.model().computeSlices();
    double noQueue = 0;
    List<double[]> arrivals = new ArrayList<>();
    for (SimJob j : jobs) {
      double bestSpeed = 0;
      double leastWork = Double.POSITIVE_INFINITY;
      for (var e : j.speeds().entrySet()) {
        bestSpeed = Math.max(bestSpeed, e.getValue());
        leastWork = Math.min(leastWork, e.getKey() * j.duration() / e.getValue());
      }
      if (bestSpeed == 0) {
        throw new IllegalArgumentException("job " + j.id() + " fits no slice size");
      }
      if (j.gpus() > config.gpus()) {
        throw new IllegalArgumentException(
            "job " + j.id() + " needs " + j.gpus() + " GPUs; the cluster has " + config.gpus());
      }
      leastWork *= j.wholeGpus();
      noQueue += j.duration() / bestSpeed;
      arrivals.add(new double[] {j.arrival(), leastWork / capacity});
    }
    return new JctBound(noQueue / jobs.size(), srptMean(arrivals));
  }

  /** Mean completion time of preemptive shortest remaining time first; each {arrival, size}. */
  private static double srptMean(List<double[]> jobs) {
    jobs.sort(Comparator.comparingDouble(j -> j[0]));
    PriorityQueue<double[]> ready = new PriorityQueue<>(Comparator.comparingDouble(j -> j[1]));
    double now = 0;
    double sum = 0;
    int next = 0;
    while (next < jobs.size() || !ready.isEmpty()) {
      if (ready.isEmpty()) {
        now = Math.max(now, jobs.get(next)[0]);
      }
      while (next < jobs.size() && jobs.get(next)[0] <= now) {
        double[] j = jobs.get(next++);
        ready.add(new double[] {j[0], j[1]});
      }
      double[] head = ready.poll();
      double until = next < jobs.size() ? jobs.get(next)[0] : Double.POSITIVE_INFINITY;
      if (now + head[1] <= until) {
        now += head[1];
        sum += now - head[0];
      } else {
        head[1] -= until - now;
        now = until;
        ready.add(head);
      }
    }
    return sum / jobs.size();
  }
}
