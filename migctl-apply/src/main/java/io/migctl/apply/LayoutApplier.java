package io.migctl.apply;

import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.change.GpuState;
import io.migctl.core.mig.change.InterruptedChange;
import io.migctl.core.mig.change.PlanOutcome;
import io.migctl.core.mig.change.PlanStep;
import io.migctl.core.mig.change.ReconfigurationPlanner;
import io.migctl.core.mig.change.UndoPlanner;
import io.migctl.core.mig.config.HooksFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Applies desired layouts to a node: reads every GPU, plans each one, and only when every plan
 * keeps every busy instance performs them — GPU by GPU, step by step, each step journaled before
 * and after.
 *
 * <p>Each GPU's change is all-or-nothing as far as the driver allows. When a driver step fails, the
 * apply undoes what it did on that GPU ({@link UndoPlanner}: from the live GPU back to the state
 * the journal's {@code plan} line recorded — what was destroyed is created again at the same
 * placements, with new MIG UUIDs; what was half built is removed; a mode change is asked back),
 * each undo step journaled like any step, and stops: GPUs changed before keep their new layout,
 * GPUs after it are not touched. An undo step that fails does not stop the undo; the steps that
 * needed it are skipped, and the GPU is then between layouts, which the result and the journal's
 * {@code finished} line spell out. Applying again plans from the live layout and converges.
 *
 * <p>{@link #recoverInterrupted} finishes or undoes an apply that a crash interrupted.
 */
public final class LayoutApplier {

  private final MigDriver driver;
  private final ApplyJournal journal;
  private final ApplyHooks hooks;
  private final Consumer<String> progress;
  private final Supplier<String> applyIds;

  /**
   * @param applyIds names each apply in the journal
   * @param progress receives one line per step performed, for people watching
   */
  public LayoutApplier(
      MigDriver driver,
      ApplyJournal journal,
      ApplyHooks hooks,
      Supplier<String> applyIds,
      Consumer<String> progress) {
    this.driver = driver;
    this.journal = journal;
    this.hooks = hooks;
    this.applyIds = applyIds;
    this.progress = progress;
  }

  /**
   * Plans every GPU of {@code desired} without changing anything.
   *
   * @return the plans, or the refusals when some GPU cannot be reached without harm
   */
  public ApplyResult plan(Map<Integer, DesiredGpu> desired, List<GpuSnapshot> live) {
    return plan(desired, live, UnaryOperator.identity());
  }

  /**
   * Plans like {@link #plan(Map, List)}, then narrows every plan with {@code narrow} (e.g. {@link
   * GpuPlan#modeOnly}, {@link GpuPlan#withoutReset}).
   */
  public ApplyResult plan(
      Map<Integer, DesiredGpu> desired, List<GpuSnapshot> live, UnaryOperator<GpuPlan> narrow) {
    List<GpuPlan> plans = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    for (GpuSnapshot gpu : live) {
      DesiredGpu want = desired.get(gpu.device().index());
      if (want == null) {
        continue;
      }
      switch (ReconfigurationPlanner.plan(gpu, want)) {
        case PlanOutcome.Planned(GpuPlan plan) -> plans.add(narrow.apply(plan));
        case PlanOutcome.Refused(int index, String reason) ->
            refusals.add("GPU " + index + ": " + reason);
      }
    }
    return new ApplyResult(
        plans,
        refusals,
        Optional.empty(),
        0,
        plans.stream().map(p -> GpuResult.of(p, GpuResult.PLANNED)).toList());
  }

  /** Plans and, when nothing is refused, performs the plans. */
  public ApplyResult apply(Map<Integer, DesiredGpu> desired) {
    return apply(desired, UnaryOperator.identity());
  }

  /** Plans, narrows every plan with {@code narrow}, and performs them as {@link #apply(Map)}. */
  public ApplyResult apply(Map<Integer, DesiredGpu> desired, UnaryOperator<GpuPlan> narrow) {
    String id = applyIds.get();
    // As mig-parted: a failing apply-start stops everything (apply-exit does not run); apply-exit
    // runs after every apply that started, and its failure fails an apply that had succeeded.
    hooks.run(HooksFile.APPLY_START);
    ApplyResult result;
    try {
      result = applyPlanned(id, desired, narrow);
    } catch (RuntimeException e) {
      try {
        hooks.run(HooksFile.APPLY_EXIT);
      } catch (RuntimeException exitFailure) {
        e.addSuppressed(exitFailure);
      }
      throw e;
    }
    if (result.succeeded()) {
      hooks.run(HooksFile.APPLY_EXIT);
    } else {
      try {
        hooks.run(HooksFile.APPLY_EXIT);
      } catch (RuntimeException exitFailure) {
        progress.accept("apply-exit hook failed after a failed apply: " + exitFailure.getMessage());
      }
    }
    return result;
  }

  /**
   * What {@link #recoverInterrupted} did.
   *
   * @param apply the interrupted apply's id
   * @param summary what became of each GPU, in words (also the journal's {@code finished} line)
   * @param result per GPU; a failure when an undo failed or the journal could not be used
   */
  public record Recovered(String apply, String summary, ApplyResult result) {}

  /**
   * Finishes or undoes the journal's last apply when a process died in the middle of it (no {@code
   * finished} line), before anything else changes the GPUs; each GPU as {@link
   * InterruptedChange#decide} says: left when it has its target, finished when the recorded target
   * is reachable without touching a busy instance, undone to the recorded old layout otherwise (and
   * then the apply's GPUs that had not begun are not touched). A step that fails while finishing is
   * undone like any failed step. Recovery steps are journaled like an apply's, under the
   * interrupted apply's id, after a {@code recovery} line per GPU saying what it does; the {@code
   * finished} line closes it. An apply interrupted before its first driver step is closed without
   * changes. Hooks do not run.
   *
   * @return what was done, empty when the journal's last apply had finished
   */
  public Optional<Recovered> recoverInterrupted() {
    Optional<ApplyJournal.Interrupted> found = journal.interrupted();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    ApplyJournal.Interrupted interrupted = found.get();
    String id = interrupted.apply();
    if (!interrupted.changedAnything()) {
      return Optional.of(
          closed(id, "interrupted before its first driver step; nothing was changed", false));
    }
    Map<Integer, GpuState[]> states = new LinkedHashMap<>();
    try {
      List<GpuDevice> devices = driver.gpus();
      for (ApplyJournal.PlannedGpu planned : interrupted.gpus()) {
        if (planned.before() == null || planned.target() == null) {
          throw new IllegalArgumentException(
              "its plan lines do not record the layouts before and after (a journal from an older"
                  + " migctl)");
        }
        if (planned.gpu() < 0 || planned.gpu() >= devices.size()) {
          throw new IllegalArgumentException("this node has no GPU " + planned.gpu());
        }
        GpuModel model = driver.migModel(planned.gpu());
        states.put(
            planned.gpu(),
            new GpuState[] {planned.before().toState(model), planned.target().toState(model)});
      }
    } catch (IllegalArgumentException e) {
      return Optional.of(
          closed(
              id, "cannot be finished or undone: " + e.getMessage() + "; nothing was done", true));
    }
    Run run = new Run(id);
    boolean undoing = false;
    for (ApplyJournal.PlannedGpu planned : interrupted.gpus()) {
      int index = planned.gpu();
      GpuState before = states.get(index)[0];
      GpuState target = states.get(index)[1];
      GpuSnapshot live = read(index);
      switch (InterruptedChange.decide(live, before, target, planned.stepsStarted() > 0, undoing)) {
        case InterruptedChange.Reached r ->
            run.results.put(index, recovered(live, GpuResult.APPLIED));
        case InterruptedChange.Leave l ->
            run.results.put(index, recovered(live, GpuResult.NOT_TOUCHED));
        case InterruptedChange.Finish(GpuPlan plan) -> {
          recoveryLine(
              id, index, plan, "finishing GPU " + index + ": its recorded target is reachable");
          if (!run.perform(plan, before)) {
            run.finish(run.failure.orElseThrow());
            return Optional.of(new Recovered(id, run.failure.orElseThrow(), run.result()));
          }
        }
        case InterruptedChange.Undo(String reason) -> {
          undoing = true;
          recoveryLine(
              id,
              index,
              null,
              "undoing GPU " + index + ": its recorded target cannot be reached (" + reason + ")");
          GpuResult undone = run.undo(index, before, null, null, null);
          run.results.put(index, undone);
          if (!undone.outcome().equals(GpuResult.UNDONE)) {
            run.failure = Optional.of(recoveryFailure(index, undone));
            run.failedGpu = Optional.of(undone);
          }
        }
      }
    }
    List<String> parts = new ArrayList<>();
    run.results.forEach((gpu, r) -> parts.add("GPU " + gpu + " " + recoveryWords(r.outcome())));
    String summary =
        run.failure.orElse("recovered after an interruption: " + String.join("; ", parts));
    run.finish(summary);
    return Optional.of(new Recovered(id, summary, run.result()));
  }

  /** Closes an interrupted apply that recovery does not change. */
  private Recovered closed(String id, String message, boolean failed) {
    journal.record(id, "finished", null, null, null, null, message);
    return new Recovered(
        id,
        message,
        new ApplyResult(
            List.of(), List.of(), failed ? Optional.of(message) : Optional.empty(), 0, List.of()));
  }

  private void recoveryLine(String id, int gpu, GpuPlan plan, String message) {
    journal.record(
        new ApplyJournal.Entry(
            null,
            id,
            "recovery",
            gpu,
            null,
            null,
            plan == null ? null : plan.steps().stream().map(StepJson::of).toList(),
            message,
            null,
            null,
            null,
            null));
  }

  private static String recoveryWords(String outcome) {
    return switch (outcome) {
      case GpuResult.APPLIED -> "has its new layout";
      case GpuResult.UNDONE -> "has its old layout again (undone)";
      case GpuResult.NOT_TOUCHED -> "was not touched";
      default -> outcome;
    };
  }

  private ApplyResult applyPlanned(
      String id, Map<Integer, DesiredGpu> desired, UnaryOperator<GpuPlan> narrow) {
    List<GpuSnapshot> live = GpuSnapshot.readAll(driver);
    ApplyResult planned = plan(desired, live, narrow);
    if (!planned.refusals().isEmpty()) {
      for (String r : planned.refusals()) {
        journal.record(id, "refused", null, null, null, null, r);
      }
      journal.record(id, "finished", null, null, null, null, "refused; nothing was changed");
      return new ApplyResult(
          planned.plans(),
          planned.refusals(),
          Optional.empty(),
          0,
          planned.plans().stream().map(p -> GpuResult.of(p, GpuResult.NOT_TOUCHED)).toList());
    }
    Map<Integer, GpuSnapshot> byIndex = new LinkedHashMap<>();
    live.forEach(g -> byIndex.put(g.device().index(), g));
    List<GpuPlan> changing = planned.plans().stream().filter(p -> !p.isNoop()).toList();
    for (GpuPlan plan : changing) {
      GpuSnapshot gpu = byIndex.get(plan.gpu());
      journal.record(
          new ApplyJournal.Entry(
              null,
              id,
              "plan",
              plan.gpu(),
              null,
              null,
              plan.steps().stream().map(StepJson::of).toList(),
              null,
              GpuStateJson.of(gpu),
              GpuStateJson.of(GpuState.of(gpu).after(plan, gpu.model())),
              null,
              null));
    }
    if (changing.stream().anyMatch(LayoutApplier::changesMode)) {
      hooks.run(HooksFile.PRE_APPLY_MODE);
    }
    if (changing.stream().anyMatch(LayoutApplier::changesInstances)) {
      hooks.run(HooksFile.PRE_APPLY_CONFIG);
    }
    Run run = new Run(id);
    for (GpuPlan plan : planned.plans()) {
      run.plans.add(plan);
      if (plan.isNoop()) {
        run.results.put(plan.gpu(), GpuResult.of(plan, GpuResult.UNCHANGED));
      }
    }
    for (GpuPlan plan : changing) {
      if (run.failure.isPresent()) {
        run.results.put(plan.gpu(), GpuResult.of(plan, GpuResult.NOT_TOUCHED));
        continue;
      }
      GpuSnapshot gpu = byIndex.get(plan.gpu());
      run.perform(plan, GpuState.of(gpu));
    }
    run.finish(run.failure.orElse("done: " + run.operations + " operation(s)"));
    return run.result();
  }

  /** The steps of one apply (or recovery) on the driver, with what became of each GPU. */
  private final class Run {
    final String id;
    final List<GpuPlan> plans = new ArrayList<>();
    final Map<Integer, GpuResult> results = new LinkedHashMap<>();
    final List<Integer> changed = new ArrayList<>();
    Optional<String> failure = Optional.empty();
    Optional<GpuResult> failedGpu = Optional.empty();
    int operations;

    Run(String id) {
      this.id = id;
    }

    /**
     * Performs {@code plan}; on a driver error undoes the GPU back to {@code before}.
     *
     * @return whether every step was done
     */
    boolean perform(GpuPlan plan, GpuState before) {
      int gpu = plan.gpu();
      if (!plans.contains(plan)) {
        plans.add(plan);
      }
      Map<Placement, Integer> createdIds = new HashMap<>();
      for (int i = 0; i < plan.steps().size(); i++) {
        PlanStep step = plan.steps().get(i);
        if (!step.changes()) {
          continue;
        }
        StepJson detail = StepJson.of(step);
        journal.record(id, "step-start", gpu, i, detail, null, null);
        try {
          LayoutApplier.this.perform(gpu, step, createdIds);
        } catch (MigDriverException e) {
          journal.record(id, "step-failed", gpu, i, detail, null, e.getMessage());
          GpuResult undone = undo(gpu, before, plan, detail, e.reason());
          results.put(gpu, undone);
          failedGpu = Optional.of(undone);
          failure =
              Optional.of(
                  "GPU "
                      + gpu
                      + ": "
                      + detail.text()
                      + " failed: "
                      + e.reason()
                      + "; "
                      + afterUndo(gpu, undone));
          return false;
        }
        operations++;
        journal.record(id, "step-done", gpu, i, detail, null, null);
        progress.accept("GPU " + gpu + ": " + detail.text());
      }
      changed.add(gpu);
      results.put(gpu, GpuResult.of(plan, GpuResult.APPLIED));
      return true;
    }

    /**
     * Undoes what was done on {@code gpu}: plans from the live GPU back to {@code before} and
     * performs the steps, going on past a failed one with the steps that do not need it.
     */
    GpuResult undo(int gpu, GpuState before, GpuPlan plan, StepJson failedStep, String error) {
      GpuPlan forRecord = plan == null ? new GpuPlan(gpu, List.of()) : plan;
      List<GpuResult.UndoStep> done = new ArrayList<>();
      GpuSnapshot now;
      try {
        now = read(gpu);
      } catch (MigDriverException e) {
        String unread = "the GPU could not be read to undo the change: " + e.getMessage();
        journal.record(id, "undo-failed", gpu, null, null, null, unread);
        return GpuResult.failed(
            forRecord, failedStep, error, done, null, List.of(unread), List.of());
      }
      GpuPlan undo = UndoPlanner.plan(now, before);
      journal.record(
          id, "undo-plan", gpu, null, null, undo.steps().stream().map(StepJson::of).toList(), null);
      List<PlanStep> notDone = new ArrayList<>();
      Map<Placement, Integer> createdIds = new HashMap<>();
      for (int i = 0; i < undo.steps().size(); i++) {
        PlanStep step = undo.steps().get(i);
        if (!step.changes()) {
          continue;
        }
        StepJson detail = StepJson.of(step);
        if (notDone.stream().anyMatch(f -> UndoPlanner.needs(step, f))) {
          notDone.add(step);
          journal.record(id, "undo-skipped", gpu, i, detail, null, "it needs a step that failed");
          done.add(new GpuResult.UndoStep(detail, "skipped", null));
          continue;
        }
        journal.record(id, "undo-start", gpu, i, detail, null, null);
        try {
          LayoutApplier.this.perform(gpu, step, createdIds);
        } catch (MigDriverException e) {
          notDone.add(step);
          journal.record(id, "undo-failed", gpu, i, detail, null, e.getMessage());
          done.add(new GpuResult.UndoStep(detail, "failed", e.reason()));
          continue;
        }
        journal.record(id, "undo-done", gpu, i, detail, null, null);
        done.add(new GpuResult.UndoStep(detail, "done", null));
        progress.accept("GPU " + gpu + ": undo: " + detail.text());
      }
      try {
        GpuSnapshot after = read(gpu);
        return GpuResult.failed(
            forRecord,
            failedStep,
            error,
            done,
            GpuStateJson.of(after),
            before.missingFrom(after),
            before.extraOn(after));
      } catch (MigDriverException e) {
        String unread = "the GPU could not be read after the undo: " + e.getMessage();
        return GpuResult.failed(
            forRecord, failedStep, error, done, null, List.of(unread), List.of());
      }
    }

    /** Writes the {@code finished} line with {@code message}. */
    void finish(String message) {
      GpuResult gpu = failedGpu.orElse(null);
      journal.record(
          new ApplyJournal.Entry(
              null,
              id,
              "finished",
              gpu == null ? null : gpu.index(),
              null,
              null,
              null,
              message,
              null,
              null,
              gpu == null ? null : gpu.state(),
              gpu == null ? null : missingAndExtra(gpu)));
    }

    ApplyResult result() {
      List<GpuResult> gpus = new ArrayList<>();
      for (GpuPlan p : plans) {
        gpus.add(results.getOrDefault(p.gpu(), GpuResult.of(p, GpuResult.NOT_TOUCHED)));
      }
      for (Map.Entry<Integer, GpuResult> e : results.entrySet()) {
        if (plans.stream().noneMatch(p -> p.gpu() == e.getKey())) {
          gpus.add(e.getValue());
        }
      }
      return new ApplyResult(plans, List.of(), failure, operations, gpus);
    }

    /** What the undo reached on the failed GPU, and what became of the others. */
    private String afterUndo(int gpu, GpuResult undone) {
      StringBuilder b = new StringBuilder();
      if (undone.outcome().equals(GpuResult.UNDONE)) {
        b.append("undone: GPU ")
            .append(gpu)
            .append(" has its old layout again (")
            .append(undone.state().text())
            .append(")");
        if (undone.undo().stream()
            .anyMatch(
                s ->
                    s.result().equals("done")
                        && s.step().op().equals("create")
                        && s.step().level().equals("compute-instance"))) {
          b.append("; its recreated MIG devices have new UUIDs");
        }
      } else {
        b.append(betweenLayouts(gpu, undone)).append("; apply again to reach a layout");
      }
      for (int other : changed) {
        b.append("; GPU ").append(other).append(" has its new layout");
      }
      List<Integer> after = new ArrayList<>();
      for (GpuPlan p : plans) {
        if (p.gpu() != gpu && !p.isNoop() && !changed.contains(p.gpu())) {
          after.add(p.gpu());
        }
      }
      if (!after.isEmpty()) {
        b.append(notTouchedText(after));
      }
      return b.toString();
    }
  }

  /** Names what a GPU between layouts has and lacks. */
  private static String betweenLayouts(int gpu, GpuResult undone) {
    List<String> failed =
        undone.undo().stream()
            .filter(s -> s.result().equals("failed"))
            .map(s -> s.step().text() + ": " + s.error())
            .toList();
    StringBuilder b = new StringBuilder("the undo failed too");
    if (!failed.isEmpty()) {
      b.append(" (").append(String.join("; ", failed)).append(")");
    }
    b.append(": GPU ").append(gpu).append(" is between layouts");
    if (undone.state() != null) {
      b.append(": it has ").append(undone.state().text());
    }
    if (undone.missing() != null && !undone.missing().isEmpty()) {
      b.append("; missing from its old layout: ").append(String.join(", ", undone.missing()));
    }
    if (undone.extra() != null && !undone.extra().isEmpty()) {
      b.append("; not in its old layout: ").append(String.join(", ", undone.extra()));
    }
    return b.toString();
  }

  private static String notTouchedText(List<Integer> gpus) {
    return gpus.size() == 1
        ? "; GPU " + gpus.getFirst() + " was not touched"
        : "; GPUs "
            + String.join(", ", gpus.stream().map(String::valueOf).toList())
            + " were not touched";
  }

  private static List<String> missingAndExtra(GpuResult gpu) {
    List<String> out = new ArrayList<>();
    if (gpu.missing() != null) {
      out.addAll(gpu.missing());
    }
    if (gpu.extra() != null) {
      gpu.extra().forEach(x -> out.add("not in its old layout: " + x));
    }
    return out;
  }

  private static String recoveryFailure(int gpu, GpuResult undone) {
    return "GPU "
        + gpu
        + ": the interrupted change could not be undone; "
        + betweenLayouts(gpu, undone);
  }

  private static GpuResult recovered(GpuSnapshot live, String outcome) {
    return new GpuResult(
        live.device().index(),
        true,
        List.of(),
        outcome,
        null,
        null,
        null,
        GpuStateJson.of(live),
        null,
        null);
  }

  private GpuSnapshot read(int gpu) {
    return GpuSnapshot.read(driver, driver.gpus().get(gpu));
  }

  private void perform(int gpu, PlanStep step, Map<Placement, Integer> createdIds) {
    switch (step) {
      case PlanStep.KeepGpuInstance k -> {}
      case PlanStep.KeepComputeInstance k -> {}
      case PlanStep.DestroyComputeInstance d ->
          driver.destroyComputeInstance(gpu, d.gpuInstanceId(), d.computeInstanceId());
      case PlanStep.DestroyGpuInstance d -> driver.destroyGpuInstance(gpu, d.gpuInstanceId());
      case PlanStep.CreateGpuInstance c -> {
        GpuInstance gi =
            driver.createGpuInstance(gpu, c.profile().id(), Optional.of(c.placement()));
        createdIds.put(gi.placement(), gi.id());
      }
      case PlanStep.CreateComputeInstance c -> {
        Integer gi = createdIds.get(c.gpuInstancePlacement());
        if (gi == null) {
          gi =
              driver.gpuInstances(gpu).stream()
                  .filter(g -> g.placement().equals(c.gpuInstancePlacement()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "the plan creates a compute instance in the GPU instance at "
                                  + c.gpuInstancePlacement()
                                  + " on GPU "
                                  + gpu
                                  + ", which does not exist"))
                  .id();
        }
        driver.createComputeInstance(gpu, gi, c.profile().id(), Optional.of(c.placement()));
      }
      case PlanStep.SetMigMode m -> driver.setMigMode(gpu, m.enabled());
      case PlanStep.ResetGpu r -> driver.resetGpu(gpu);
    }
  }

  private static boolean changesInstances(GpuPlan plan) {
    return plan.steps().stream()
        .anyMatch(
            s ->
                s.changes()
                    && !(s instanceof PlanStep.SetMigMode || s instanceof PlanStep.ResetGpu));
  }

  private static boolean changesMode(GpuPlan plan) {
    return plan.steps().stream()
        .anyMatch(s -> s instanceof PlanStep.SetMigMode || s instanceof PlanStep.ResetGpu);
  }
}
