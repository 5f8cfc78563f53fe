package io.migctl.core.replay;

import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * Every GPU keeps one fixed layout; queued jobs are dispatched first-come first-served onto the
 * free fitting slice where they run fastest (ties: the smallest slice, then the lowest GPU),
 * skipping a job that fits no free slice so that later jobs may use the free ones (backfill).
 * {@code whole-gpu} is this policy with the one-instance layout (7g on A100): one job per GPU. A
 * gang job ({@link SimJob#isGang()}) runs only on GPUs whose layout is the one full instance.
 */
public final class StaticPolicy implements Policy {

  private final String name;
  private final List<Integer> sizes;

  /**
   * @param name the name in reports
   * @param sizes the layout as compute-slice sizes, e.g. {@code [3, 2, 2]}
   */
  public StaticPolicy(String name, List<Integer> sizes) {
    this.name = name;
    this.sizes = List.copyOf(sizes);
  }

  /** {@code whole-gpu}: one full-GPU instance per GPU. */
  public static StaticPolicy wholeGpu(SimProfiles profiles) {
    return new StaticPolicy("whole-gpu", List.of(profiles.full().computeSlices()));
  }

  /** {@code static:3+2+2}. */
  public static StaticPolicy of(List<Integer> sizes) {
    return new StaticPolicy(
        "static:" + String.join("+", sizes.stream().map(String::valueOf).toList()), sizes);
  }

  /** The layout as slice sizes. */
  public List<Integer> sizes() {
    return sizes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles) {
    return profiles.layout(sizes);
  }

  @Override
  public void schedule(Simulation sim) {
    dispatch(sim);
  }

  /**
   * FIFO with backfill onto the fastest free fitting existing slice; a multi-GPU job starts on the
   * lowest free whole GPUs when there are enough of them, else it waits (and later jobs may pass).
   */
  static void dispatch(Simulation sim) {
    for (SimJob job : List.copyOf(sim.queue())) {
      if (job.isMultiGpu()) {
        List<SimSlot> whole = freeWholeGpus(sim);
        if (whole.size() >= job.gpus()) {
          sim.startGang(job, whole.subList(0, job.gpus()));
        }
        continue;
      }
      SimSlot best = null;
      double bestSpeed = 0;
      for (int g = 0; g < sim.gpuCount(); g++) {
        for (SimSlot s : sim.slots(g)) {
          if (!s.free() || !s.ready(sim.now())) {
            continue;
          }
          double v = job.speed(s.slices());
          if (v > bestSpeed || (v == bestSpeed && v > 0 && s.slices() < best.slices())) {
            best = s;
            bestSpeed = v;
          }
        }
      }
      if (best != null) {
        sim.start(job, best);
      }
    }
  }

  /** The free, existing whole GPUs ({@link Simulation#isWholeGpu}), lowest first. */
  static List<SimSlot> freeWholeGpus(Simulation sim) {
    List<SimSlot> out = new ArrayList<>();
    for (int g = 0; g < sim.gpuCount(); g++) {
      for (SimSlot s : sim.slots(g)) {
        if (s.free() && s.ready(sim.now()) && sim.isWholeGpu(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
