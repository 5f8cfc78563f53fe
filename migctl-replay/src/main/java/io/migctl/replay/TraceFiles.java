package io.migctl.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.input.InvalidTextException;
import io.migctl.input.LimitedJson;
import io.migctl.input.TextFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the JSON files of a trace, each a JSON object (MISO's {@code trace_100.json} and {@code
 * job_models.json}, 3 KB for 100 jobs) within the input bounds of every file migctl reads: at most
 * 4 MiB, 64 levels deep, strictly UTF-8 and strict JSON; errors name the file.
 */
final class TraceFiles {

  private static final ObjectMapper JSON = LimitedJson.mapper();

  private TraceFiles() {}

  /**
   * The file's content as {@code type}.
   *
   * @throws io.migctl.core.input.InvalidTextException when it is not JSON of that shape or exceeds
   *     the bounds, naming the file and where in it
   * @throws IOException when it cannot be read
   */
  static <T> T read(Path file, TypeReference<T> type) throws IOException {
    String source = file.toString();
    JsonNode tree = LimitedJson.readTree(JSON, TextFiles.read(file, source), source);
    if (!tree.isObject()) {
      throw new InvalidTextException(
          source
              + ": the file holds "
              + LimitedJson.describe(tree)
              + "; MISO's trace files hold a JSON object, job index to value");
    }
    return LimitedJson.convert(JSON, tree, type, source + ": ");
  }
}
