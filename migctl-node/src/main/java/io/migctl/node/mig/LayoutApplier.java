package io.migctl.node.mig;

import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.core.mig.plan.DesiredGpu;
import io.migctl.core.mig.plan.GpuPlan;
import io.migctl.core.mig.plan.PlanOutcome;
import io.migctl.core.mig.plan.PlanStep;
import io.migctl.core.mig.plan.ReconfigurationPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Applies desired layouts to a node: reads every GPU, plans each one, and only when every plan
 * keeps every busy instance performs them — GPU by GPU, step by step, each step journaled before
 * and after. A driver error stops the apply at once: earlier steps stay done (the GPU holds a valid
 * layout, never one emptied for a retry), the journal records where it stopped, and applying again
 * plans from the live layout and converges.
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
    return new ApplyResult(plans, refusals, Optional.empty(), 0);
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

  private ApplyResult applyPlanned(
      String id, Map<Integer, DesiredGpu> desired, UnaryOperator<GpuPlan> narrow) {
    ApplyResult planned = plan(desired, GpuSnapshot.readAll(driver), narrow);
    if (!planned.refusals().isEmpty()) {
      for (String r : planned.refusals()) {
        journal.record(id, "refused", null, null, null, null, r);
      }
      journal.record(id, "finished", null, null, null, null, "refused; nothing was changed");
      return planned;
    }
    List<GpuPlan> changing = planned.plans().stream().filter(p -> !p.isNoop()).toList();
    for (GpuPlan plan : changing) {
      journal.record(
          id,
          "plan",
          plan.gpu(),
          null,
          null,
          plan.steps().stream().map(StepJson::of).toList(),
          null);
    }
    if (changing.stream().anyMatch(LayoutApplier::changesMode)) {
      hooks.run(HooksFile.PRE_APPLY_MODE);
    }
    if (changing.stream().anyMatch(LayoutApplier::changesInstances)) {
      hooks.run(HooksFile.PRE_APPLY_CONFIG);
    }
    int operations = 0;
    for (GpuPlan plan : changing) {
      Map<Placement, Integer> createdIds = new HashMap<>();
      for (int i = 0; i < plan.steps().size(); i++) {
        PlanStep step = plan.steps().get(i);
        if (!step.changes()) {
          continue;
        }
        StepJson detail = StepJson.of(step);
        journal.record(id, "step-start", plan.gpu(), i, detail, null, null);
        try {
          perform(plan.gpu(), step, createdIds);
        } catch (MigDriverException e) {
          String message =
              "GPU " + plan.gpu() + ": " + detail.text() + " failed: " + e.getMessage();
          journal.record(id, "step-failed", plan.gpu(), i, detail, null, e.getMessage());
          journal.record(
              id,
              "finished",
              null,
              null,
              null,
              null,
              "stopped after "
                  + operations
                  + " operation(s); the GPU keeps a valid layout; apply again to continue");
          return new ApplyResult(planned.plans(), List.of(), Optional.of(message), operations);
        }
        operations++;
        journal.record(id, "step-done", plan.gpu(), i, detail, null, null);
        progress.accept("GPU " + plan.gpu() + ": " + detail.text());
      }
    }
    journal.record(id, "finished", null, null, null, null, "done: " + operations + " operation(s)");
    return new ApplyResult(planned.plans(), List.of(), Optional.empty(), operations);
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
