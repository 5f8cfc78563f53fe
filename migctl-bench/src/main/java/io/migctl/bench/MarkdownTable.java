package io.migctl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown table whose columns are padded to line up in a terminal too. The first {@code
 * textColumns} columns are left-aligned, the others (numbers) right-aligned.
 */
final class MarkdownTable {

  private final List<String> headers;
  private final int textColumns;
  private final List<List<String>> rows = new ArrayList<>();

  MarkdownTable(int textColumns, String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    if (textColumns < 0 || textColumns > headers.length) {
      throw new IllegalArgumentException(
          "textColumns must lie between 0 and " + headers.length + ", was " + textColumns);
    }
    this.headers = List.of(headers);
    this.textColumns = textColumns;
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException when it has not one cell per column
   */
  MarkdownTable row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "a row needs " + headers.size() + " cells, got " + cells.length);
    }
    rows.add(List.of(cells));
    return this;
  }

  /** The table, one line per row, each ending in a newline. */
  String render() {
    int[] width = new int[headers.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = Math.max(3, headers.get(c).length());
      for (List<String> r : rows) {
        width[c] = Math.max(width[c], r.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, headers, width);
    b.append('|');
    for (int c = 0; c < width.length; c++) {
      b.append(' ');
      if (c < textColumns) {
        b.append("-".repeat(width[c]));
      } else {
        b.append("-".repeat(width[c] - 1)).append(':');
      }
      b.append(" |");
    }
    b.append('\n');
    for (List<String> r : rows) {
      line(b, r, width);
    }
    return b.toString();
  }

  private void line(StringBuilder b, List<String> cells, int[] width) {
    b.append('|');
    for (int c = 0; c < width.length; c++) {
      String cell = cells.get(c);
      String pad = " ".repeat(width[c] - cell.length());
      b.append(' ').append(c < textColumns ? cell + pad : pad + cell).append(" |");
    }
    b.append('\n');
  }

  /** {@code value / baseline} as e.g. {@code 0.42×}, or {@code n/a} when the baseline is 0. */
  static String ratio(double value, double baseline) {
    if (baseline == 0 || Double.isNaN(baseline) || Double.isNaN(value)) {
      return "n/a";
    }
    double r = value / baseline;
    return String.format(Locale.ROOT, r >= 100 ? "%.0f×" : r >= 10 ? "%.1f×" : "%.2f×", r);
  }

  /** Nanoseconds as milliseconds with two decimals, e.g. {@code 1.25}. */
  static String millis(double nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  /** A whole number with no grouping, e.g. {@code 1234}. */
  static String whole(double value) {
    return String.format(Locale.ROOT, "%.0f", value);
  }
}
