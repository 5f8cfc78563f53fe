package io.migctl.cli;

import io.migctl.input.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads the files users pass with {@code -f}; {@code -} is standard input. Within the bounds of
 * {@link TextFiles}: at most 4 MiB, strictly UTF-8.
 */
final class InputFiles {

  private InputFiles() {}

  /**
   * The text of {@code name}, or of {@code stdin} when the name is {@code -}.
   *
   * @throws InvalidInputException when the file cannot be read, naming it
   * @throws io.migctl.core.input.InvalidTextException when it is too large or not UTF-8, naming it
   */
  static String read(String name, InputStream stdin) {
    try {
      if (name.equals("-")) {
        return TextFiles.read(stdin, source(name));
      }
      return TextFiles.read(Path.of(name), name);
    } catch (IOException e) {
      throw new InvalidInputException(source(name) + ": " + TextFiles.problem(e), e);
    }
  }

  /** How messages name the input: the file name, or {@code <stdin>}. */
  static String source(String name) {
    return name.equals("-") ? "<stdin>" : name;
  }
}
