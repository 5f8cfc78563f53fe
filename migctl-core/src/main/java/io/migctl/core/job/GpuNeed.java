package io.migctl.core.job;

import io.migctl.core.mig.ProfileName;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a job asks of the GPU, as the user wrote it: nothing, a MIG profile such as {@code 2g.10gb},
 * an amount of memory with a minimum number of compute slices, several MIG devices of one such need
 * at once, or whole GPUs. {@link Admission} turns it into a {@link Requirement} against the node's
 * GPU models.
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

  /**
   * {@code count} MIG devices of one need at once, for multi-process work (CUDA uses one MIG device
   * per process; each process picks its own from the list the job gets).
   *
   * @param device what each device must offer: a {@link Profile} or a {@link Memory}
   * @param count how many, at least 2 (one device is {@code device} itself)
   */
  record MigDevices(GpuNeed device, int count) implements GpuNeed {
    public MigDevices {
      if (!(device instanceof Profile || device instanceof Memory)) {
        throw new IllegalArgumentException(
            "several MIG devices are asked as a profile or an amount of memory, was " + device);
      }
      if (count < 2 || count > MAX_DEVICES) {
        throw new IllegalArgumentException(
            "a count of MIG devices lies between 2 and "
                + MAX_DEVICES
                + ", was "
                + count
                + "; for one device leave the count out");
      }
    }

    @Override
    public String toString() {
      return count + "x" + device;
    }
  }

  /**
   * {@code count} whole GPUs at once (gang placement: all of them or none), each a GPU with MIG off
   * or one the node may turn back into a whole GPU.
   *
   * @param count how many GPUs, at least 1
   * @param model a GPU model key or alias such as {@code a100-40gb}, lower case; empty for any
   * @param memoryMiB the least framebuffer each GPU must have; empty for any
   */
  record WholeGpus(int count, Optional<String> model, OptionalLong memoryMiB) implements GpuNeed {
    public WholeGpus {
      if (count < 1 || count > MAX_DEVICES) {
        throw new IllegalArgumentException(
            "a job asks for 1 to " + MAX_DEVICES + " whole GPUs, was " + count);
      }
      model = model.map(m -> m.strip().toLowerCase(Locale.ROOT)).filter(m -> !m.isEmpty());
      if (memoryMiB.isPresent() && memoryMiB.getAsLong() < 1) {
        throw new IllegalArgumentException(
            "memory per GPU must be positive, was " + memoryMiB.getAsLong() + " MiB");
      }
    }

    /** Any {@code count} GPUs. */
    public WholeGpus(int count) {
      this(count, Optional.empty(), OptionalLong.empty());
    }

    @Override
    public String toString() {
      return count
          + " whole GPU"
          + (count == 1 ? "" : "s")
          + model.map(m -> " " + m).orElse("")
          + (memoryMiB.isPresent() ? " with " + memoryMiB.getAsLong() + "MiB" : "");
    }
  }

  GpuNeed NONE = new None();

  /** The most devices or GPUs one job may ask for. */
  int MAX_DEVICES = 64;

  /**
   * How many MIG devices or GPUs the need takes at once: 0 for none, 1 for one device.
   *
   * @return the count
   */
  default int count() {
    return switch (this) {
      case None n -> 0;
      case Profile p -> 1;
      case Memory m -> 1;
      case MigDevices d -> d.count();
      case WholeGpus w -> w.count();
    };
  }

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
