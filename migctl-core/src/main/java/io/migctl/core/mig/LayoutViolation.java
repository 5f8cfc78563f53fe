package io.migctl.core.mig;

import java.util.List;

/** One reason a layout cannot exist on a GPU. Each says what collides and how. */
public sealed interface LayoutViolation {

  /** A sentence for people: what is wrong, with the instances and slices involved. */
  String message();

  /** The profile is not one of this GPU model's profiles. */
  record UnknownProfile(PlacedInstance instance, GpuModel model) implements LayoutViolation {
    @Override
    public String message() {
      return instance.profile()
          + " is not a profile of "
          + model.name()
          + "; its profiles are "
          + model.profileNamesText();
    }
  }

  /** The placement is not one the profile allows. */
  record NotAPlacement(PlacedInstance instance) implements LayoutViolation {
    @Override
    public String message() {
      return instance
          + ": "
          + instance.placement()
          + " is not a placement of "
          + instance.profile().name()
          + "; it may start at "
          + instance.profile().placementsText();
    }
  }

  /** Two GPU instances use the same memory slices. */
  record Overlap(PlacedInstance first, PlacedInstance second, Placement slices)
      implements LayoutViolation {
    @Override
    public String message() {
      return first
          + " and "
          + second
          + " collide on memory slice"
          + (slices.size() == 1 ? " " : "s ")
          + slices.slicesText();
    }
  }

  /** More instances of a profile than one GPU holds. */
  record TooMany(GpuInstanceProfile profile, int count) implements LayoutViolation {
    @Override
    public String message() {
      return count + " × " + profile.name() + ", but one GPU holds at most " + profile.maxCount();
    }
  }

  /** Media extensions ({@code +me}) asked for more than once: the GPU has one set. */
  record MediaExtensionsTwice(List<PlacedInstance> instances) implements LayoutViolation {
    public MediaExtensionsTwice {
      instances = List.copyOf(instances);
    }

    @Override
    public String message() {
      return "media extensions (+me) are allowed once per GPU, but "
          + instances.stream().map(PlacedInstance::toString).toList()
          + " all ask for them";
    }
  }

  /** An instance beside a {@code +me.all} one that is not a {@code -me} one. */
  record AllMediaTaken(PlacedInstance first, PlacedInstance second) implements LayoutViolation {
    @Override
    public String message() {
      return first
          + " and "
          + second
          + " cannot share a GPU: beside a +me.all instance only -me instances fit";
    }
  }

  /** The instances need more compute slices than the GPU has. */
  record ComputeSlicesExceeded(int needed, int available) implements LayoutViolation {
    @Override
    public String message() {
      return "the instances need " + needed + " compute slices, the GPU has " + available;
    }
  }

  /** A compute instance does not fit its GPU instance. */
  record ComputeInstanceMisfit(PlacedInstance instance, String reason) implements LayoutViolation {
    @Override
    public String message() {
      return "in " + instance + ": " + reason;
    }
  }
}
