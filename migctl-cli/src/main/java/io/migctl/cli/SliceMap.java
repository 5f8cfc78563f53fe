package io.migctl.cli;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Placement;

/**
 * Draws a GPU's memory slices on one line, each instance where it sits: {@code |0 1g.5gb|1 1g.5gb|2
 * 2g.10gb |4 3g.20gb |} with free slices as {@code ·}.
 */
final class SliceMap {

  private static final int CELL = 9;

  private SliceMap() {}

  static String render(GpuSnapshot gpu) {
    int slices = gpu.model().memorySlices();
    String[] owner = new String[slices];
    boolean[] starts = new boolean[slices];
    for (GpuSnapshot.Instance inst : gpu.instances()) {
      Placement p = inst.gpuInstance().placement();
      for (int s = p.start(); s < p.end() && s < slices; s++) {
        owner[s] = inst.profile().name().toString() + (inst.isBusy() ? "*" : "");
        starts[s] = s == p.start();
      }
    }
    StringBuilder b = new StringBuilder();
    int s = 0;
    while (s < slices) {
      if (owner[s] == null) {
        b.append('|').append(pad(s + " ·", CELL - 1));
        s++;
        continue;
      }
      int end = s + 1;
      while (end < slices && owner[end] != null && !starts[end]) {
        end++;
      }
      b.append('|').append(pad(s + " " + owner[s], (end - s) * CELL - 1));
      s = end;
    }
    return b.append('|').toString();
  }

  private static String pad(String text, int width) {
    if (text.length() >= width) {
      return text.substring(0, width);
    }
    return text + " ".repeat(width - text.length());
  }
}
