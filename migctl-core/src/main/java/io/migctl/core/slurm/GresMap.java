package io.migctl.core.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code gres-map.tsv} as read back from disk (written by {@link NodeGres#mapTsv}): which MIG or
 * GPU UUID the task prolog gives for each Slurm GPU index.
 *
 * @param rows the rows in file order
 */
public record GresMap(List<Row> rows) {

  /**
   * One row.
   *
   * @param index Slurm's GPU index
   * @param uuid the UUID the task prolog exports for it
   * @param type the type the map was written with
   */
  public record Row(int index, String uuid, String type) {
    public Row {
      Objects.requireNonNull(uuid, "uuid");
      Objects.requireNonNull(type, "type");
    }
  }

  public GresMap {
    rows = List.copyOf(rows);
  }

  /**
   * Reads the map's text: comment ({@code #}) and blank lines are skipped, every other line has at
   * least index, UUID and type, tab-separated.
   *
   * @throws IllegalArgumentException naming the first line that is not such a row
   */
  public static GresMap parse(String text) {
    List<Row> rows = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] cols = line.split("\t");
      if (cols.length < 3 || !cols[0].matches("\\d{1,9}") || cols[1].isEmpty()) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + " of the GPU map is not 'index<TAB>uuid<TAB>type…': '"
                + line
                + "'; regenerate the map with 'migctl slurm gres -o DIR'");
      }
      rows.add(new Row(Integer.parseInt(cols[0]), cols[1], cols[2]));
    }
    return new GresMap(rows);
  }
}
