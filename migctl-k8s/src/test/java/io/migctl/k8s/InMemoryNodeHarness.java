package io.migctl.k8s;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.core.mig.MigDriver;
import io.migctl.k8s.kubelet.InMemoryDeviceAllocations;
import io.migctl.k8s.node.InMemoryClusterNode;
import io.migctl.k8s.node.OperatorPod;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A GPU Operator node in memory: a simulated node's driver, the node object with the operator's
 * deploy labels all {@code true} and one pod per client plus the validator (the operator's
 * DaemonSets, played on every patch: a paused label's pod goes, a restored one's comes back), the
 * kubelet's allocations, an in-memory journal and a fake clock.
 */
final class InMemoryNodeHarness {

  final SimulatedMigDriver driver;
  final InMemoryClusterNode node = new InMemoryClusterNode("gpu-node-1");
  final InMemoryDeviceAllocations kubelet = new InMemoryDeviceAllocations();
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
  final ApplyJournal journal = ApplyJournal.inMemory(clock);
  final List<String> log = new ArrayList<>();
  final List<String> podsDeleted = new ArrayList<>();
  private final AtomicInteger podSerial = new AtomicInteger();
  boolean operatorRuns = true;

  /** What the agent runs after the GPUs changed (the CDI spec's rewrite in the real assembly). */
  Runnable afterChange = () -> {};

  /** What happens while the agent waits for the clients' pods (the operator plays its part). */
  Runnable whilePaused = this::playOperator;

  InMemoryNodeHarness(String spec) {
    driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(spec));
    Map<String, String> labels = new HashMap<>();
    for (OperatorClient c : OperatorClient.ALL) {
      labels.put(c.deployLabel(), "true");
    }
    node.setLabels(labels);
    playOperator();
    node.onPatched(n -> playOperator());
  }

  /** The operator's DaemonSets: one pod per client whose deploy label is true; the validator. */
  void playOperator() {
    if (!operatorRuns) {
      return;
    }
    Map<String, String> labels = node.read().labels();
    List<OperatorPod> pods = node.operatorPods();
    for (OperatorClient c : OperatorClient.ALL) {
      boolean wanted = "true".equals(labels.get(c.deployLabel()));
      boolean running = pods.stream().anyMatch(p -> p.app().equals(c.app()));
      if (wanted && !running) {
        node.addPod(new OperatorPod(c.app() + "-" + podSerial.incrementAndGet(), c.app()));
      } else if (!wanted && running) {
        pods.stream().filter(p -> p.app().equals(c.app())).forEach(p -> node.deletePod(p.name()));
      }
    }
    if (pods.stream().noneMatch(p -> p.app().equals(OperatorClient.VALIDATOR_APP))) {
      node.addPod(
          new OperatorPod(
              "nvidia-operator-validator-" + podSerial.incrementAndGet(),
              OperatorClient.VALIDATOR_APP));
    }
  }

  void label(String config) {
    node.setLabels(Map.of(MigManagerLabels.CONFIG, config));
  }

  MigManagerAgent agent(String configYaml) {
    return agent(configYaml, driver, AgentSettings.defaults());
  }

  MigManagerAgent agent(String configYaml, MigDriver through, AgentSettings settings) {
    return agent(ConfigSource.text(configYaml, "config.yaml"), through, settings);
  }

  MigManagerAgent agent(ConfigSource config, MigDriver through, AgentSettings settings) {
    AtomicInteger ids = new AtomicInteger();
    return new MigManagerAgent(
        node,
        kubelet,
        through,
        config,
        journal,
        ApplyHooks.NONE,
        () -> "apply-" + ids.incrementAndGet(),
        clock,
        d -> {
          clock.advance(d);
          whilePaused.run();
        },
        () -> afterChange.run(),
        log::add,
        settings.withPodsPoll(Duration.ofSeconds(1)));
  }

  String state() {
    return node.read().label(MigManagerLabels.STATE).orElse("");
  }

  /** The values of every deploy label now. */
  Map<String, String> deployLabels() {
    Map<String, String> out = new HashMap<>();
    node.read()
        .labels()
        .forEach(
            (k, v) -> {
              if (k.startsWith(MigManagerLabels.DEPLOY_PREFIX)) {
                out.put(k, v);
              }
            });
    return out;
  }
}
