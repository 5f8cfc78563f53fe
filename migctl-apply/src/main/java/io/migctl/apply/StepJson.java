package io.migctl.apply;

import io.migctl.core.mig.change.PlanStep;

/**
 * One plan step as JSON (the {@code mig apply --dry-run --json} shape and the journal's): {@code
 * op} is keep, destroy, create, set-mig-mode or reset; {@code level} says whether it is about a
 * gpu-instance, a compute-instance or the whole gpu; {@code profile}, {@code start} and {@code
 * size} name the instance (for a compute instance: its profile, and its GPU instance's placement),
 * {@code gi}/{@code ci} the driver's ids where they exist, {@code ciStart}/{@code ciSize} the
 * compute instance's placement, {@code uuid} the MIG device, {@code enabled} the MIG mode asked
 * for.
 */
public record StepJson(
    String op,
    String level,
    String profile,
    Integer start,
    Integer size,
    Integer gi,
    Integer ci,
    Integer ciStart,
    Integer ciSize,
    String uuid,
    Boolean enabled) {

  /** The JSON form of a step. */
  public static StepJson of(PlanStep step) {
    return switch (step) {
      case PlanStep.KeepGpuInstance k ->
          gpuInstance(
              "keep",
              k.profile().name().toString(),
              k.placement().start(),
              k.placement().size(),
              k.gpuInstanceId());
      case PlanStep.DestroyGpuInstance d ->
          gpuInstance(
              "destroy",
              d.profile().name().toString(),
              d.placement().start(),
              d.placement().size(),
              d.gpuInstanceId());
      case PlanStep.CreateGpuInstance c ->
          gpuInstance(
              "create",
              c.profile().name().toString(),
              c.placement().start(),
              c.placement().size(),
              null);
      case PlanStep.KeepComputeInstance k ->
          new StepJson(
              "keep",
              "compute-instance",
              k.profile().name().toString(),
              k.gpuInstancePlacement().start(),
              k.gpuInstancePlacement().size(),
              k.gpuInstanceId(),
              k.computeInstanceId(),
              k.placement().start(),
              k.placement().size(),
              k.uuid(),
              null);
      case PlanStep.DestroyComputeInstance d ->
          new StepJson(
              "destroy",
              "compute-instance",
              d.profile().name().toString(),
              d.gpuInstancePlacement().start(),
              d.gpuInstancePlacement().size(),
              d.gpuInstanceId(),
              d.computeInstanceId(),
              d.placement().start(),
              d.placement().size(),
              d.uuid(),
              null);
      case PlanStep.CreateComputeInstance c ->
          new StepJson(
              "create",
              "compute-instance",
              c.profile().name().toString(),
              c.gpuInstancePlacement().start(),
              c.gpuInstancePlacement().size(),
              null,
              null,
              c.placement().start(),
              c.placement().size(),
              null,
              null);
      case PlanStep.SetMigMode m ->
          new StepJson(
              "set-mig-mode", "gpu", null, null, null, null, null, null, null, null, m.enabled());
      case PlanStep.ResetGpu r ->
          new StepJson("reset", "gpu", null, null, null, null, null, null, null, null, null);
    };
  }

  private static StepJson gpuInstance(String op, String profile, int start, int size, Integer gi) {
    return new StepJson(op, "gpu-instance", profile, start, size, gi, null, null, null, null, null);
  }

  /** One line for people: {@code create 3g.20gb at 4:4}. */
  public String text() {
    return switch (level) {
      case "gpu" ->
          op.equals("reset") ? "reset the GPU" : "turn MIG mode " + (enabled ? "on" : "off");
      case "compute-instance" ->
          op
              + " compute instance "
              + profile
              + " at "
              + ciStart
              + ":"
              + ciSize
              + " in the GPU instance at "
              + start
              + ":"
              + size
              + (uuid == null ? "" : " (" + uuid + ")");
      default ->
          op
              + " GPU instance "
              + profile
              + " at "
              + start
              + ":"
              + size
              + (gi == null ? "" : " (GI " + gi + ")");
    };
  }
}
