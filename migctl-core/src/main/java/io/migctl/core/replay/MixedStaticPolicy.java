package io.migctl.core.replay;

import io.migctl.core.mig.PlacedInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A static policy with a layout per GPU, as an administrator who knows the demand mix would set up
 * a cluster (some GPUs whole, the others split): the layouts never change, and queued jobs are
 * dispatched as {@link StaticPolicy} does. Its name counts the GPUs of each layout, e.g. {@code
 * mix:2x7,6x3+2+2}.
 */
public final class MixedStaticPolicy implements Policy {

  private final List<List<Integer>> perGpu;
  private final String name;

  /**
   * @param perGpu one layout per GPU, as slice sizes; kept in a canonical order (layouts with more
   *     slices first) so that the same multiset of layouts is the same policy
   */
  public MixedStaticPolicy(List<List<Integer>> perGpu) {
    if (perGpu.isEmpty()) {
      throw new IllegalArgumentException("a mixed static policy needs a layout for each GPU");
    }
    List<List<Integer>> sorted = new ArrayList<>();
    for (List<Integer> sizes : perGpu) {
      List<Integer> s = new ArrayList<>(sizes);
      s.sort(Comparator.reverseOrder());
      sorted.add(List.copyOf(s));
    }
    sorted.sort(MixedStaticPolicy::compareLayouts);
    this.perGpu = List.copyOf(sorted);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (List<Integer> s : this.perGpu) {
      counts.merge(sizesText(s), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((layout, n) -> parts.add(n + "x" + layout));
    this.name = "mix:" + String.join(",", parts);
  }

  /** The same layout on each of {@code gpus} GPUs. */
  public static MixedStaticPolicy uniform(List<Integer> sizes, int gpus) {
    List<List<Integer>> perGpu = new ArrayList<>();
    for (int g = 0; g < gpus; g++) {
      perGpu.add(sizes);
    }
    return new MixedStaticPolicy(perGpu);
  }

  /** The layouts, one per GPU, in the canonical order. */
  public List<List<Integer>> perGpu() {
    return perGpu;
  }

  /** Whether every GPU has the same layout. */
  public boolean isUniform() {
    return perGpu.stream().distinct().count() == 1;
  }

  /**
   * The name in reports: {@code static:3+2+2} when every GPU has the same layout (as {@link
   * StaticPolicy} names it), otherwise {@code mix:} with the GPUs of each layout.
   */
  @Override
  public String name() {
    return isUniform() ? "static:" + sizesText(perGpu.get(0)) : name;
  }

  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles) {
    return profiles.layout(perGpu.get(0));
  }

  /**
   * @throws IllegalArgumentException when the cluster has more GPUs than the policy has layouts
   */
  @Override
  public List<PlacedInstance> initialLayout(SimProfiles profiles, int gpu) {
    if (gpu >= perGpu.size()) {
      throw new IllegalArgumentException(
          name + " has layouts for " + perGpu.size() + " GPUs; the cluster has more");
    }
    return profiles.layout(perGpu.get(gpu));
  }

  @Override
  public void schedule(Simulation sim) {
    StaticPolicy.dispatch(sim);
  }

  private static String sizesText(List<Integer> sizes) {
    return String.join("+", sizes.stream().map(String::valueOf).toList());
  }

  /** Fewer, larger instances first: {@code [7]} before {@code [4, 3]} before {@code [1, ...]}. */
  private static int compareLayouts(List<Integer> a, List<Integer> b) {
    int c = Integer.compare(a.size(), b.size());
    for (int i = 0; c == 0 && i < a.size(); i++) {
      c = Integer.compare(b.get(i), a.get(i));
    }
    return c;
  }
}
