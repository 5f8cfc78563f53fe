package io.migctl.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimProfiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** Candidate static layouts (as slice sizes, largest first) for the best-static baseline. */
public final class Layouts {

  private Layouts() {}

  /** Every distinct maximal layout of {@code model}, for traces without MISO's list. */
  public static List<List<Integer>> maximal(GpuModel model) {
    return SimProfiles.of(model).maximalLayouts();
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
