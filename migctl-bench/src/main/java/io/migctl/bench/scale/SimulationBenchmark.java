package io.migctl.bench.scale;

import io.migctl.core.mig.Catalog;
import io.migctl.core.replay.DynamicPolicy;
import io.migctl.core.replay.Policy;
import io.migctl.core.replay.SimJob;
import io.migctl.core.replay.SimProfiles;
import io.migctl.core.replay.SimResult;
import io.migctl.core.replay.Simulation;
import io.migctl.core.replay.StaticPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Simulated events per second of the trace simulator ({@code migctl sim trace}): a synthetic trace
 * of ten jobs per GPU on {@code gpus} A100-40GB GPUs — needs of 1/8 to a whole GPU as in the
 * Alibaba GPU-sharing trace, exponential running times (mean 30 min), Poisson arrivals that would
 * keep 90 % of the GPUs busy with one job per GPU (seed 11) — run to the end under {@code
 * whole-gpu} or {@code dynamic}. The {@code events} counter is events per second of wall time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimulationBenchmark {

  /** GPUs in the simulated cluster. */
  @Param({"100", "1000"})
  public int gpus;

  /** {@code whole-gpu} or {@code dynamic}. */
  @Param({"whole-gpu", "dynamic"})
  public String policy;

  private List<SimJob> jobs;
  private Simulation.Config config;

  /** Events processed, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Events {
    /** Simulated events so far in this iteration. */
    public long events;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void clear() {
      events = 0;
    }
  }

  /** Builds the trace, once per trial. */
  @Setup(Level.Trial)
  public void setUp() {
    config = Simulation.Config.of(Catalog.A100_40GB, gpus);
    jobs = trace(new Random(11), gpus, 10 * gpus);
  }

  /** One whole simulation. */
  @Benchmark
  public SimResult simulate(Events counter) {
    Policy p =
        policy.equals("dynamic")
            ? new DynamicPolicy()
            : StaticPolicy.wholeGpu(SimProfiles.of(config.model()));
    SimResult r = Simulation.run(config, jobs, p);
    counter.events += r.events();
    return r;
  }

  /** Needs as fractions of one GPU, with weights: mostly small shares, a fifth whole GPUs. */
  private static final double[] NEEDS = {0.125, 0.25, 0.4, 0.5, 1.0};

  private static final int[] WEIGHTS = {35, 20, 15, 10, 20};

  static List<SimJob> trace(Random random, int gpus, int count) {
    double meanDuration = 1800;
    int total = 0;
    for (int w : WEIGHTS) {
      total += w;
    }
    // Arrivals per second that keep 90 % of the GPUs busy when each job takes a whole GPU.
    double rate = 0.9 * gpus / meanDuration;
    List<SimJob> out = new ArrayList<>(count);
    double t = 0;
    for (int id = 0; id < count; id++) {
      t += -Math.log(1 - random.nextDouble()) / rate;
      double duration = Math.max(1, -Math.log(1 - random.nextDouble()) * meanDuration);
      int r = random.nextInt(total);
      int k = 0;
      while (r >= WEIGHTS[k]) {
        r -= WEIGHTS[k++];
      }
      out.add(SimJob.fractional(id, t, duration, NEEDS[k], Catalog.A100_40GB));
    }
    return out;
  }
}
