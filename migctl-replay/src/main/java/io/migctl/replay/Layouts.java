package io.migctl.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimProfiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;

/** Candidate static layouts (as slice sizes, largest first) for the best-static baseline. */
public final class Layouts {

  private Layouts() {}

  /** Every distinct maximal layout of {@code model}, for traces without MISO's list. */
  public static List<List<Integer>> maximal(GpuModel model) {
    SimProfiles p = SimProfiles.of(model);
    List<List<Integer>> out = new ArrayList<>();
    for (var layout : p.additions(List.of())) {
      List<Integer> sizes = new ArrayList<>();
      int used = 0;
      for (var i : layout) {
        sizes.add(i.profile().computeSlices());
        used += i.profile().computeSlices();
      }
      sizes.sort(Comparator.reverseOrder());
      boolean maximal = true;
      for (var q : p.profiles()) {
        if (q.computeSlices() <= model.computeSlices() - used) {
          List<Integer> more = new ArrayList<>(sizes);
          more.add(q.computeSlices());
          try {
            p.layout(more);
            maximal = false;
            break;
          } catch (IllegalArgumentException e) {
            // does not fit: try the next
          }
        }
      }
      if (maximal && !out.contains(sizes)) {
        out.add(sizes);
      }
    }
    return out;
  }

  /** MISO's layouts, {@code partition_code.json} in {@code dir} (code → list of slice sizes). */
  public static List<List<Integer>> miso(Path dir) throws IOException {
    return List.copyOf(
        TraceFiles.read(
                dir.resolve("partition_code.json"),
                new TypeReference<LinkedHashMap<String, List<Integer>>>() {})
            .values());
  }
}
