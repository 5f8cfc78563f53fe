package io.migctl.replay;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.migctl.core.replay.Fairness;
import io.migctl.core.replay.Policy;
import io.migctl.core.replay.SimJob;
import io.migctl.core.replay.SimResult;
import io.migctl.core.replay.Simulation;
import io.migctl.core.replay.TenantResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One policy's metrics, averaged over seeds (one job list a seed), with the runs behind them.
 *
 * @param policy the placement policy
 * @param fairness the fairness policy ({@link Fairness#name()})
 * @param jain Jain's fairness index over the tenants ({@link TenantResult#jain(List)}), mean over
 *     the runs
 * @param tenants per tenant, each metric the mean over the runs in which the tenant had jobs
 * @param gangJobs the gang jobs' figures (whole GPUs, {@link SimResult#gangJobs()}), mean over the
 *     runs that had some
 * @param sliceJobs the other jobs' figures ({@link SimResult#sliceJobs()}), likewise
 */
public record PolicyRow(
    String policy,
    double jctMean,
    double jctP50,
    double jctP99,
    double queueMean,
    double queueP99,
    @JsonProperty("sliceUtilisation") double sliceUtil,
    @JsonProperty("gpuUtilisation") double gpuUtil,
    double reconfigurations,
    @JsonIgnore List<SimResult> runs,
    String fairness,
    double jain,
    List<TenantResult> tenants,
    SimResult.JobGroup gangJobs,
    SimResult.JobGroup sliceJobs) {

  public PolicyRow {
    runs = List.copyOf(runs);
    tenants = List.copyOf(tenants);
  }

  /**
   * Runs {@code template} on each job list (a {@linkplain Policy#fresh fresh} copy for each, as a
   * policy may keep state), the queue in arrival order, and averages the metrics.
   *
   * @throws Simulation.Unrunnable when some job fits no slice the policy can offer
   */
  public static PolicyRow run(Policy template, Simulation.Config config, List<List<SimJob>> lists) {
    return run(template, Fairness.fifo(), config, lists);
  }

  /**
   * Runs {@code template} on each job list under {@code fairness} and averages the metrics.
   *
   * @throws Simulation.Unrunnable when some job fits no slice the policy can offer
   */
  public static PolicyRow run(
      Policy template, Fairness fairness, Simulation.Config config, List<List<SimJob>> lists) {
    List<SimResult> runs = new ArrayList<>();
    for (List<SimJob> jobs : lists) {
      runs.add(Simulation.run(config, jobs, template.fresh(), fairness));
    }
    return new PolicyRow(
        template.name(),
        avg(runs, SimResult::jctMean),
        avg(runs, SimResult::jctP50),
        avg(runs, SimResult::jctP99),
        avg(runs, SimResult::queueMean),
        avg(runs, SimResult::queueP99),
        avg(runs, SimResult::sliceUtilisation),
        avg(runs, SimResult::gpuUtilisation),
        avg(runs, r -> r.reconfigurations()),
        runs,
        fairness.name(),
        avg(runs, SimResult::jain),
        tenants(runs),
        group(runs.stream().map(SimResult::gangJobs).toList()),
        group(runs.stream().map(SimResult::sliceJobs).toList()));
  }

  /**
   * The gang and the slice jobs' figures as {@code format} lays them out: its arguments are the
   * gang jobs' count, mean wait, mean JCT and p95 JCT, then the slice jobs' same four.
   */
  public String jobGroups(String format) {
    return String.format(
        Locale.ROOT,
        format,
        gangJobs.jobs(),
        gangJobs.waitMean(),
        gangJobs.jctMean(),
        gangJobs.jctP95(),
        sliceJobs.jobs(),
        sliceJobs.waitMean(),
        sliceJobs.jctMean(),
        sliceJobs.jctP95());
  }

  /** Figures of one kind of job averaged over the runs that had some (all zero when none did). */
  private static SimResult.JobGroup group(List<SimResult.JobGroup> groups) {
    List<SimResult.JobGroup> some = groups.stream().filter(g -> g.jobs() > 0).toList();
    return new SimResult.JobGroup(
        (int) Math.round(some.stream().mapToInt(SimResult.JobGroup::jobs).average().orElse(0)),
        avg(some, SimResult.JobGroup::waitMean),
        avg(some, SimResult.JobGroup::jctMean),
        avg(some, SimResult.JobGroup::jctP95));
  }

  /** Each tenant's metrics averaged over the runs it has jobs in, by name. */
  private static List<TenantResult> tenants(List<SimResult> runs) {
    Map<String, List<TenantResult>> byName = new LinkedHashMap<>();
    for (SimResult r : runs) {
      for (TenantResult t : r.tenants()) {
        byName.computeIfAbsent(t.tenant(), k -> new ArrayList<>()).add(t);
      }
    }
    List<TenantResult> out = new ArrayList<>();
    byName.forEach(
        (name, list) ->
            out.add(
                new TenantResult(
                    name,
                    (int)
                        Math.round(list.stream().mapToInt(TenantResult::jobs).average().orElse(0)),
                    avg(list, TenantResult::waitMean),
                    avg(list, TenantResult::waitP99),
                    avg(list, TenantResult::jctMean),
                    avg(list, TenantResult::slowdownMean),
                    avg(list, TenantResult::shareIndex))));
    out.sort(Comparator.comparing(TenantResult::tenant));
    return out;
  }

  private static <T> double avg(List<T> values, ToDoubleFunction<T> f) {
    return values.stream().mapToDouble(f).average().orElse(0);
  }
}
