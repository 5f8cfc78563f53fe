package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.migctl.core.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link PlacementSearch} against a brute force that tries every assignment of placements,
 * on random profile multisets (with +me and two-memory-slice profiles) beside random valid layouts.
 * Replay a failure with {@code -Dmigctl.seed=<seed>}.
 */
class PlacementSearchModelTest {

  private static final int CASES_PER_MODEL = 2000;
  private static final int MAX_INSTANCES = 8;

  static Stream<Arguments> models() {
    return Catalog.models().stream().map(m -> argumentSet(m.key(), m));
  }

  @ParameterizedTest
  @MethodSource("models")
  void agreesWithBruteForce(GpuModel model) {
    long seed = Seeds.seed();
    Random random = new Random(seed ^ model.key().hashCode());
    PlacementSearch search = new PlacementSearch(model);
    int placeable = 0;
    for (int n = 0; n < CASES_PER_MODEL; n++) {
      List<PlacedInstance> existing =
          random.nextInt(3) == 0 ? randomValidLayout(model, random) : List.of();
      List<GpuInstanceProfile> wanted = new ArrayList<>();
      int size = random.nextInt(MAX_INSTANCES + 1);
      for (int i = 0; i < size; i++) {
        wanted.add(randomProfile(model, random));
      }
      Map<GpuInstanceProfile, Integer> counts = shuffledCounts(wanted, random);
      String what =
          String.format(
              "seed %d, %s case %d: place %s beside %s", seed, model.key(), n, counts, existing);

      boolean expected = bruteForcePlaceable(existing, wanted);
      Feasibility actual = search.place(existing, counts);

      assertThat(actual.isPlaceable()).as("%s -> %s", what, actual).isEqualTo(expected);
      if (actual instanceof Feasibility.Placeable(List<PlacedInstance> placed)) {
        placeable++;
        assertThat(countsOfPlaced(placed)).as(what).isEqualTo(countsOf(wanted));
        List<PlacedInstance> all = new ArrayList<>(existing);
        all.addAll(placed);
        LayoutCheck check = new Layout(all).checkOn(model);
        assertThat(check.isValid()).as("%s: %s", what, check.message()).isTrue();
      } else if (actual instanceof Feasibility.Unplaceable(String reason)) {
        assertThat(reason).as(what).isNotBlank();
      }
    }
    // The generator must exercise both answers, or the comparison proves little.
    assertThat(placeable)
        .as("seed %d, %s: placeable cases", seed, model.key())
        .isBetween(CASES_PER_MODEL / 10, CASES_PER_MODEL * 9 / 10);
  }

  @ParameterizedTest
  @MethodSource("models")
  void remainingCapacityIsTheMostThatStillFit(GpuModel model) {
    long seed = Seeds.seed();
    Random random = new Random(seed ^ ~model.key().hashCode());
    PlacementSearch search = new PlacementSearch(model);
    for (int n = 0; n < CASES_PER_MODEL / 4; n++) {
      List<PlacedInstance> existing = n == 0 ? List.of() : randomValidLayout(model, random);
      for (GpuInstanceProfile p : model.profiles()) {
        int expected = 0;
        for (int k = 0; k <= p.maxCount(); k++) {
          if (bruteForcePlaceable(existing, Collections.nCopies(k, p))) {
            expected = k;
          }
        }
        assertThat(search.remainingCapacity(existing, p))
            .as("seed %d, %s case %d: free %s beside %s", seed, model.key(), n, p.name(), existing)
            .isEqualTo(expected);
      }
    }
  }

  /**
   * Whether {@code wanted} fits beside {@code existing}: some choice of one placement per instance
   * overlaps nothing, no profile exceeds its max count, at most one instance has +me, and beside a
   * +me.all instance there are only -me ones.
   */
  private static boolean bruteForcePlaceable(
      List<PlacedInstance> existing, List<GpuInstanceProfile> wanted) {
    Map<GpuInstanceProfile, Integer> counts = new HashMap<>();
    int media = 0;
    boolean[] taken = new boolean[Placement.MAX_SLICES];
    for (PlacedInstance inst : existing) {
      counts.merge(inst.profile(), 1, Integer::sum);
      media += inst.profile().hasMediaExtensions() ? 1 : 0;
      take(taken, inst.placement(), true);
    }
    for (GpuInstanceProfile p : wanted) {
      counts.merge(p, 1, Integer::sum);
      media += p.hasMediaExtensions() ? 1 : 0;
    }
    if (media > 1) {
      return false;
    }
    List<GpuInstanceProfile> all = new ArrayList<>(wanted);
    existing.forEach(inst -> all.add(inst.profile()));
    long allMedia = all.stream().filter(p -> p.name().attributes().contains("+me.all")).count();
    long withoutMedia = all.stream().filter(p -> p.name().attributes().contains("-me")).count();
    if (allMedia > 0 && allMedia + withoutMedia < all.size()) {
      return false;
    }
    for (Map.Entry<GpuInstanceProfile, Integer> e : counts.entrySet()) {
      if (e.getValue() > e.getKey().maxCount()) {
        return false;
      }
    }
    return assign(wanted, 0, taken);
  }

  /** Tries every placement of instance {@code i}, then the rest; prunes on overlap. */
  private static boolean assign(List<GpuInstanceProfile> wanted, int i, boolean[] taken) {
    if (i == wanted.size()) {
      return true;
    }
    for (Placement p : wanted.get(i).placements()) {
      if (isFree(taken, p)) {
        take(taken, p, true);
        boolean found = assign(wanted, i + 1, taken);
        take(taken, p, false);
        if (found) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isFree(boolean[] taken, Placement p) {
    for (int s = p.start(); s < p.start() + p.size(); s++) {
      if (taken[s]) {
        return false;
      }
    }
    return true;
  }

  private static void take(boolean[] taken, Placement p, boolean value) {
    for (int s = p.start(); s < p.start() + p.size(); s++) {
      taken[s] = value;
    }
  }

  /**
   * A random layout, valid by the brute force's rules: instances at free placements, added while
   * counts and +me allow.
   */
  private static List<PlacedInstance> randomValidLayout(GpuModel model, Random random) {
    List<PlacedInstance> layout = new ArrayList<>();
    int attempts = random.nextInt(6);
    for (int a = 0; a < attempts; a++) {
      GpuInstanceProfile p = randomProfile(model, random);
      List<PlacedInstance> current = layout;
      List<Placement> free =
          p.placements().stream()
              .filter(at -> current.stream().noneMatch(i -> collide(i.placement(), at)))
              .toList();
      if (free.isEmpty()) {
        continue;
      }
      List<PlacedInstance> candidate = new ArrayList<>(layout);
      candidate.add(new PlacedInstance(p, free.get(random.nextInt(free.size()))));
      if (bruteForcePlaceable(candidate, List.of())) {
        layout = candidate;
      }
    }
    assertThat(new Layout(layout).checkOn(model).isValid())
        .as("the generated layout %s is valid", layout)
        .isTrue();
    return List.copyOf(layout);
  }

  private static boolean collide(Placement a, Placement b) {
    return a.start() < b.start() + b.size() && b.start() < a.start() + a.size();
  }

  private static GpuInstanceProfile randomProfile(GpuModel model, Random random) {
    return model.profiles().get(random.nextInt(model.profiles().size()));
  }

  /** Counts in a random insertion order: the search must not depend on it. */
  private static Map<GpuInstanceProfile, Integer> shuffledCounts(
      List<GpuInstanceProfile> wanted, Random random) {
    List<GpuInstanceProfile> order = new ArrayList<>(wanted);
    Collections.shuffle(order, random);
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    order.forEach(p -> counts.merge(p, 1, Integer::sum));
    return counts;
  }

  private static Map<GpuInstanceProfile, Integer> countsOf(List<GpuInstanceProfile> profiles) {
    Map<GpuInstanceProfile, Integer> counts = new HashMap<>();
    profiles.forEach(p -> counts.merge(p, 1, Integer::sum));
    return counts;
  }

  private static Map<GpuInstanceProfile, Integer> countsOfPlaced(List<PlacedInstance> placed) {
    return countsOf(placed.stream().map(PlacedInstance::profile).toList());
  }
}
