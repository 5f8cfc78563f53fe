package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlacementTest {

  @Test
  void parsesStartAndSize() {
    assertThat(Placement.parse("4:4")).isEqualTo(new Placement(4, 4));
    assertThat(Placement.parse(" 6 : 2 ")).isEqualTo(new Placement(6, 2));
    assertThat(Placement.parse("0:8")).hasToString("0:8").returns(8, Placement::end);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "44", "4", "a:4", "4:", ":4", "4:4:4", "4;4", "99999999999:1"})
  void rejectsWhatIsNotStartColonSize(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Placement.parse(text))
        .withMessageContaining("\"" + text + "\"")
        .withMessageContaining("start:size");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1:2", "4:0", "4:-1", "32:1", "31:2"})
  void rejectsPlacementsOffTheAxis(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> Placement.parse(text));
  }

  @ParameterizedTest
  @CsvSource({
    "0:4, 2:2, true",
    "0:4, 3:1, true",
    "0:4, 4:4, false",
    "4:4, 0:4, false",
    "0:8, 7:1, true",
    "6:2, 5:1, false",
    "2:2, 2:2, true"
  })
  void overlapsIsSymmetric(String a, String b, boolean overlap) {
    Placement p = Placement.parse(a);
    Placement q = Placement.parse(b);
    assertThat(p.overlaps(q)).isEqualTo(overlap);
    assertThat(q.overlaps(p)).isEqualTo(overlap);
    assertThat(p.intersection(q) != null).isEqualTo(overlap);
  }

  @Test
  void intersectionIsTheCommonSlices() {
    assertThat(Placement.parse("0:4").intersection(Placement.parse("2:4")))
        .isEqualTo(Placement.parse("2:2"));
    assertThat(Placement.parse("0:8").intersection(Placement.parse("6:2")))
        .isEqualTo(Placement.parse("6:2"));
    assertThat(Placement.parse("3:1").intersection(Placement.parse("0:4")))
        .isEqualTo(Placement.parse("3:1"));
    assertThat(Placement.parse("0:4").intersection(Placement.parse("4:4"))).isNull();
  }

  @Test
  void maskHasOneBitPerSlice() {
    assertThat(Placement.parse("0:1").mask()).isEqualTo(0b1L);
    assertThat(Placement.parse("4:4").mask()).isEqualTo(0b1111_0000L);
    assertThat(Placement.parse("6:2").mask()).isEqualTo(0b1100_0000L);
    assertThat(Placement.parse("0:8").mask()).isEqualTo(0xFFL);
    assertThat(new Placement(0, Placement.MAX_SLICES).mask()).isEqualTo(0xFFFF_FFFFL);
    assertThat(new Placement(31, 1).mask()).isEqualTo(1L << 31);
  }

  @Test
  void slicesTextNamesTheCoveredSlices() {
    assertThat(Placement.parse("4:1").slicesText()).isEqualTo("4");
    assertThat(Placement.parse("4:4").slicesText()).isEqualTo("4-7");
    assertThat(Placement.parse("2:2").slicesText()).isEqualTo("2-3");
  }

  @Test
  void ordersByStartThenSize() {
    List<Placement> placements =
        new ArrayList<>(
            List.of(
                Placement.parse("4:4"),
                Placement.parse("0:8"),
                Placement.parse("4:1"),
                Placement.parse("0:1"),
                Placement.parse("2:2")));
    placements.sort(null);
    assertThat(placements)
        .containsExactly(
            Placement.parse("0:1"),
            Placement.parse("0:8"),
            Placement.parse("2:2"),
            Placement.parse("4:1"),
            Placement.parse("4:4"));
    assertThat(Placement.parse("2:2").compareTo(Placement.parse("2:2"))).isZero();
  }
}
