package io.migctl.bench.scale;

import io.migctl.core.job.Job;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One scheduling decision over a large simulated fleet: {@code gpus} A100-40GB GPUs with mixed MIG
 * layouts, about 80% of their devices busy, and as many queued jobs as GPUs. Measures {@link
 * Scheduler#decide}, the code the node daemon runs, in sample mode for its percentiles; {@code
 * straightforward} runs {@link StraightforwardScheduler}, the scan it replaced, for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchedulerScaleBenchmark {

  /** How many GPUs the fleet has; the queue is as deep. */
  @Param({"1000", "10000"})
  public int gpus;

  /** {@code daemon} for {@link Scheduler#decide}, {@code straightforward} for the old scan. */
  @Param({"daemon"})
  public String scheduler;

  private SimulatedCluster cluster;

  /** Builds the fleet, once per trial (seed 42). */
  @Setup(Level.Trial)
  public void setUp() {
    cluster = SimulatedCluster.generate(42, gpus, gpus, 0.8);
  }

  /** One decision over the whole queue and every free device. */
  @Benchmark
  public Decision decide() {
    return decide(scheduler, cluster.queued(), cluster.free(), cluster.all(), cluster);
  }

  static Decision decide(
      String scheduler,
      List<Job> queued,
      List<MigSlot> free,
      List<MigSlot> all,
      SimulatedCluster cluster) {
    return switch (scheduler) {
      case "daemon" -> Scheduler.decide(queued, free, all, cluster.now(), Scheduler.Policy.DEFAULT);
      case "straightforward" ->
          StraightforwardScheduler.decide(
              queued, free, all, cluster.now(), Scheduler.Policy.DEFAULT);
      default -> throw new IllegalArgumentException("no scheduler " + scheduler);
    };
  }

  /** The job ids a decision assigns. */
  static Set<Long> assignedJobs(Decision decision) {
    Set<Long> ids = new HashSet<>();
    for (Assignment a : decision.assignments()) {
      ids.add(a.jobId());
    }
    return ids;
  }
}
