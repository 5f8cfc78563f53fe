package io.migctl.bench.scale;

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
 * One scheduling decision over a large simulated fleet with a deep queue, as the daemon takes it
 * after an event (a job finishes, a job arrives): {@code gpus} A100-40GB GPUs with mixed MIG
 * layouts, about 80 % of their devices busy, a queue as deep as the fleet. Sample time gives the
 * percentiles of one event and its decision; throughput gives events per second. See {@link Fleet}
 * for the schedulers compared.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchedulerScaleBenchmark {

  /** How many GPUs the fleet has; the queue starts as deep. */
  @Param({"1000", "10000"})
  public int gpus;

  /** {@code daemon}, {@code snapshot} or {@code straightforward}; see {@link Fleet}. */
  @Param({"daemon", "snapshot"})
  public String scheduler;

  private Fleet fleet;

  /** Starts each iteration from the same fleet. */
  @Setup(Level.Iteration)
  public void setUp() {
    fleet = new Fleet(scheduler, gpus);
  }

  /** One job finishes, one arrives, one decision, applied. */
  @Benchmark
  public int event() {
    return fleet.step();
  }
}
