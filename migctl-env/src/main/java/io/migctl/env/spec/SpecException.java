package io.migctl.env.spec;

import java.io.Serial;

/**
 * An environment file is wrong. The message reads {@code source:line: element: problem; accepted:
 * what is accepted}, e.g. {@code environment.yml:27: dependencies[26]: MatchSpec "setuptools
 * <59.6.": version "59.6." has an empty component …; accepted: name, name=1.2, …}. The line is left
 * out when unknown.
 */
public final class SpecException extends IllegalArgumentException {

  @Serial private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String element;

  /**
   * @param source names the file
   * @param line 1-based line, 0 when unknown
   * @param element where in the file: a key, {@code dependencies[3]}, {@code variables.FOO}
   * @param problem what is wrong
   * @param accepted what would be accepted there; empty when the problem already says it
   */
  public SpecException(String source, int line, String element, String problem, String accepted) {
    this(source, line, element, problem, accepted, null);
  }

  public SpecException(
      String source, int line, String element, String problem, String accepted, Throwable cause) {
    super(message(source, line, element, problem, accepted), cause);
    this.source = source;
    this.line = line;
    this.element = element;
  }

  /** The file, as the caller named it. */
  public String source() {
    return source;
  }

  /** The 1-based line of the problem, 0 when unknown. */
  public int line() {
    return line;
  }

  /** Where in the file: a key, {@code dependencies[3]}, {@code variables.FOO}, or {@code file}. */
  public String element() {
    return element;
  }

  /** {@code source:line: element: problem; accepted: accepted}, as the message reads. */
  static String message(String source, int line, String element, String problem, String accepted) {
    StringBuilder out = new StringBuilder(source);
    if (line > 0) {
      out.append(':').append(line);
    }
    out.append(": ").append(element).append(": ").append(problem);
    if (accepted != null && !accepted.isEmpty()) {
      out.append("; accepted: ").append(accepted);
    }
    return out.toString();
  }
}
