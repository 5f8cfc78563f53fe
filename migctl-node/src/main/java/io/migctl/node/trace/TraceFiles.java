package io.migctl.node.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Reads the JSON files of a trace, with errors that name the file. */
final class TraceFiles {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TraceFiles() {}

  /**
   * The file's content as {@code type}.
   *
   * @throws IOException when it cannot be read or is not JSON of that shape, naming the file
   */
  static <T> T read(Path file, TypeReference<T> type) throws IOException {
    try {
      return JSON.readValue(file.toFile(), type);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": " + e.getOriginalMessage(), e);
    }
  }
}
