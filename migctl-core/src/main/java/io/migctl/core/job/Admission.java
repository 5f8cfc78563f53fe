package io.migctl.core.job;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.ProfileName;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a job could ever run on this node, decided at submit: a need that no MIG profile of any
 * of the node's GPU models satisfies is refused with the reason, instead of waiting forever.
 */
public final class Admission {
  private Admission() {}

  /**
   * What a device must offer the job.
   *
   * @param models the MIG-capable GPU models of the node
   * @return empty for a job that needs no GPU
   * @throws JobSpecException (field {@code gpu}) when no profile of the node could satisfy it
   */
  public static Optional<Requirement> requirement(GpuNeed need, List<GpuModel> models) {
    return switch (need) {
      case GpuNeed.None n -> Optional.empty();
      case GpuNeed.Profile p -> Optional.of(ofProfile(p.name(), models));
      case GpuNeed.Memory m -> Optional.of(ofMemory(m, models));
      case GpuNeed.MigDevices d ->
          requirement(d.device(), models)
              .map(r -> new Requirement(r.memoryMiB(), r.computeSlices(), d.count()));
      case GpuNeed.WholeGpus w -> Optional.of(ofWholeGpus(w, models));
    };
  }

  /**
   * A whole GPU of the smallest model of the node that matches the need's model and memory: its
   * framebuffer and all its compute slices, so that quotas count a whole GPU as its compute slices.
   */
  private static Requirement ofWholeGpus(GpuNeed.WholeGpus need, List<GpuModel> models) {
    Optional<GpuModel> smallest =
        models.stream()
            .filter(m -> need.model().map(m.key()::equals).orElse(true))
            .filter(m -> m.memoryMiB() >= need.memoryMiB().orElse(1))
            .min(Comparator.comparingLong(GpuModel::memoryMiB));
    if (smallest.isEmpty()) {
      throw new JobSpecException(
          "gpus",
          "no GPU model of this node matches "
              + need
              + (models.isEmpty()
                  ? "; the node has no GPU"
                  : "; models here: "
                      + String.join(
                          ", ",
                          models.stream()
                              .map(m -> m.key() + " (" + m.memoryMiB() + " MiB)")
                              .distinct()
                              .toList())));
    }
    GpuModel m = smallest.get();
    return new Requirement(
        Math.max(m.memoryMiB(), need.memoryMiB().orElse(1)), m.computeSlices(), need.count());
  }

  private static Requirement ofProfile(ProfileName name, List<GpuModel> models) {
    ProfileName gpuInstance = name.isComputeInstance() ? name.gpuInstance() : name;
    Optional<GpuInstanceProfile> smallest =
        models.stream()
            .flatMap(m -> m.profile(gpuInstance).stream())
            .min(Comparator.comparingLong(GpuInstanceProfile::memoryMiB));
    if (smallest.isEmpty()) {
      throw new JobSpecException(
          "gpu",
          "no GPU on this node offers profile "
              + name
              + (models.isEmpty()
                  ? "; the node has no MIG-capable GPU"
                  : "; profiles here: " + String.join(", ", profileNames(models))));
    }
    GpuInstanceProfile p = smallest.get();
    int compute = name.isComputeInstance() ? name.computeSlices() : p.computeSlices();
    if (compute > p.computeSlices()) {
      throw new JobSpecException(
          "gpu",
          name
              + " asks for more compute slices than "
              + gpuInstance
              + " has ("
              + p.computeSlices()
              + ")");
    }
    return new Requirement(p.memoryMiB(), compute);
  }

  private static Requirement ofMemory(GpuNeed.Memory need, List<GpuModel> models) {
    Requirement wanted = new Requirement(need.memoryMiB(), need.computeSlices());
    boolean possible =
        models.stream()
            .flatMap(m -> m.profiles().stream())
            .anyMatch(
                p ->
                    p.memoryMiB() >= need.memoryMiB() && p.computeSlices() >= need.computeSlices());
    if (!possible) {
      String largest =
          models.stream()
              .flatMap(
                  m ->
                      m.profiles().stream()
                          .map(
                              p ->
                                  Map.entry(
                                      p,
                                      p.name()
                                          + " ("
                                          + p.memoryMiB()
                                          + " MiB, "
                                          + p.computeSlices()
                                          + " compute slices) on "
                                          + m.name())))
              .max(
                  Comparator.comparingLong(
                          (Map.Entry<GpuInstanceProfile, String> e) -> e.getKey().memoryMiB())
                      .thenComparingInt(e -> e.getKey().computeSlices()))
              .map(Map.Entry::getValue)
              .orElse("none: the node has no MIG-capable GPU");
      throw new JobSpecException(
          "gpu",
          "needs "
              + wanted
              + ", more than any MIG device of this node can offer; the largest is "
              + largest
              + largestHint(models));
    }
    return wanted;
  }

  private static String largestHint(List<GpuModel> models) {
    return models.isEmpty() ? "" : "; ask for less memory or fewer compute slices";
  }

  private static Set<String> profileNames(List<GpuModel> models) {
    Set<String> names = new LinkedHashSet<>();
    for (GpuModel m : models) {
      for (GpuInstanceProfile p : m.profiles()) {
        names.add(p.name().toString());
      }
    }
    return names;
  }
}
