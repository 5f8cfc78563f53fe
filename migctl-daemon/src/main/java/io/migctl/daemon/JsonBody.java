package io.migctl.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.migctl.core.input.InvalidTextException;
import io.migctl.core.input.Utf8Text;
import io.migctl.input.LimitedJson;
import java.io.IOException;

/**
 * Reads a request body into one of the API's request records, strictly: the bytes are UTF-8, the
 * text is exactly one JSON object within the input bounds, no key is given twice, every field is
 * known and has the JSON type of its record component (no number for a string, no string for a
 * number or boolean, no fraction for a whole number, no null inside a list or map). See {@link
 * io.migctl.input.LimitedJson} for the rules and the words of the messages.
 */
final class JsonBody {

  private static final String SOURCE = "request body";

  /** A reader for each request record, built once (a reader per call costs a lookup each). */
  private static final ClassValue<ObjectReader> READERS =
      new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
          return DaemonJson.MAPPER.readerFor(type);
        }
      };

  private JsonBody() {}

  /**
   * The request {@code body} as a {@code type}.
   *
   * @throws DaemonException {@code invalid} (400) saying what is wrong and where: {@code request
   *     body: not UTF-8 text at byte 7; …}, {@code command[0]: expected a string, got the number
   *     123}
   */
  static <T> T read(byte[] body, Class<T> type) {
    try {
      String text = Utf8Text.decode(body, SOURCE);
      if (text.isBlank()) {
        throw DaemonException.invalid("the request has no body; send a JSON object");
      }
      T once = inOnePass(text, type);
      if (once != null) {
        return once;
      }
      // Not a valid request: read it again as a tree, to say what is wrong and where.
      JsonNode tree = LimitedJson.readTree(DaemonJson.MAPPER, text, SOURCE);
      if (tree.isNull()) {
        throw DaemonException.invalid("the body is JSON null; send a JSON object");
      }
      if (!tree.isObject()) {
        throw DaemonException.invalid(
            "wrong type at the top level: the body is "
                + LimitedJson.describe(tree)
                + "; send a JSON object");
      }
      return LimitedJson.convert(DaemonJson.MAPPER, tree, type, "");
    } catch (InvalidTextException e) {
      throw DaemonException.invalid(e.getMessage());
    }
  }

  /**
   * {@code text} bound to {@code type} straight from the parser, which keeps the same bounds and
   * rules (the mapper also refuses trailing text); {@code null} when that fails or the text is JSON
   * null, and the caller reads it again to explain.
   */
  private static <T> T inOnePass(String text, Class<T> type) {
    try {
      return READERS.get(type).readValue(text, type);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
