package io.migctl.fuzz;

import io.migctl.core.input.Utf8Text;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The property every reader of user input must hold, whatever the bytes: it gives a value, or it
 * refuses with an {@link IllegalArgumentException} whose message a person can act on. Any other
 * exception (a stack overflow, a null pointer, an index out of bounds, a Java text leaking into a
 * message) is a finding: the test fails and Jazzer keeps the input.
 */
final class Refusals {

  private Refusals() {}

  /**
   * Texts that only Java's own exceptions write. A message may still hold one where it quotes the
   * input, so they are looked for outside the message's quoted values, and count only when the
   * input itself (whitespace collapsed, as messages quote it) does not hold them.
   */
  private static final List<String> JAVA_TEXTS =
      List.of(
          "Exception",
          "java.lang",
          "java.util",
          "java.io",
          "java.nio",
          "For input string",
          "Input length =",
          "out of bounds for length",
          "Cannot invoke",
          "\tat ");

  /**
   * Decodes {@code input} as a file's text (strict UTF-8, bounded size) and reads it with {@code
   * read}; both a decoding refusal and a reader's refusal are fine, anything else is a finding.
   *
   * @param source how the reader is asked to name the input, which every refusal must mention
   */
  static void readText(String source, byte[] input, Consumer<String> read) {
    valueOrRefusal(
        source,
        new String(input, StandardCharsets.UTF_8),
        () -> read.accept(Utf8Text.decode(input, source)));
  }

  /**
   * Runs {@code read}: a value, or a refusal with a clean message naming {@code source}.
   *
   * @param input the input as text, so that a message quoting it is not taken for a leak
   */
  static void valueOrRefusal(String source, String input, Runnable read) {
    try {
      read.run();
    } catch (IllegalArgumentException refusal) {
      check(refusal, source, input);
    }
  }

  /** Runs {@code read} on {@code input}: a value, or a refusal with a clean message. */
  static void valueOrRefusal(String input, Runnable read) {
    valueOrRefusal("", input, read);
  }

  private static void check(IllegalArgumentException refusal, String source, String input) {
    String message = refusal.getMessage();
    if (message == null || message.isBlank()) {
      throw new AssertionError("a refusal without a message", refusal);
    }
    String collapsed = input.replaceAll("\\s+", " ");
    String unquoted = message.replaceAll("\"[^\"]*\"", "\"…\"");
    for (String javaText : JAVA_TEXTS) {
      if (unquoted.contains(javaText)
          && !input.contains(javaText)
          && !collapsed.contains(javaText)) {
        throw new AssertionError(
            "a refusal leaks Java's own text (\"" + javaText + "\"): " + message, refusal);
      }
    }
    for (Throwable cause = refusal.getCause(); cause != null; cause = cause.getCause()) {
      String own = cause.getMessage();
      boolean ours = thrownByMigctl(cause);
      if (!ours && own != null && own.length() > 8 && message.contains(own)) {
        throw new AssertionError(
            "a refusal repeats the message of a " + cause.getClass().getName() + ": " + message,
            refusal);
      }
    }
    if (!source.isEmpty() && !message.contains(source)) {
      throw new AssertionError("a refusal does not name its input " + source + ": " + message);
    }
  }

  /** Whether migctl's own code threw {@code e} (a library or the JDK wrote its message if not). */
  private static boolean thrownByMigctl(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("io.migctl.");
  }
}
