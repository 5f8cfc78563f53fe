package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The valid combinations NVIDIA's MIG user guide draws, in units of g (compute slices), must all be
 * placeable, and so must every part of them.
 */
class FigureCombinationsTest {

  /**
   * The 19 rows of shared/reference/mig/user-guide-figures/a100_valid-combinations_fig11.png, left
   * to right (Figures 12-14 for H100, H200 and B200 draw the same shapes); see mig-profiles.md
   * §4.2.
   */
  private static final List<String> EIGHT_SLICE_FIGURE_ROWS =
      List.of(
          "7",
          "4+3",
          "4+2+1",
          "4+1+1+1",
          "3+3",
          "3+2+1",
          "3+1+1+1",
          "2+2+3",
          "2+1+1+3",
          "1+1+2+3",
          "1+1+1+1+3",
          "2+2+2+1",
          "2+1+1+2+1",
          "1+1+2+2+1",
          "2+1+1+1+1+1",
          "1+1+2+1+1+1",
          "1+1+1+1+2+1",
          "1+1+1+1+1+2",
          "1+1+1+1+1+1+1");

  /** The 5 rows of shared/reference/mig/user-guide-figures/a30_valid-combinations_fig10.png. */
  private static final List<String> A30_FIGURE_ROWS =
      List.of("4", "2+2", "2+1+1", "1+1+2", "1+1+1+1");

  static Stream<Arguments> eightSliceModels() {
    return slicedModels(8);
  }

  /** The A30 and the RTX PRO 6000, whose placements the catalog takes from the A30's. */
  static Stream<Arguments> fourSliceModels() {
    return slicedModels(4);
  }

  private static Stream<Arguments> slicedModels(int memorySlices) {
    return Catalog.models().stream()
        .filter(m -> m.memorySlices() == memorySlices)
        .map(m -> argumentSet(m.key(), m));
  }

  @Test
  void figureRowsAreTheDocumentedMultisets() {
    Set<List<Integer>> distinct = new LinkedHashSet<>();
    EIGHT_SLICE_FIGURE_ROWS.forEach(row -> distinct.add(sorted(parse(row))));
    assertThat(EIGHT_SLICE_FIGURE_ROWS).hasSize(19);
    assertThat(distinct).hasSize(14);
    assertThat(A30_FIGURE_ROWS).hasSize(5);
  }

  @Test
  void everyCatalogModelHasEightOrFourSlicesOfEachKind() {
    assertThat(Catalog.models())
        .allSatisfy(
            m -> {
              assertThat(m.memorySlices()).as(m.key()).isIn(4, 8);
              assertThat(m.computeSlices()).as(m.key()).isEqualTo(m.memorySlices() == 8 ? 7 : 4);
            });
    assertThat(fourSliceModels().map(a -> (GpuModel) a.get()[0]))
        .contains(Catalog.A30_24GB, CatalogRtxPro.SERVER);
    assertThat(eightSliceModels()).hasSize(Catalog.models().size() - 4);
  }

  @ParameterizedTest
  @MethodSource("eightSliceModels")
  void everyDrawnCombinationAndEveryPartOfItIsPlaceable(GpuModel model) {
    assertAllPlaceable(model, EIGHT_SLICE_FIGURE_ROWS);
  }

  @ParameterizedTest
  @MethodSource("fourSliceModels")
  void everyDrawnA30CombinationAndEveryPartOfItIsPlaceable(GpuModel model) {
    assertAllPlaceable(model, A30_FIGURE_ROWS);
  }

  @ParameterizedTest
  @MethodSource("eightSliceModels")
  void combinationsBeyondTheFiguresAreUnplaceable(GpuModel model) {
    for (String combination : List.of("4+4", "3+3+1", "2+2+2+2", "7+1", "4+3+1", "3+2+2+1")) {
      assertUnplaceable(model, combination);
    }
  }

  @ParameterizedTest
  @MethodSource("fourSliceModels")
  void a30CombinationsBeyondTheFigureAreUnplaceable(GpuModel model) {
    for (String combination : List.of("4+1", "2+2+1", "2+2+2", "1+1+1+1+1", "4+4")) {
      assertUnplaceable(model, combination);
    }
  }

  private static void assertAllPlaceable(GpuModel model, List<String> rows) {
    PlacementSearch search = new PlacementSearch(model);
    Set<List<Integer>> combinations = new LinkedHashSet<>();
    for (String row : rows) {
      combinations.addAll(subMultisets(parse(row)));
    }
    for (List<Integer> combination : combinations) {
      Map<GpuInstanceProfile, Integer> counts = counts(model, combination);
      Feasibility result = search.place(counts);
      String what = model.key() + " " + combination;
      assertThat(result)
          .as(what)
          .isInstanceOfSatisfying(
              Feasibility.Placeable.class,
              placeable -> {
                LayoutCheck check = new Layout(placeable.placed()).checkOn(model);
                assertThat(check.isValid()).as("%s: %s", what, check.message()).isTrue();
                assertThat(countsOf(placeable.placed())).as(what).isEqualTo(counts);
              });
    }
  }

  private static void assertUnplaceable(GpuModel model, String combination) {
    Feasibility result = new PlacementSearch(model).place(counts(model, parse(combination)));
    assertThat(result)
        .as("%s on %s", combination, model.key())
        .isInstanceOfSatisfying(
            Feasibility.Unplaceable.class, u -> assertThat(u.reason()).isNotBlank());
  }

  /** The plain profile of {@code g} compute slices: no media extensions, fewest memory slices. */
  private static GpuInstanceProfile plain(GpuModel model, int g) {
    return model.profiles().stream()
        .filter(p -> p.computeSlices() == g && !p.hasMediaExtensions())
        .min((a, b) -> Integer.compare(a.memorySlices(), b.memorySlices()))
        .orElseThrow(() -> new AssertionError(model.key() + " has no " + g + "g profile"));
  }

  private static Map<GpuInstanceProfile, Integer> counts(GpuModel model, List<Integer> gs) {
    Map<GpuInstanceProfile, Integer> counts = new HashMap<>();
    gs.forEach(g -> counts.merge(plain(model, g), 1, Integer::sum));
    return counts;
  }

  private static Map<GpuInstanceProfile, Integer> countsOf(List<PlacedInstance> placed) {
    Map<GpuInstanceProfile, Integer> counts = new HashMap<>();
    placed.forEach(p -> counts.merge(p.profile(), 1, Integer::sum));
    return counts;
  }

  private static List<Integer> parse(String row) {
    return Arrays.stream(row.split("\\+")).map(Integer::valueOf).toList();
  }

  private static List<Integer> sorted(List<Integer> gs) {
    return gs.stream().sorted().toList();
  }

  /** Every sub-multiset, the empty one and the whole included, each sorted. */
  private static Set<List<Integer>> subMultisets(List<Integer> gs) {
    Set<List<Integer>> out = new LinkedHashSet<>();
    for (int mask = 0; mask < 1 << gs.size(); mask++) {
      List<Integer> part = new ArrayList<>();
      for (int i = 0; i < gs.size(); i++) {
        if ((mask & (1 << i)) != 0) {
          part.add(gs.get(i));
        }
      }
      out.add(sorted(part));
    }
    return out;
  }
}
