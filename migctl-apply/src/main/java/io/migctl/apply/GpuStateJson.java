package io.migctl.apply;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.GpuState;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPU's MIG mode and instances as JSON, in the journal ({@code before}, {@code target} and {@code
 * state} of its lines) and in {@code mig apply --json} / {@code layout/apply} outcomes. Read from a
 * live GPU it names the driver's ids and the MIG UUIDs; recorded as a wish ({@link GpuState}) it
 * has neither.
 *
 * @param migEnabled MIG mode in effect
 * @param migPending MIG mode after the next reset (differs only on Ampere, until the reset)
 * @param instances the GPU instances by placement
 */
public record GpuStateJson(boolean migEnabled, boolean migPending, List<Instance> instances) {

  public GpuStateJson {
    instances = List.copyOf(instances);
  }

  /**
   * A GPU instance.
   *
   * @param gi the driver's GPU-instance id, when read from a live GPU
   */
  public record Instance(
      String profile, int start, int size, Integer gi, List<Compute> computeInstances) {
    public Instance {
      computeInstances = List.copyOf(computeInstances);
    }
  }

  /**
   * A compute instance (MIG device); {@code start} and {@code size} on its GPU instance's compute
   * slices.
   *
   * @param ci the driver's compute-instance id, when read from a live GPU
   * @param uuid the MIG device's UUID, when read from a live GPU
   */
  public record Compute(String profile, int start, int size, Integer ci, String uuid) {}

  /** A live GPU, with ids and MIG UUIDs. */
  public static GpuStateJson of(GpuSnapshot live) {
    MigMode mode = live.device().migMode();
    List<Instance> out = new ArrayList<>();
    for (GpuSnapshot.Instance i : live.instances()) {
      Placement at = i.gpuInstance().placement();
      out.add(
          new Instance(
              i.profile().name().toString(),
              at.start(),
              at.size(),
              i.gpuInstance().id(),
              i.computeInstances().stream()
                  .map(
                      c ->
                          new Compute(
                              c.profile().name().toString(),
                              c.computeInstance().placement().start(),
                              c.computeInstance().placement().size(),
                              c.computeInstance().id(),
                              c.computeInstance().uuid()))
                  .toList()));
    }
    return new GpuStateJson(mode.current(), mode.pending(), out);
  }

  /** A recorded state, without ids. */
  public static GpuStateJson of(GpuState state) {
    return new GpuStateJson(
        state.mode().current(),
        state.mode().pending(),
        state.layout().instances().stream()
            .map(
                i ->
                    new Instance(
                        i.profile().name().toString(),
                        i.placement().start(),
                        i.placement().size(),
                        null,
                        i.computeInstances().stream()
                            .map(
                                c ->
                                    new Compute(
                                        c.profile().name().toString(),
                                        c.placement().start(),
                                        c.placement().size(),
                                        null,
                                        null))
                            .toList()))
            .toList());
  }

  /**
   * The state this records, with profiles looked up in the GPU's model.
   *
   * @throws IllegalArgumentException naming the profile when the model has no such profile (a
   *     journal written for another GPU)
   */
  public GpuState toState(GpuModel model) {
    List<PlacedInstance> out = new ArrayList<>();
    for (Instance i : instances) {
      GpuInstanceProfile gi =
          model
              .profile(ProfileName.parse(i.profile()))
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          i.profile() + " is not a profile of " + model.productName()));
      List<PlacedComputeInstance> cis = new ArrayList<>();
      for (Compute c : i.computeInstances()) {
        ComputeInstanceProfile cp =
            ComputeInstanceProfile.of(gi).stream()
                .filter(p -> p.name().toString().equals(c.profile()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            c.profile() + " is not a compute-instance profile of " + gi.name()));
        cis.add(new PlacedComputeInstance(cp, new Placement(c.start(), c.size())));
      }
      out.add(new PlacedInstance(gi, new Placement(i.start(), i.size()), cis));
    }
    return new GpuState(new MigMode(migEnabled, migPending), new Layout(out));
  }

  /**
   * One line for people: {@code 3g.20gb@4:4 (GI 2) with 3g.20gb@0:3 (CI 0, MIG-…)}, instances
   * separated by {@code ;}, or what the MIG mode is when it leaves no instance.
   */
  public String text() {
    String pending =
        migPending == migEnabled
            ? ""
            : " (MIG mode " + (migPending ? "enabled" : "disabled") + " after a reset)";
    if (!migEnabled) {
      return "MIG mode disabled" + pending;
    }
    if (instances.isEmpty()) {
      return "no GPU instances" + pending;
    }
    List<String> parts = new ArrayList<>();
    for (Instance i : instances) {
      String gi =
          i.profile()
              + "@"
              + i.start()
              + ":"
              + i.size()
              + (i.gi() == null ? "" : " (GI " + i.gi() + ")");
      if (i.computeInstances().isEmpty()) {
        parts.add(gi + " without compute instances");
        continue;
      }
      List<String> cis = new ArrayList<>();
      for (Compute c : i.computeInstances()) {
        String ids =
            c.ci() == null
                ? ""
                : " (CI " + c.ci() + (c.uuid() == null ? "" : ", " + c.uuid()) + ")";
        cis.add(c.profile() + "@" + c.start() + ":" + c.size() + ids);
      }
      parts.add(gi + " with " + String.join(", ", cis));
    }
    return String.join("; ", parts) + pending;
  }
}
