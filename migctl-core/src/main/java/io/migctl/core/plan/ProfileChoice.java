package io.migctl.core.plan;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.ProfileName;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The smallest GPU-instance profile of a model that satisfies a need.
 *
 * <p>A profile need gets that profile where the model has the name; elsewhere, the smallest profile
 * with at least the named profile's memory (as a model that has the name states it) and compute
 * slices. A memory need gets the smallest profile with at least that memory and compute. "Smallest"
 * orders by memory slices, then compute slices, then memory, then profile id; profiles with
 * attributes ({@code +me}, {@code +gfx}) are only chosen by name, since there is one set of media
 * extensions per GPU.
 *
 * @param profile the chosen profile, or empty when the model has none that satisfies the need
 * @param how how it was chosen, as a phrase for the reasoning; empty when the profile is the one
 *     named
 */
record ProfileChoice(Optional<GpuInstanceProfile> profile, String how) {

  static final Comparator<GpuInstanceProfile> SMALLEST =
      Comparator.comparingInt(GpuInstanceProfile::memorySlices)
          .thenComparingInt(GpuInstanceProfile::computeSlices)
          .thenComparingLong(GpuInstanceProfile::memoryMiB)
          .thenComparingInt(GpuInstanceProfile::id);

  /**
   * What the need asks of a device, in memory and compute slices; empty for {@link GpuNeed.None}
   * and for a profile name no model of the node or the catalog knows.
   */
  static Optional<long[]> minimum(GpuNeed need, List<GpuModel> nodeModels) {
    return switch (need) {
      case GpuNeed.None n -> Optional.empty();
      // Issue 20: whole GPUs are not a MIG device; the planner leaves them to gang placement.
      case GpuNeed.WholeGpus w -> Optional.empty();
      case GpuNeed.MigDevices d -> minimum(d.device(), nodeModels);
      case GpuNeed.Memory m -> Optional.of(new long[] {m.memoryMiB(), m.computeSlices()});
      case GpuNeed.Profile p -> {
        ProfileName gi = p.name().gpuInstance();
        OptionalLong mib = referenceMemory(gi, nodeModels);
        yield mib.isPresent()
            ? Optional.of(new long[] {mib.getAsLong(), gi.gpuSlices()})
            : Optional.empty();
      }
    };
  }

  /** The profile of {@code model} for {@code need} (not {@link GpuNeed.None}). */
  static ProfileChoice of(GpuNeed need, GpuModel model, List<GpuModel> nodeModels) {
    if (need instanceof GpuNeed.Profile p) {
      Optional<GpuInstanceProfile> named = model.profile(p.name().gpuInstance());
      if (named.isPresent()) {
        return new ProfileChoice(named, "");
      }
    }
    Optional<long[]> min = minimum(need, nodeModels);
    if (min.isEmpty()) {
      return new ProfileChoice(Optional.empty(), "");
    }
    long mib = min.get()[0];
    int compute = (int) min.get()[1];
    Optional<GpuInstanceProfile> smallest =
        model.profiles().stream()
            .filter(q -> q.name().attributes().isEmpty())
            .filter(q -> q.memoryMiB() >= mib && q.computeSlices() >= compute)
            .min(SMALLEST);
    String at = "at least " + mib + " MiB and " + compute + " compute slice" + plural(compute);
    String how =
        need instanceof GpuNeed.Profile p
            ? model.name() + " has no " + p.name().gpuInstance() + ", so its smallest profile with "
            : "the smallest profile of " + model.name() + " with ";
    return new ProfileChoice(smallest, how + at);
  }

  /** The memory of the named profile on a node model that has it, else on a catalog model. */
  private static OptionalLong referenceMemory(ProfileName gi, List<GpuModel> nodeModels) {
    OptionalLong onNode = memoryOn(gi, nodeModels.stream());
    return onNode.isPresent() ? onNode : memoryOn(gi, Catalog.models().stream());
  }

  private static OptionalLong memoryOn(ProfileName gi, Stream<GpuModel> models) {
    return models
        .flatMap(m -> m.profile(gi).stream())
        .mapToLong(GpuInstanceProfile::memoryMiB)
        .min();
  }

  static String plural(long n) {
    return n == 1 ? "" : "s";
  }
}
