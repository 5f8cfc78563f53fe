package io.migctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/** Prints command output as JSON: indented, keys in the order the output records declare them. */
final class Json {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static void print(PrintWriter out, Object value) {
    try {
      out.println(MAPPER.writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot print " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * What a command given {@code --json} prints on standard output when it fails: {@code
   * {"error":{"code":"invalid-input","message":"…"},"exitCode":2}}. The code is {@code
   * invalid-input} (exit 2), {@code failure} (exit 1), {@code daemon-unreachable} (exit 3) or
   * {@code internal} (exit 1, a bug in migctl); the message is the one standard error shows.
   */
  record ErrorDocument(Error error, int exitCode) {

    /** The code and message. */
    record Error(String code, String message) {}

    static ErrorDocument of(String code, String message, int exitCode) {
      return new ErrorDocument(new Error(code, message), exitCode);
    }
  }
}
