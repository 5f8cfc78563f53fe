package io.migctl.core.input;

/**
 * User input that cannot be read as text of the expected shape: not UTF-8, too large, nested too
 * deeply. The message starts with the input's name (a file's path, {@code <stdin>}, {@code request
 * body}) and says what to fix; it never carries a Java exception's own text.
 */
public final class InvalidTextException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidTextException(String message) {
    super(message);
  }
}
