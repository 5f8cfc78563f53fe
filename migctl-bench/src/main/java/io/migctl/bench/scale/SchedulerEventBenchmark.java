package io.migctl.bench.scale;

import io.migctl.core.job.Job;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
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
 * Events per second with the decision applied incrementally, as the daemon does: one running job
 * finishes and frees its device, one new job joins the queue, and one full decision places what it
 * can; the placed jobs leave the queue and their devices turn busy. The fleet stays near its
 * starting shape: {@code gpus} A100-40GB GPUs, about 80% busy, a queue as deep as the fleet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SchedulerEventBenchmark {

  /** How many GPUs the fleet has; the queue starts as deep. */
  @Param({"1000", "10000"})
  public int gpus;

  /** {@code daemon} for the daemon's scheduler, {@code straightforward} for the old scan. */
  @Param({"daemon"})
  public String scheduler;

  private SimulatedCluster cluster;
  private Random random;
  private List<Job> queued;
  private List<MigSlot> free;
  private List<MigSlot> busy;
  private long nextId;

  /** Starts each iteration from the same fleet (seed 42). */
  @Setup(Level.Iteration)
  public void setUp() {
    cluster = SimulatedCluster.generate(42, gpus, gpus, 0.8);
    random = new Random(7);
    queued = new ArrayList<>(cluster.queued());
    free = new ArrayList<>(cluster.free());
    busy = new ArrayList<>(cluster.busy());
    nextId = queued.size() + 1L;
  }

  /** One job finishes, one arrives, one decision, applied. */
  @Benchmark
  public int jobFinishes() {
    if (!busy.isEmpty()) {
      int i = random.nextInt(busy.size());
      MigSlot done = busy.get(i);
      busy.set(i, busy.getLast());
      busy.removeLast();
      free.add(done);
    }
    queued.add(SimulatedCluster.job(random, nextId++, cluster.now()));
    Decision decision =
        SchedulerScaleBenchmark.decide(scheduler, queued, free, cluster.all(), cluster);
    if (!decision.assignments().isEmpty()) {
      Set<Long> placed = SchedulerScaleBenchmark.assignedJobs(decision);
      queued.removeIf(j -> placed.contains(j.id()));
      Set<MigSlot> taken = new HashSet<>();
      for (Assignment a : decision.assignments()) {
        a.slot().ifPresent(taken::add);
      }
      free.removeIf(taken::contains);
      busy.addAll(taken);
    }
    return decision.assignments().size();
  }
}
