package io.migctl.core.replay;

import java.util.ArrayList;
import java.util.List;

/** Parses policy names: {@code whole-gpu}, {@code static:3+2+2}, {@code dynamic}. */
public final class Policies {

  private Policies() {}

  /**
   * The policy named {@code text}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Policy parse(String text, SimProfiles profiles) {
    String t = text.strip();
    if (t.equals("whole-gpu")) {
      return StaticPolicy.wholeGpu(profiles);
    }
    if (t.equals("dynamic")) {
      return new DynamicPolicy();
    }
    if (t.startsWith("static:")) {
      List<Integer> sizes = new ArrayList<>();
      for (String part : t.substring("static:".length()).split("[+,]")) {
        try {
          sizes.add(Integer.parseInt(part.strip().replaceFirst("g.*$", "")));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad static layout \"" + t + "\"", e);
        }
      }
      StaticPolicy p = StaticPolicy.of(sizes);
      profiles.layout(sizes);
      return p;
    }
    throw new IllegalArgumentException(
        "unknown policy \""
            + t
            + "\"; use whole-gpu, dynamic or static:<sizes> (e.g. static:3+2+2)");
  }

  /**
   * Runs {@code candidates} (static layouts as slice sizes) on each job list and returns the one
   * with the lowest mean job completion time averaged over the lists (ties: the first); layouts on
   * which some job fits no slice are skipped.
   */
  public static StaticPolicy bestStatic(
      Simulation.Config config, List<List<SimJob>> jobLists, List<List<Integer>> candidates) {
    StaticPolicy best = null;
    double bestMean = Double.POSITIVE_INFINITY;
    for (List<Integer> sizes : candidates) {
      double sum = 0;
      try {
        for (List<SimJob> jobs : jobLists) {
          sum += Simulation.run(config, jobs, StaticPolicy.of(sizes)).jctMean();
        }
      } catch (Simulation.Unrunnable e) {
        continue;
      }
      double mean = sum / jobLists.size();
      if (mean < bestMean) {
        bestMean = mean;
        best = StaticPolicy.of(sizes);
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no static candidates");
    }
    return best;
  }
}
