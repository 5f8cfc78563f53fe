package io.migctl.core.job;

/**
 * The least a MIG device must offer a job: framebuffer and compute slices. A device fits when it
 * offers at least both.
 */
public record Requirement(long memoryMiB, int computeSlices) {

  public Requirement {
    if (memoryMiB < 1 || computeSlices < 1) {
      throw new IllegalArgumentException(
          "a requirement needs positive memory and compute, was "
              + memoryMiB
              + " MiB and "
              + computeSlices);
    }
  }

  public boolean fits(MigSlot slot) {
    return slot.memoryMiB() >= memoryMiB && slot.computeSlices() >= computeSlices;
  }

  @Override
  public String toString() {
    return memoryMiB
        + " MiB and "
        + computeSlices
        + " compute slice"
        + (computeSlices == 1 ? "" : "s");
  }
}
