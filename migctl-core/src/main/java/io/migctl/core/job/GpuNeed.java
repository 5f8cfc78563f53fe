package io.migctl.core.job;

import io.migctl.core.mig.ProfileName;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a job asks of the GPU, as the user wrote it: nothing, a MIG profile such as {@code 2g.10gb},
 * or an amount of memory with a minimum number of compute slices. {@link Admission} turns it into a
 * {@link Requirement} against the node's GPU models.
 */
public sealed interface GpuNeed {

  /** The job runs without a GPU; it sees no device at all. */
  record None() implements GpuNeed {
    @Override
    public String toString() {
      return "none";
    }
  }

  /** At least what the profile offers, on whichever model of the node knows the name. */
  record Profile(ProfileName name) implements GpuNeed {
    @Override
    public String toString() {
      return name.toString();
    }
  }

  /** At least {@code memoryMiB} of framebuffer and {@code computeSlices} compute slices. */
  record Memory(long memoryMiB, int computeSlices) implements GpuNeed {
    public Memory {
      if (memoryMiB < 1) {
        throw new IllegalArgumentException(
            "GPU memory must be positive, was " + memoryMiB + " MiB");
      }
      if (computeSlices < 1) {
        throw new IllegalArgumentException(
            "compute slices must be at least 1, was " + computeSlices);
      }
    }

    @Override
    public String toString() {
      return memoryMiB + "MiB" + (computeSlices > 1 ? "/" + computeSlices + "c" : "");
    }
  }

  GpuNeed NONE = new None();

  /**
   * Reads a memory size such as {@code 8GiB}, {@code 8gb}, {@code 512MiB} or a plain number of MiB.
   * GB and GiB both mean 1024 MiB, as MIG profile names do ({@code 1g.5gb} is 4864 MiB).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static long parseMemoryMiB(String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a memory size; write e.g. 8GiB, 8gb, 512MiB or 2048 (MiB)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "m" : m.group(2).substring(0, 1);
    double mib =
        switch (unit) {
          case "t" -> value * 1024 * 1024;
          case "g" -> value * 1024;
          default -> value;
        };
    if (mib < 1 || mib > MAX_MEMORY_MIB) {
      throw new IllegalArgumentException(
          "memory size '" + text + "' is out of range; it must lie between 1 MiB and 64 TiB");
    }
    return (long) Math.ceil(mib);
  }

  /** Sizes above this are rejected as absurd before any model is consulted. */
  long MAX_MEMORY_MIB = 64L * 1024 * 1024;

  Pattern SIZE = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)\\s*(t|tb|tib|g|gb|gib|m|mb|mib)?");
}
