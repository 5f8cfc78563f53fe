package io.migctl.k8s;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.apply.MigPartedFiles;
import io.migctl.apply.StepJson;
import io.migctl.core.k8s.MigConfigAction;
import io.migctl.core.k8s.MigConfigDecision;
import io.migctl.core.k8s.MigConfigState;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.change.PlanStep;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.k8s.kubelet.DeviceAllocations;
import io.migctl.k8s.kubelet.KubeletUnavailableException;
import io.migctl.k8s.node.ClusterException;
import io.migctl.k8s.node.ClusterNode;
import io.migctl.k8s.node.NodeConflictException;
import io.migctl.k8s.node.NodeEvent;
import io.migctl.k8s.node.NodePatch;
import io.migctl.k8s.node.NodeState;
import io.migctl.k8s.node.OperatorPod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The GPU Operator's MIG manager, busy-safe and minimal: one {@link #reconcile} reads the node's
 * {@code nvidia.com/mig.config} label, decides with {@link MigConfigDecision}, and performs the
 * decision with the manager's own label protocol.
 *
 * <p>A change: {@code state=pending} with the deploy labels of the operator's GPU clients paused in
 * the same JSON merge patch (written only if the node has not changed since it was read), the
 * clients' pods awaited until gone, the decision taken again on what is live then, the plans
 * applied by the journaled {@link LayoutApplier} (only GPUs that change; a reset only where the MIG
 * mode changes), the CDI spec regenerated, and the labels restored with {@code state=success} in
 * one patch; on any failure the labels are restored with {@code state=failed}. While a change is
 * underway the node carries {@link Annotations#CHANGE}: an agent killed at any point finds it (or
 * paused labels, or an interrupted journal) at its next reconcile, finishes or undoes the GPUs'
 * change from the journal and restores the labels before anything else.
 *
 * <p>Not thread-safe: one reconcile at a time ({@link AgentLoop} runs them on one thread).
 */
public final class MigManagerAgent {

  private static final int CONFLICT_RETRIES = 5;

  private final ClusterNode node;
  private final DeviceAllocations kubelet;
  private final MigDriver driver;
  private final ConfigSource config;
  private final ApplyJournal journal;
  private final ApplyHooks hooks;
  private final Supplier<String> applyIds;
  private final Clock clock;
  private final Pause pause;
  private final Runnable afterChange;
  private final Consumer<String> log;
  private final AgentSettings settings;

  /**
   * @param afterChange runs after GPUs changed, before the clients come back (regenerates the CDI
   *     spec); a failure fails the change
   * @param log receives one line per thing done, for the agent's log
   */
  public MigManagerAgent(
      ClusterNode node,
      DeviceAllocations kubelet,
      MigDriver driver,
      ConfigSource config,
      ApplyJournal journal,
      ApplyHooks hooks,
      Supplier<String> applyIds,
      Clock clock,
      Pause pause,
      Runnable afterChange,
      Consumer<String> log,
      AgentSettings settings) {
    this.node = node;
    this.kubelet = kubelet;
    this.driver = driver;
    this.config = config;
    this.journal = journal;
    this.hooks = hooks;
    this.applyIds = applyIds;
    this.clock = clock;
    this.pause = pause;
    this.afterChange = afterChange;
    this.log = log;
    this.settings = settings;
  }

  /**
   * Brings the node one step closer to its label: recovers an interrupted change, then does what
   * the decision says. A conflicting write (the node changed meanwhile) starts over from a new
   * read, a few times.
   *
   * @throws ClusterException when the API server cannot be reached
   */
  public Reconciled reconcile() {
    NodeConflictException last = null;
    for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      try {
        return reconcileOnce();
      } catch (NodeConflictException e) {
        last = e;
        log.accept("the node changed while deciding (" + e.getMessage() + "); reading it again");
      }
    }
    throw new ClusterException(
        "node "
            + node.name()
            + " kept changing under every write ("
            + CONFLICT_RETRIES
            + " conflicts in a row); the next reconcile tries again",
        last);
  }

  private Reconciled reconcileOnce() {
    NodeState state = node.read();
    if (!settings.dryRun()) {
      state = recover(state);
    }
    Optional<String> name = state.label(MigManagerLabels.CONFIG).filter(s -> !s.isBlank());
    if (name.isEmpty()) {
      return new Reconciled(
          Optional.empty(),
          Optional.empty(),
          "none",
          "node " + node.name() + " has no " + MigManagerLabels.CONFIG + " label; nothing to do",
          List.of(),
          0,
          List.of(),
          Duration.ZERO,
          List.of(),
          settings.dryRun());
    }
    MigPartedConfig file;
    try {
      file = MigPartedFiles.readConfig(config.read(), config.describe());
    } catch (IOException e) {
      return invalid(
          state,
          name.get(),
          "cannot read the config file "
              + config.describe()
              + ": "
              + e.getMessage()
              + "; mount the operator's MIG ConfigMap there (key config.yaml) or set CONFIG_FILE");
    } catch (IllegalArgumentException e) {
      return invalid(state, name.get(), e.getMessage());
    }
    List<GpuSnapshot> gpus = GpuSnapshot.readAll(driver);
    List<PodAllocation> allocations;
    Optional<String> kubeletTrouble = Optional.empty();
    try {
      allocations = kubelet.list();
    } catch (KubeletUnavailableException e) {
      allocations = List.of();
      kubeletTrouble = Optional.of(e.getMessage());
    }
    MigConfigAction action = decide(state, name.get(), file, gpus, allocations);
    if (kubeletTrouble.isPresent() && action instanceof MigConfigAction.Change) {
      // Without the kubelet's allocations a change could take a device from a pod: wait.
      action =
          new MigConfigAction.Blocked(
              name.get(),
              "the kubelet's device allocations cannot be read, so a change could take a device"
                  + " from a pod: "
                  + kubeletTrouble.get(),
              List.of(),
              false);
    }
    return switch (action) {
      case MigConfigAction.NoConfig n -> throw new IllegalStateException("label checked above");
      case MigConfigAction.Invalid i -> invalid(state, i.config(), i.reason());
      case MigConfigAction.AsDesired a -> asDesired(state, a.config(), file);
      case MigConfigAction.Blocked b -> blocked(state, b);
      case MigConfigAction.Change c -> change(state, c, file);
    };
  }

  private MigConfigAction decide(
      NodeState state,
      String name,
      MigPartedConfig file,
      List<GpuSnapshot> gpus,
      List<PodAllocation> allocations) {
    Optional<Instant> pendingSince =
        state
            .annotation(Annotations.PENDING_CONFIG)
            .filter(name::equals)
            .flatMap(c -> state.annotation(Annotations.PENDING_SINCE))
            .flatMap(MigManagerAgent::instant);
    return MigConfigDecision.decide(
        new MigConfigDecision.Request(
            Optional.of(name),
            file,
            gpus,
            allocations,
            pendingSince,
            clock.instant(),
            settings.pendingDeadline()));
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  // --- outcomes without a change -----------------------------------------------------------------

  private Reconciled invalid(NodeState state, String name, String reason) {
    if (!settings.dryRun()) {
      settle(
          state,
          NodePatch.unconditional()
              .label(MigManagerLabels.STATE, MigConfigState.FAILED.value())
              .annotate(Annotations.REASON, reason)
              .removeAnnotation(Annotations.HOLDERS),
          new NodeEvent(true, NodeEvent.FAILED, "config \"" + name + "\": " + reason));
    }
    return outcome(name, MigConfigState.FAILED, "invalid", reason);
  }

  private Reconciled asDesired(NodeState state, String name, MigPartedConfig file) {
    String message = "the GPUs already have config \"" + name + "\"";
    if (!settings.dryRun()) {
      settle(
          state,
          success(name, file),
          new NodeEvent(false, NodeEvent.APPLIED, message + "; nothing was changed"));
    }
    return outcome(name, MigConfigState.SUCCESS, "as-desired", message);
  }

  private Reconciled blocked(NodeState state, MigConfigAction.Blocked b) {
    MigConfigState to = b.gaveUp() ? MigConfigState.FAILED : MigConfigState.PENDING;
    String reason =
        b.gaveUp()
            ? "gave up after " + settings.pendingDeadline() + " pending: " + b.reason()
            : b.reason();
    if (!settings.dryRun()) {
      NodePatch patch =
          NodePatch.unconditional()
              .label(MigManagerLabels.STATE, to.value())
              .annotate(Annotations.REASON, reason);
      if (b.holders().isEmpty()) {
        patch.removeAnnotation(Annotations.HOLDERS);
      } else {
        patch.annotate(Annotations.HOLDERS, b.holdersText());
      }
      if (!state.annotation(Annotations.PENDING_CONFIG).equals(Optional.of(b.config()))) {
        patch
            .annotate(Annotations.PENDING_CONFIG, b.config())
            .annotate(Annotations.PENDING_SINCE, clock.instant().toString());
      }
      String holders = b.holders().isEmpty() ? "" : " Held: " + b.holdersText() + ".";
      settle(
          state,
          patch,
          new NodeEvent(
              true,
              b.gaveUp() ? NodeEvent.FAILED : NodeEvent.REFUSED,
              "config \"" + b.config() + "\" waits: " + reason + "." + holders));
    }
    return outcome(b.config(), to, "blocked", reason);
  }

  /**
   * Writes a settled state — only when it differs from the node's, so that the agent's own write
   * does not wake it again — and records the Event only when the state or the reason changed, so
   * that a node waiting for a pod does not get an Event every resync.
   */
  private void settle(NodeState before, NodePatch patch, NodeEvent event) {
    String newState = patch.labels().get(MigManagerLabels.STATE).orElse("");
    Optional<String> newReason =
        patch.annotations().getOrDefault(Annotations.REASON, Optional.empty());
    boolean changed =
        !before.label(MigManagerLabels.STATE).equals(Optional.of(newState))
            || !before.annotation(Annotations.REASON).equals(newReason);
    if (patch.changes(before)) {
      node.patch(patch);
    }
    if (changed) {
      recordQuietly(event);
    }
  }

  private NodePatch success(String name, MigPartedConfig file) {
    return NodePatch.unconditional()
        .label(MigManagerLabels.STATE, MigConfigState.SUCCESS.value())
        .annotate(Annotations.CONFIG, name)
        .annotate(Annotations.CONFIG_HASH, hash(file, name))
        .removeAnnotation(Annotations.REASON)
        .removeAnnotation(Annotations.HOLDERS)
        .removeAnnotation(Annotations.PENDING_SINCE)
        .removeAnnotation(Annotations.PENDING_CONFIG);
  }

  private Reconciled outcome(String name, MigConfigState state, String action, String message) {
    return new Reconciled(
        Optional.of(name),
        Optional.of(state),
        action,
        message,
        List.of(),
        0,
        List.of(),
        Duration.ZERO,
        List.of(),
        settings.dryRun());
  }

  // --- a change
  // -----------------------------------------------------------------------------------

  private Reconciled change(NodeState state, MigConfigAction.Change c, MigPartedConfig file) {
    List<String> plan = planLines(c.plans());
    List<OperatorClient> clients = MigManagerLabels.toPause(state.labels());
    List<String> clientNames = clients.stream().map(OperatorClient::component).toList();
    if (settings.dryRun()) {
      return new Reconciled(
          Optional.of(c.config()),
          Optional.of(MigConfigState.PENDING),
          "change",
          "would apply config \""
              + c.config()
              + "\": "
              + c.operations()
              + " operation(s) on GPU(s) "
              + c.changedGpus()
              + (clients.isEmpty() ? "" : ", pausing " + String.join(", ", clientNames)),
          plan,
          0,
          List.copyOf(c.resetGpus()),
          Duration.ZERO,
          clientNames,
          true);
    }
    String planText = String.join("; ", plan);
    NodePatch pausing =
        NodePatch.ifAt(state.resourceVersion())
            .label(MigManagerLabels.STATE, MigConfigState.PENDING.value())
            .labels(MigManagerLabels.pause(clients))
            .annotate(Annotations.CHANGE, c.config() + " " + clock.instant())
            .annotate(Annotations.PLAN, planText)
            .removeAnnotation(Annotations.REASON)
            .removeAnnotation(Annotations.HOLDERS);
    node.patch(pausing);
    Instant pausedAt = clock.instant();
    log.accept("config \"" + c.config() + "\": pending; " + planText);
    recordQuietly(
        new NodeEvent(
            false,
            NodeEvent.PENDING,
            "applying config \""
                + c.config()
                + "\" ("
                + c.operations()
                + " operation(s) on GPU(s) "
                + c.changedGpus()
                + (clients.isEmpty() ? "" : "; paused " + String.join(", ", clientNames))
                + ")"));
    try {
      Optional<String> notGone = awaitPodsGone(clients);
      if (notGone.isPresent()) {
        return failed(c.config(), notGone.get(), plan, 0, pausedAt, clientNames);
      }
      // Look again: the pods that had devices may have changed while the clients stopped.
      List<PodAllocation> allocations = kubelet.list();
      MigConfigAction again =
          decide(node.read(), c.config(), file, GpuSnapshot.readAll(driver), allocations);
      if (!(again instanceof MigConfigAction.Change now)) {
        NodeState restored = restoreLabels(Optional.empty());
        return switch (again) {
          case MigConfigAction.AsDesired a -> asDesired(restored, a.config(), file);
          case MigConfigAction.Blocked b -> blocked(restored, b);
          case MigConfigAction.Invalid i -> invalid(restored, i.config(), i.reason());
          default -> throw new IllegalStateException("a change without a label: " + again);
        };
      }
      LayoutApplier applier =
          new LayoutApplier(
              new AllocationAwareDriver(driver, allocations),
              journal,
              hooks,
              applyIds,
              line -> log.accept("  " + line));
      ApplyResult result = applier.apply(now.desired());
      if (!result.succeeded()) {
        String why =
            result
                .failure()
                .orElseGet(() -> String.join("; ", result.refusals()) + "; nothing was changed");
        return failed(
            c.config(), why, planLines(now.plans()), result.operations(), pausedAt, clientNames);
      }
      afterChange.run();
      Duration paused = elapsed(pausedAt);
      NodePatch done =
          success(now.config(), file)
              .labels(MigManagerLabels.restore(node.read().labels()))
              .annotate(Annotations.PLAN, String.join("; ", planLines(now.plans())))
              .removeAnnotation(Annotations.CHANGE);
      node.patch(done);
      deleteValidators();
      for (int gpu : now.resetGpus()) {
        recordQuietly(
            new NodeEvent(
                false,
                NodeEvent.GPU_RESET,
                "GPU "
                    + gpu
                    + " was reset: its MIG mode changed for config \""
                    + now.config()
                    + "\""));
      }
      String message =
          "applied config \""
              + now.config()
              + "\": "
              + result.operations()
              + " operation(s) on GPU(s) "
              + now.changedGpus()
              + (clients.isEmpty() ? "" : "; clients paused " + seconds(paused));
      recordQuietly(new NodeEvent(false, NodeEvent.APPLIED, message));
      log.accept(message);
      return new Reconciled(
          Optional.of(now.config()),
          Optional.of(MigConfigState.SUCCESS),
          "applied",
          message,
          planLines(now.plans()),
          result.operations(),
          List.copyOf(now.resetGpus()),
          paused,
          clientNames,
          false);
    } catch (KubeletUnavailableException | ClusterException | IllegalArgumentException e) {
      return failed(c.config(), e.getMessage(), plan, 0, pausedAt, clientNames);
    } catch (RuntimeException e) {
      return failed(
          c.config(),
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          plan,
          0,
          pausedAt,
          clientNames);
    }
  }

  private Reconciled failed(
      String name,
      String reason,
      List<String> plan,
      int operations,
      Instant pausedAt,
      List<String> clients) {
    NodeState restored = restoreLabels(Optional.of(reason));
    Duration paused = elapsed(pausedAt);
    recordQuietly(new NodeEvent(true, NodeEvent.FAILED, "config \"" + name + "\": " + reason));
    log.accept("config \"" + name + "\" failed: " + reason);
    return new Reconciled(
        Optional.of(name),
        restored.label(MigManagerLabels.STATE).flatMap(MigConfigState::of),
        "failed",
        reason,
        plan,
        operations,
        List.of(),
        paused,
        clients,
        false);
  }

  /**
   * Restores every paused client and ends the change: {@code failed} with {@code reason} when
   * given, else only the labels. Retries conflicts: the labels must come back.
   */
  private NodeState restoreLabels(Optional<String> reason) {
    ClusterException last = null;
    for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      try {
        NodeState now = node.read();
        NodePatch patch =
            NodePatch.unconditional()
                .labels(MigManagerLabels.restore(now.labels()))
                .removeAnnotation(Annotations.CHANGE);
        reason.ifPresent(
            r ->
                patch
                    .label(MigManagerLabels.STATE, MigConfigState.FAILED.value())
                    .annotate(Annotations.REASON, r));
        NodeState after = node.patch(patch);
        deleteValidators();
        return after;
      } catch (NodeConflictException e) {
        last = e;
      }
    }
    throw new ClusterException(
        "could not restore the operator's clients on node " + node.name(), last);
  }

  /** Waits until no pod of a paused client runs on the node; the reason when it timed out. */
  private Optional<String> awaitPodsGone(List<OperatorClient> clients) {
    if (clients.isEmpty()) {
      return Optional.empty();
    }
    Set<String> apps = clients.stream().map(OperatorClient::app).collect(Collectors.toSet());
    Instant deadline = clock.instant().plus(settings.podsGoneTimeout());
    while (true) {
      List<String> left =
          node.operatorPods().stream()
              .filter(p -> apps.contains(p.app()))
              .map(OperatorPod::name)
              .toList();
      if (left.isEmpty()) {
        return Optional.empty();
      }
      if (!clock.instant().isBefore(deadline) || Thread.currentThread().isInterrupted()) {
        return Optional.of(
            "the operator's pods "
                + left
                + " did not stop within "
                + settings.podsGoneTimeout()
                + " after their deploy labels were paused; is the GPU Operator running?");
      }
      pause.pause(settings.podsPoll());
    }
  }

  private void deleteValidators() {
    try {
      for (OperatorPod p : node.operatorPods()) {
        if (p.app().equals(OperatorClient.VALIDATOR_APP)) {
          node.deletePod(p.name());
        }
      }
    } catch (ClusterException e) {
      log.accept("could not delete the operator's validator pods: " + e.getMessage());
    }
  }

  // --- recovery
  // -----------------------------------------------------------------------------------

  /**
   * Finishes or undoes a change a killed agent left: the journal's interrupted apply first (GPUs),
   * then the paused clients (labels), so that nothing stays paused.
   */
  private NodeState recover(NodeState state) {
    boolean interrupted =
        journal.interrupted().filter(ApplyJournal.Interrupted::changedAnything).isPresent();
    if (interrupted) {
      new LayoutApplier(driver, journal, ApplyHooks.NONE, applyIds, line -> log.accept("  " + line))
          .recoverInterrupted()
          .ifPresent(
              r -> {
                log.accept("recovered an interrupted apply: " + r.summary());
                recordQuietly(
                    new NodeEvent(
                        !r.result().succeeded(),
                        r.result().succeeded() ? NodeEvent.PENDING : NodeEvent.FAILED,
                        "an agent stopped in the middle of a change; " + r.summary()));
              });
    }
    boolean paused = !MigManagerLabels.paused(state.labels()).isEmpty();
    if (!paused && state.annotation(Annotations.CHANGE).isEmpty()) {
      return state;
    }
    log.accept(
        "found a change left unfinished ("
            + state.annotation(Annotations.CHANGE).orElse("paused labels")
            + "); restoring the operator's clients");
    return restoreLabels(Optional.empty());
  }

  // --- text
  // ---------------------------------------------------------------------------------------

  private static List<String> planLines(List<GpuPlan> plans) {
    List<String> out = new ArrayList<>();
    for (GpuPlan p : plans) {
      if (p.isNoop()) {
        out.add("GPU " + p.gpu() + ": as desired");
        continue;
      }
      out.add(
          "GPU "
              + p.gpu()
              + ": "
              + p.steps().stream()
                  .filter(PlanStep::changes)
                  .map(s -> StepJson.of(s).text())
                  .collect(Collectors.joining(", ")));
    }
    return out;
  }

  private Duration elapsed(Instant since) {
    return Duration.between(since, clock.instant());
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private void recordQuietly(NodeEvent event) {
    try {
      node.record(event);
    } catch (ClusterException e) {
      log.accept("could not record Event " + event.reason() + ": " + e.getMessage());
    }
  }

  /** A short hash of the config's entries, to tell an edited config from the one applied. */
  static String hash(MigPartedConfig file, String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(String.valueOf(file.configs().get(name)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
