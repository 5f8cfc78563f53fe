package io.migctl.nvidia.sim;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Which GPUs a simulated node has: catalog models with counts, written {@code a100-40gb:2} or
 * {@code a100-40gb:1,h100-80gb:1} ({@code --simulate} and {@code MIGCTL_SIMULATE}). A count may be
 * left out and means 1. GPUs are numbered in the order written. GPUs start with MIG on and no
 * instances, as a freshly enabled GPU; {@code :mig-off} after an entry starts its GPUs with MIG off
 * (whole GPUs), e.g. {@code a100-40gb:2,a100-40gb:2:mig-off} for a mixed node.
 */
public record SimulatedNodeSpec(List<Entry> entries) {

  /** The node used when nothing else is asked for. */
  public static final String DEFAULT = "a100-40gb:2";

  /** The most GPUs a simulated node may have. */
  public static final int MAX_GPUS = 64;

  /** What marks an entry's GPUs as starting with MIG off. */
  public static final String MIG_OFF = "mig-off";

  /** {@code count} GPUs of {@code model}, starting with MIG on or off. */
  public record Entry(GpuModel model, int count, boolean migOn) {

    /** {@code count} GPUs of {@code model} with MIG on. */
    public Entry(GpuModel model, int count) {
      this(model, count, true);
    }
  }

  public SimulatedNodeSpec {
    entries = List.copyOf(entries);
    int total = entries.stream().mapToInt(Entry::count).sum();
    if (total < 1 || total > MAX_GPUS) {
      throw new IllegalArgumentException(
          "a simulated node has 1.." + MAX_GPUS + " GPUs, this one would have " + total);
    }
  }

  /**
   * Parses a spec.
   *
   * @throws IllegalArgumentException naming the bad part and what is accepted
   */
  public static SimulatedNodeSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "the simulated node spec is empty; write MODEL[:COUNT][:mig-off][,…], e.g. a100-40gb:2");
    }
    List<Entry> entries = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String p = part.strip();
      boolean migOn = true;
      String suffix = ":" + MIG_OFF;
      if (p.toLowerCase(java.util.Locale.ROOT).endsWith(suffix)) {
        migOn = false;
        p = p.substring(0, p.length() - suffix.length()).strip();
      }
      int colon = p.indexOf(':');
      String model = colon < 0 ? p : p.substring(0, colon).strip();
      int count = 1;
      if (colon >= 0) {
        String n = p.substring(colon + 1).strip();
        try {
          count = Integer.parseInt(n);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "\""
                  + p
                  + "\" in simulated node spec \""
                  + text
                  + "\": count \""
                  + n
                  + "\" is not a number (write MODEL[:COUNT][:mig-off])",
              e);
        }
        if (count < 1) {
          throw new IllegalArgumentException(
              "\"" + p + "\" in simulated node spec \"" + text + "\": count must be at least 1");
        }
      }
      if (model.isEmpty()) {
        throw new IllegalArgumentException(
            "simulated node spec \""
                + text
                + "\" has an empty entry; write MODEL[:COUNT][:mig-off] separated by commas");
      }
      try {
        entries.add(new Entry(Catalog.require(model), count, migOn));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "simulated node spec \"" + text + "\": " + e.getMessage(), e);
      }
    }
    return new SimulatedNodeSpec(entries);
  }

  /** The model of each GPU, by index. */
  public List<GpuModel> gpus() {
    List<GpuModel> out = new ArrayList<>();
    for (Entry e : entries) {
      for (int i = 0; i < e.count(); i++) {
        out.add(e.model());
      }
    }
    return List.copyOf(out);
  }

  /** Whether each GPU, by index, starts with MIG on. */
  public List<Boolean> migOnAtStart() {
    List<Boolean> out = new ArrayList<>();
    for (Entry e : entries) {
      for (int i = 0; i < e.count(); i++) {
        out.add(e.migOn());
      }
    }
    return List.copyOf(out);
  }

  /**
   * The spec in canonical form: catalog keys with explicit counts, e.g. {@code a100-40gb:2} or
   * {@code a100-40gb:2,a100-40gb:2:mig-off}.
   */
  public String canonical() {
    return String.join(
        ",",
        entries.stream()
            .map(e -> e.model().key() + ":" + e.count() + (e.migOn() ? "" : ":" + MIG_OFF))
            .toList());
  }

  @Override
  public String toString() {
    return canonical();
  }
}
