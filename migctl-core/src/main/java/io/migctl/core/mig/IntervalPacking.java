package io.migctl.core.mig;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Chooses one placement per item so that no two overlap each other or the occupied slices.
 *
 * <p>Model: a slice axis of at most {@link Placement#MAX_SLICES} slices, a bit mask of occupied
 * slices, and items, each with the placements it may take. Algorithm: depth-first search over the
 * items, largest first (they have the fewest placements); consecutive items with the same
 * placements (instances of one profile) take placements in increasing order, so no arrangement is
 * tried twice as a permutation. Dead ends are memoised by (item, lowest allowed choice, occupied
 * mask). This tries placements, not orderings: the answer does not depend on the order in which
 * items are given. Cost: on MIG's 8 slices the state space is at most items × placements × 256, so
 * every search ends in microseconds.
 */
final class IntervalPacking {

  private IntervalPacking() {}

  /**
   * One placement per item, in the items' order, or empty when none exists.
   *
   * @param choices for each item, the placements it may take
   * @param occupied slices already taken (bit i = slice i)
   */
  static Optional<List<Placement>> pack(List<List<Placement>> choices, long occupied) {
    Integer[] order = sortedOrder(choices);
    List<List<Placement>> sorted = Arrays.stream(order).map(choices::get).toList();
    Placement[] chosen = new Placement[choices.size()];
    if (!walk(sorted, 0, 0, occupied, chosen, () -> true, new HashSet<>())) {
      return Optional.empty();
    }
    return Optional.of(inItemOrder(order, chosen));
  }

  /**
   * Calls {@code visitor} with every way to place the items (one placement each, in the items'
   * order), each arrangement once; stops early when the visitor returns false.
   */
  static void forEach(
      List<List<Placement>> choices, long occupied, Predicate<List<Placement>> visitor) {
    Integer[] order = sortedOrder(choices);
    List<List<Placement>> sorted = Arrays.stream(order).map(choices::get).toList();
    Placement[] chosen = new Placement[choices.size()];
    walk(sorted, 0, 0, occupied, chosen, () -> !visitor.test(inItemOrder(order, chosen)), null);
  }

  /** The chosen placements (in sorted order) back in the items' order. */
  private static List<Placement> inItemOrder(Integer[] order, Placement[] chosen) {
    Placement[] result = new Placement[chosen.length];
    for (int k = 0; k < chosen.length; k++) {
      result[order[k]] = chosen[k];
    }
    return List.of(result);
  }

  /** Item indices, largest placements first, equal placement lists next to each other. */
  private static Integer[] sortedOrder(List<List<Placement>> choices) {
    int n = choices.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int sa = choices.get(a).isEmpty() ? 0 : choices.get(a).getFirst().size();
          int sb = choices.get(b).isEmpty() ? 0 : choices.get(b).getFirst().size();
          if (sa != sb) {
            return Integer.compare(sb, sa);
          }
          int c = Integer.compare(choices.get(a).size(), choices.get(b).size());
          if (c != 0) {
            return c;
          }
          c = choices.get(a).toString().compareTo(choices.get(b).toString());
          return c != 0 ? c : Integer.compare(a, b);
        });
    return order;
  }

  private interface Visit {
    /** Called with a complete arrangement in {@code chosen}; true stops the walk. */
    boolean stop();
  }

  /**
   * Depth-first over the items from {@code pos}; calls {@code visit} at every complete arrangement.
   *
   * @param barren where subtrees without any arrangement are remembered, or null not to remember
   *     (only sound when {@code visit} stops at the first arrangement)
   * @return true when {@code visit} asked to stop
   */
  private static boolean walk(
      List<List<Placement>> items,
      int pos,
      int minChoice,
      long occupied,
      Placement[] chosen,
      Visit visit,
      Set<Long> barren) {
    if (pos == items.size()) {
      return visit.stop();
    }
    long key = ((long) pos << 48) | ((long) minChoice << 40) | occupied;
    if (barren != null && barren.contains(key)) {
      return false;
    }
    List<Placement> options = items.get(pos);
    boolean sameAsNext = pos + 1 < items.size() && items.get(pos + 1).equals(options);
    for (int c = minChoice; c < options.size(); c++) {
      Placement p = options.get(c);
      if ((p.mask() & occupied) != 0) {
        continue;
      }
      chosen[pos] = p;
      if (walk(
          items, pos + 1, sameAsNext ? c + 1 : 0, occupied | p.mask(), chosen, visit, barren)) {
        return true;
      }
    }
    if (barren != null) {
      barren.add(key);
    }
    return false;
  }
}
