package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    int n = choices.size();
    Integer[] order = sortedOrder(choices);
    List<List<Placement>> sorted = new ArrayList<>(n);
    for (Integer i : order) {
      sorted.add(choices.get(i));
    }
    Placement[] chosen = new Placement[n];
    if (!search(sorted, 0, 0, occupied, chosen, new HashSet<>())) {
      return Optional.empty();
    }
    Placement[] result = new Placement[n];
    for (int k = 0; k < n; k++) {
      result[order[k]] = chosen[k];
    }
    return Optional.of(List.of(result));
  }

  /**
   * Calls {@code visitor} with every way to place the items (one placement each, in the items'
   * order), each arrangement once; stops early when the visitor returns false.
   */
  static void forEach(
      List<List<Placement>> choices,
      long occupied,
      java.util.function.Predicate<List<Placement>> visitor) {
    int n = choices.size();
    Integer[] order = sortedOrder(choices);
    List<List<Placement>> sorted = new ArrayList<>(n);
    for (Integer i : order) {
      sorted.add(choices.get(i));
    }
    Placement[] chosen = new Placement[n];
    enumerate(
        sorted,
        0,
        0,
        occupied,
        chosen,
        () -> {
          Placement[] result = new Placement[n];
          for (int k = 0; k < n; k++) {
            result[order[k]] = chosen[k];
          }
          return visitor.test(List.of(result));
        });
  }

  /** Item indices, largest placements first, equal placement lists next to each other. */
  private static Integer[] sortedOrder(List<List<Placement>> choices) {
    int n = choices.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
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
    boolean next();
  }

  private static boolean enumerate(
      List<List<Placement>> items,
      int pos,
      int minChoice,
      long occupied,
      Placement[] chosen,
      Visit visit) {
    if (pos == items.size()) {
      return visit.next();
    }
    List<Placement> options = items.get(pos);
    boolean sameAsNext = pos + 1 < items.size() && items.get(pos + 1).equals(options);
    for (int c = minChoice; c < options.size(); c++) {
      Placement p = options.get(c);
      if ((p.mask() & occupied) != 0) {
        continue;
      }
      chosen[pos] = p;
      if (!enumerate(items, pos + 1, sameAsNext ? c + 1 : 0, occupied | p.mask(), chosen, visit)) {
        return false;
      }
    }
    return true;
  }

  private static boolean search(
      List<List<Placement>> items,
      int pos,
      int minChoice,
      long occupied,
      Placement[] chosen,
      Set<Long> deadEnds) {
    if (pos == items.size()) {
      return true;
    }
    long key = ((long) pos << 48) | ((long) minChoice << 40) | occupied;
    if (deadEnds.contains(key)) {
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
      if (search(items, pos + 1, sameAsNext ? c + 1 : 0, occupied | p.mask(), chosen, deadEnds)) {
        return true;
      }
    }
    deadEnds.add(key);
    return false;
  }
}
