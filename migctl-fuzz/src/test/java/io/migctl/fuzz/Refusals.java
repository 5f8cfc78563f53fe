package io.migctl.fuzz;

import io.migctl.core.input.Utf8Text;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The property every reader of user input must hold, whatever the bytes: it gives a value, or it
 * refuses with an {@link IllegalArgumentException} whose message a person can act on. Any other
 * exception (a stack overflow, a null pointer, an index out of bounds, a Java text leaking into a
 * message) is a finding: the test fails and Jazzer keeps the input.
 */
public final class Refusals {

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
  public static void readText(String source, byte[] input, Consumer<String> read) {
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
  public static void valueOrRefusal(String source, String input, Runnable read) {
    try {
      read.run();
    } catch (IllegalArgumentException refusal) {
      check(refusal, source, input);
    }
  }

  /** Runs {@code read} on {@code input}: a value, or a refusal with a clean message. */
  public static void valueOrRefusal(String input, Runnable read) {
    valueOrRefusal("", input, read);
  }

  /**
   * Checks a refusal's message: not blank, no Java text that the input did not bring, no message of
   * a library's or the JDK's exception repeated, and {@code source} named unless it is empty.
   */
  public static void check(RuntimeException refusal, String source, String input) {
    String message = refusal.getMessage();
    if (message == null || message.isBlank()) {
      throw new AssertionError("a refusal without a message", refusal);
    }
    // Readers may quote the input changed (lower-cased, spaces collapsed): compare it that way.
    String collapsed = input.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    String unquoted = message.replaceAll("\"[^\"]*\"", "\"…\"");
    for (String javaText : JAVA_TEXTS) {
      if (unquoted.contains(javaText)
          && !input.contains(javaText)
          && !collapsed.contains(javaText.toLowerCase(Locale.ROOT))) {
        throw new AssertionError(
            "a refusal leaks Java's own text (\"" + javaText + "\"): " + message, refusal);
      }
    }
    for (Throwable cause = refusal.getCause(); cause != null; cause = cause.getCause()) {
      String own = cause.getMessage();
      if (thrownByJdk(cause) && own != null && own.length() > 8 && message.contains(own)) {
        throw new AssertionError(
            "a refusal repeats the JDK's message of a "
                + cause.getClass().getName()
                + ": "
                + message,
            refusal);
      }
    }
    if (!source.isEmpty() && !message.contains(source)) {
      throw new AssertionError("a refusal does not name its input " + source + ": " + message);
    }
  }

  /**
   * Whether the JDK itself threw {@code e}, so that its message is Java's ({@code For input string:
   * "x"}, {@code Input length = 3}). The YAML and JSON libraries' problems ("mapping values are not
   * allowed here") are worded for people and may be passed on with the place they were found.
   */
  private static boolean thrownByJdk(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    if (trace.length == 0) {
      return false;
    }
    String thrower = trace[0].getClassName();
    return thrower.startsWith("java.") || thrower.startsWith("jdk.") || thrower.startsWith("sun.");
  }
}
