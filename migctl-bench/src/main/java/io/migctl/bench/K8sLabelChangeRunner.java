package io.migctl.bench;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.core.k8s.MigConfigAction;
import io.migctl.core.k8s.MigConfigDecision;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one label change with one manager on a fresh simulated node and measures it. The node is
 * brought to the change's {@code from} config with migctl's applier (not measured), then its holder
 * takes a MIG device; both managers start from identically built nodes.
 */
final class K8sLabelChangeRunner {

  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  private static final Duration PENDING_DEADLINE = Duration.ofMinutes(30);
  private static final long HOLDER_PID = 4242;

  private final SimulatedNodeSpec spec;
  private final MigPartedConfig file;
  private final ApplyJournal journal = ApplyJournal.inMemory(Clock.fixed(NOW, ZoneOffset.UTC));
  private int applies;

  /**
   * @param file NVIDIA's default configs and the bench's, as the operator's ConfigMap holds them
   */
  K8sLabelChangeRunner(SimulatedNodeSpec spec, MigPartedConfig file) {
    this.spec = spec;
    this.file = file;
  }

  /**
   * A node in the change's {@code from} config with its holder in place.
   *
   * @param node the simulated node
   * @param device the MIG device in use, if any
   * @param allocations the kubelet's allocations (one, for a {@link LabelChange.Use#KUBELET}
   *     holder)
   */
  record Prepared(
      SimulatedMigDriver node, Optional<String> device, List<PodAllocation> allocations) {}

  Prepared prepare(LabelChange change) {
    SimulatedMigDriver node = SimulatedMigDriver.inMemory(spec);
    ApplyResult setUp =
        applier(node)
            .apply(
                DesiredLayouts.resolve(
                    file.select(Optional.of(change.from())), GpuSnapshot.readAll(node)));
    if (!setUp.succeeded()) {
      throw new IllegalStateException(
          "could not bring " + spec + " to " + change.from() + ": " + setUp.failure().orElse(""));
    }
    if (change.holder().isEmpty()) {
      return new Prepared(node, Optional.empty(), List.of());
    }
    LabelChange.Holder h = change.holder().get();
    String uuid = heldDevice(node, h, change);
    return switch (h.use()) {
      case PROCESS -> {
        node.hold(uuid, HOLDER_PID);
        yield new Prepared(node, Optional.of(uuid), List.of());
      }
      case KUBELET ->
          new Prepared(
              node,
              Optional.of(uuid),
              List.of(
                  new PodAllocation(
                      "default", "train-0", "main", "nvidia.com/mig", List.of(uuid))));
    };
  }

  /** migctl's agent: {@link MigConfigDecision}, then {@link LayoutApplier} on a change. */
  ManagerRun migctl(LabelChange change) {
    Prepared p = prepare(change);
    CountingMigDriver counting = new CountingMigDriver(p.node());
    MigConfigAction action =
        MigConfigDecision.decide(
            new MigConfigDecision.Request(
                Optional.of(change.to()),
                file,
                GpuSnapshot.readAll(p.node()),
                p.allocations(),
                Optional.empty(),
                NOW,
                PENDING_DEADLINE));
    return switch (action) {
      case MigConfigAction.AsDesired a ->
          measure(p, counting, false, ManagerRun.Outcome.AS_DESIRED, "");
      case MigConfigAction.Blocked b ->
          measure(p, counting, false, ManagerRun.Outcome.PENDING, b.holdersText());
      case MigConfigAction.Change c -> {
        Map<Integer, GpuPlan> decided = new HashMap<>();
        c.plans().forEach(plan -> decided.put(plan.gpu(), plan));
        // The applier plans from the driver, which knows processes but not the kubelet's
        // allocations: the decision's plans, made with both, are the ones performed.
        ApplyResult r =
            applier(counting).apply(c.desired(), plan -> decided.getOrDefault(plan.gpu(), plan));
        yield r.succeeded()
            ? measure(p, counting, true, ManagerRun.Outcome.APPLIED, "")
            : measure(
                p,
                counting,
                true,
                ManagerRun.Outcome.FAILED,
                String.join("; ", r.refusals()) + r.failure().orElse(""));
      }
      case MigConfigAction.Invalid i ->
          throw new IllegalArgumentException(
              "config "
                  + i.config()
                  + " cannot be used on "
                  + spec
                  + ": "
                  + i.reason()
                  + "; run --nodes with a model NVIDIA's default file configures");
      case MigConfigAction.NoConfig n ->
          throw new IllegalStateException("the bench labelled no config");
    };
  }

  /** NVIDIA's MIG manager ({@link GpuOperatorMigManager}). */
  ManagerRun nvidia(LabelChange change) {
    Prepared p = prepare(change);
    CountingMigDriver counting = new CountingMigDriver(p.node());
    GpuOperatorMigManager.Result r =
        new GpuOperatorMigManager(counting).reconfigure(file, change.to());
    if (!r.paused()) {
      return measure(p, counting, false, ManagerRun.Outcome.AS_DESIRED, "");
    }
    return r.error()
        .map(e -> measure(p, counting, true, ManagerRun.Outcome.FAILED, e))
        .orElseGet(() -> measure(p, counting, true, ManagerRun.Outcome.APPLIED, ""));
  }

  private ManagerRun measure(
      Prepared p,
      CountingMigDriver counting,
      boolean paused,
      ManagerRun.Outcome outcome,
      String detail) {
    Set<String> left = devices(p.node());
    int lost = p.device().filter(uuid -> !left.contains(uuid)).isPresent() ? 1 : 0;
    return new ManagerRun(
        outcome,
        detail,
        counting.operations(),
        counting.failedCalls(),
        counting.resetGpus().size(),
        K8sTimeModel.pausedSeconds(paused, counting),
        paused ? K8sTimeModel.OPERATOR_PODS_PER_PAUSE : 0,
        lost);
  }

  /** The MIG UUIDs the node has. */
  static Set<String> devices(SimulatedMigDriver node) {
    Set<String> out = new HashSet<>();
    for (GpuSnapshot g : GpuSnapshot.readAll(node)) {
      g.instances()
          .forEach(i -> i.computeInstances().forEach(c -> out.add(c.computeInstance().uuid())));
    }
    return out;
  }

  private String heldDevice(SimulatedMigDriver node, LabelChange.Holder h, LabelChange change) {
    GpuSnapshot g = GpuSnapshot.read(node, node.gpus().get(h.gpu()));
    Comparator<GpuSnapshot.Instance> lowestStart =
        Comparator.comparingInt(i -> i.gpuInstance().placement().start());
    Comparator<GpuSnapshot.Instance> first =
        switch (h.device()) {
          case LARGEST ->
              Comparator.comparingInt((GpuSnapshot.Instance i) -> -i.profile().computeSlices())
                  .thenComparing(lowestStart);
          case LAST -> lowestStart.reversed();
        };
    return g.instances().stream()
        .filter(i -> !i.computeInstances().isEmpty())
        .min(first)
        .map(i -> i.computeInstances().getFirst().computeInstance().uuid())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "GPU " + h.gpu() + " has no MIG device in " + change.from() + " on " + spec));
  }

  private LayoutApplier applier(MigDriver driver) {
    return new LayoutApplier(
        driver, journal, ApplyHooks.NONE, () -> "bench-k8s-" + ++applies, line -> {});
  }
}
