package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

  @Test
  void padsColumnsAndRightAlignsTheNumbers() {
    String table =
        new MarkdownTable(1, "what", "n").row("baseline", "1234").row("daemon", "5").render();
    assertThat(table)
        .isEqualTo(
            """
            | what     |    n |
            | -------- | ---: |
            | baseline | 1234 |
            | daemon   |    5 |
            """);
  }

  @Test
  void refusesRowsOfTheWrongWidth() {
    MarkdownTable t = new MarkdownTable(1, "a", "b");
    assertThatThrownBy(() -> t.row("x")).hasMessage("a row needs 2 cells, got 1");
    assertThatThrownBy(() -> new MarkdownTable(3, "a", "b")).hasMessageContaining("textColumns");
  }

  @Test
  void formatsRatiosMillisecondsAndWholeNumbers() {
    assertThat(MarkdownTable.ratio(1, 1)).isEqualTo("1.00×");
    assertThat(MarkdownTable.ratio(1, 3)).isEqualTo("0.33×");
    assertThat(MarkdownTable.ratio(123, 10)).isEqualTo("12.3×");
    assertThat(MarkdownTable.ratio(1234, 10)).isEqualTo("123×");
    assertThat(MarkdownTable.ratio(1, 0)).isEqualTo("n/a");
    assertThat(MarkdownTable.ratio(1, Double.NaN)).isEqualTo("n/a");
    assertThat(MarkdownTable.millis(1_234_567)).isEqualTo("1.23");
    assertThat(MarkdownTable.whole(99.6)).isEqualTo("100");
  }
}
