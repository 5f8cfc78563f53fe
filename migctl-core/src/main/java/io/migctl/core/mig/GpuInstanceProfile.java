package io.migctl.core.mig;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GPU-instance profile of one GPU model, as {@code nvidia-smi mig -lgip} and {@code -lgipp} show
 * it.
 *
 * @param name the profile name, e.g. {@code 3g.20gb}
 * @param id the profile id {@code nvidia-smi mig -lgip} prints ({@code
 *     nvmlGpuInstanceProfileInfo_t.id}); device specific: 9 is {@code 3g.20gb} on an A100 but 0 is
 *     {@code 4g.24gb} on an A30
 * @param computeSlices compute (GPC) slices
 * @param memorySlices memory slices, which is also the size of every placement
 * @param memoryMiB the instance's memory in MiB (driver dependent)
 * @param maxCount how many instances of this profile one GPU holds at most
 * @param multiprocessors streaming multiprocessors (SMs)
 * @param engines the engines the instance owns
 * @param placements every placement the driver allows, in order ({@code -lgipp})
 * @param unverified names of the fields whose value no real output confirmed (from the reference
 *     catalog); empty when all are confirmed
 */
public record GpuInstanceProfile(
    ProfileName name,
    int id,
    int computeSlices,
    int memorySlices,
    long memoryMiB,
    int maxCount,
    int multiprocessors,
    Engines engines,
    List<Placement> placements,
    Set<String> unverified) {

  public GpuInstanceProfile {
    placements = List.copyOf(placements);
    unverified = Set.copyOf(new TreeSet<>(unverified));
    if (name.isComputeInstance()) {
      throw new IllegalArgumentException(
          name + " names a compute instance; a GPU-instance profile is named <g>g.<gb>gb");
    }
    if (name.gpuSlices() != computeSlices) {
      throw new IllegalArgumentException(
          "profile "
              + name
              + " has "
              + computeSlices
              + " compute slices but its name says "
              + name.gpuSlices());
    }
    if (id < 0) {
      throw new IllegalArgumentException(
          "profile id of " + name + " must not be negative, was " + id);
    }
    if (memorySlices < 1 || memoryMiB < 1 || maxCount < 1 || multiprocessors < 0) {
      throw new IllegalArgumentException(
          "profile "
              + name
              + ": memory slices, MiB and max count must be positive, were "
              + memorySlices
              + ", "
              + memoryMiB
              + ", "
              + maxCount);
    }
    if (placements.isEmpty()) {
      throw new IllegalArgumentException("profile " + name + " has no placement");
    }
    for (Placement p : placements) {
      if (p.size() != memorySlices) {
        throw new IllegalArgumentException(
            "profile "
                + name
                + " uses "
                + memorySlices
                + " memory slices but lists placement "
                + p);
      }
    }
  }

  /** Whether this profile carries media extensions ({@code +me}). */
  public boolean hasMediaExtensions() {
    return name.hasMediaExtensions();
  }

  /**
   * Whether an instance of {@code other} may share a GPU with one of this profile as far as the
   * media engines go: beside a {@code +me.all} instance NVML allows only {@code -me} ones. (That
   * the media extensions exist once is {@link #hasMediaExtensions}' rule.)
   */
  public boolean leavesMediaFor(GpuInstanceProfile other) {
    return !(name.takesAllMedia() && !other.name.lacksMedia())
        && !(other.name.takesAllMedia() && !name.lacksMedia());
  }

  /** Whether {@code placement} is one of this profile's placements. */
  public boolean allows(Placement placement) {
    return placements.contains(placement);
  }

  /** The placements as {@code nvidia-smi mig -lgipp} prints them: {@code {0,2,4}:2}. */
  public String placementsText() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < placements.size(); i++) {
      b.append(i == 0 ? "" : ",").append(placements.get(i).start());
    }
    return b.append("}:").append(memorySlices).toString();
  }

  @Override
  public String toString() {
    return name + " (ID " + id + ")";
  }

  /** This profile with {@code fields} added to the ones no real output confirmed. */
  public GpuInstanceProfile markedUnverified(Set<String> fields) {
    Set<String> marks = new TreeSet<>(unverified);
    marks.addAll(fields);
    return new GpuInstanceProfile(
        name,
        id,
        computeSlices,
        memorySlices,
        memoryMiB,
        maxCount,
        multiprocessors,
        engines,
        placements,
        marks);
  }
}
