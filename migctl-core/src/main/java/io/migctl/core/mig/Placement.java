package io.migctl.core.mig;

/**
 * Where an instance sits on a slice axis: {@code size} slices starting at {@code start}, printed
 * {@code start:size} as {@code nvidia-smi mig -lgi} does. For GPU instances the axis is the GPU's
 * memory slices; for compute instances it is the compute slices of their GPU instance.
 */
public record Placement(int start, int size) implements Comparable<Placement> {

  /** The most slices any axis has; masks are {@code long}s. */
  public static final int MAX_SLICES = 32;

  public Placement {
    if (start < 0 || start >= MAX_SLICES) {
      throw new IllegalArgumentException(
          "placement start must be 0.." + (MAX_SLICES - 1) + ", was " + start);
    }
    if (size < 1 || start + size > MAX_SLICES) {
      throw new IllegalArgumentException(
          "placement size must be 1.."
              + (MAX_SLICES - start)
              + " at start "
              + start
              + ", was "
              + size);
    }
  }

  /**
   * Parses {@code start:size}, the form {@code nvidia-smi} prints.
   *
   * @throws IllegalArgumentException naming the text when it is not two numbers separated by ':'
   */
  public static Placement parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "placement \"" + text + "\" is not start:size (for example 4:4)");
    }
    try {
      return new Placement(
          Integer.parseInt(text.substring(0, colon).strip()),
          Integer.parseInt(text.substring(colon + 1).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "placement \"" + text + "\" is not start:size (for example 4:4)", e);
    }
  }

  /** The first slice after this placement. */
  public int end() {
    return start + size;
  }

  /** The slices this placement covers, one bit each (bit i = slice i). */
  public long mask() {
    return ((1L << size) - 1) << start;
  }

  public boolean overlaps(Placement other) {
    return (mask() & other.mask()) != 0;
  }

  /** The slices both placements cover, or {@code null} when they do not overlap. */
  public Placement intersection(Placement other) {
    int from = Math.max(start, other.start);
    int to = Math.min(end(), other.end());
    return from < to ? new Placement(from, to - from) : null;
  }

  /** Human text for the slices covered: {@code 4} or {@code 4-7}. */
  public String slicesText() {
    return size == 1 ? Integer.toString(start) : start + "-" + (end() - 1);
  }

  @Override
  public int compareTo(Placement o) {
    int c = Integer.compare(start, o.start);
    return c != 0 ? c : Integer.compare(size, o.size);
  }

  @Override
  public String toString() {
    return start + ":" + size;
  }
}
