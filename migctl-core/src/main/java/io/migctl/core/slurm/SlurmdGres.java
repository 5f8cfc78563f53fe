package io.migctl.core.slurm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One record of {@code slurmd -G} ("print the node's GRES configuration and exit"), as Slurm 22.05
 * writes it: {@code slurmd-<node>: Gres Name=gpu Type=1g.5gb Count=1 Index=31 ID=7696487
 * File=/dev/nvidia0,/dev/nvidia-caps/nvidia-cap30,/dev/nvidia-caps/nvidia-cap31 (null)}. The
 * records come in the order slurmd numbers its devices, so a record's position among the {@code
 * gpu} records is the GPU's index in {@code SLURM_JOB_GPUS}; the {@code Index=} field is only the
 * number that ends its last file and is not kept.
 *
 * @param name the generic resource, e.g. {@code gpu}
 * @param type its type, or empty text when untyped ({@code (null)})
 * @param count how many devices the record stands for
 * @param files its device files; empty when it has none
 */
public record SlurmdGres(String name, String type, long count, List<String> files) {

  private static final Pattern RECORD =
      Pattern.compile("Gres Name=(\\S+) Type=(\\S+) Count=(\\d+)\\b(.*)");
  private static final Pattern FILE = Pattern.compile("\\bFile=(\\S+)");

  public SlurmdGres {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    files = List.copyOf(files);
  }

  /**
   * The records in {@code slurmd -G}'s output, in order; other lines (errors, warnings) are
   * skipped, so callers that must refuse them look for them themselves.
   */
  public static List<SlurmdGres> parse(String output) {
    List<SlurmdGres> out = new ArrayList<>();
    for (String line : output.split("\n")) {
      Matcher m = RECORD.matcher(line);
      if (!m.find()) {
        continue;
      }
      Matcher f = FILE.matcher(m.group(4));
      List<String> files =
          f.find() && !f.group(1).equals("(null)")
              ? Arrays.asList(f.group(1).split(","))
              : List.of();
      String type = m.group(2).equals("(null)") ? "" : m.group(2);
      out.add(new SlurmdGres(m.group(1), type, Long.parseLong(m.group(3)), files));
    }
    return out;
  }
}
