package io.migctl.core.job;

/**
 * The least a MIG device or a whole GPU must offer a job: framebuffer and compute slices, and how
 * many such devices the job takes at once. A device fits when it offers at least both.
 *
 * @param memoryMiB framebuffer of each device
 * @param computeSlices compute slices of each device (a whole GPU's: 7 on an A100)
 * @param devices how many devices the job takes at once, at least 1
 */
public record Requirement(long memoryMiB, int computeSlices, int devices) {

  public Requirement {
    if (memoryMiB < 1 || computeSlices < 1) {
      throw new IllegalArgumentException(
          "a requirement needs positive memory and compute, was "
              + memoryMiB
              + " MiB and "
              + computeSlices);
    }
    if (devices < 1) {
      throw new IllegalArgumentException("a requirement takes at least 1 device, was " + devices);
    }
  }

  /** One device. */
  public Requirement(long memoryMiB, int computeSlices) {
    this(memoryMiB, computeSlices, 1);
  }

  public boolean fits(MigSlot slot) {
    return slot.memoryMiB() >= memoryMiB && slot.computeSlices() >= computeSlices;
  }

  /** What all the devices offer together at least: compute slices. */
  public int totalComputeSlices() {
    return computeSlices * devices;
  }

  /** What all the devices offer together at least: framebuffer in MiB. */
  public long totalMemoryMiB() {
    return memoryMiB * devices;
  }

  @Override
  public String toString() {
    String one =
        memoryMiB
            + " MiB and "
            + computeSlices
            + " compute slice"
            + (computeSlices == 1 ? "" : "s");
    return devices == 1 ? one : devices + " devices of " + one;
  }
}
