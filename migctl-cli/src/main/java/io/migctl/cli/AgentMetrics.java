package io.migctl.cli;

import io.migctl.core.k8s.MigConfigState;
import io.migctl.k8s.AgentLoop;
import io.migctl.k8s.Reconciled;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The k8s agent's own series beside the DCGM ones: reconciles by action, the node's MIG config
 * state, driver operations, GPU resets and how long the operator's clients were paused.
 */
final class AgentMetrics {

  private final Map<String, Long> reconciles = new TreeMap<>();
  private long operations;
  private long resets;
  private double pausedSeconds;
  private Optional<MigConfigState> state = Optional.empty();

  synchronized void add(Reconciled r) {
    reconciles.merge(r.action(), 1L, Long::sum);
    operations += r.operations();
    resets += r.resetGpus().size();
    pausedSeconds += r.paused().toMillis() / 1000.0;
    if (r.state().isPresent()) {
      state = r.state();
    }
  }

  MultiCollector collector(AgentLoop.AgentStatus status) {
    return () -> snapshot(status.failures());
  }

  private synchronized MetricSnapshots snapshot(long failures) {
    CounterSnapshot.Builder byAction =
        CounterSnapshot.builder()
            .name("migctl_k8s_reconciles")
            .help("Reconciles of the node's MIG config, by what they did.");
    reconciles.forEach(
        (action, n) ->
            byAction.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of("action", action))
                    .value(n)
                    .build()));
    byAction.dataPoint(
        CounterSnapshot.CounterDataPointSnapshot.builder()
            .labels(Labels.of("action", "error"))
            .value(failures)
            .build());
    GaugeSnapshot.Builder states =
        GaugeSnapshot.builder()
            .name("migctl_k8s_mig_config_state")
            .help("1 for the node's nvidia.com/mig.config.state as the agent last wrote it.");
    for (MigConfigState s : MigConfigState.values()) {
      states.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("state", s.value()))
              .value(state.equals(Optional.of(s)) ? 1 : 0)
              .build());
    }
    return MetricSnapshots.of(
        byAction.build(),
        states.build(),
        counter("migctl_k8s_mig_operations", "Driver operations the agent performed.", operations),
        counter("migctl_k8s_gpu_resets", "GPUs the agent reset.", resets),
        counter(
            "migctl_k8s_clients_paused_seconds",
            "How long the operator's GPU clients were paused for MIG changes.",
            pausedSeconds));
  }

  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build())
        .build();
  }
}
