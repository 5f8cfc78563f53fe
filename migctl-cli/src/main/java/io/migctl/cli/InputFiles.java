package io.migctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the files users pass with {@code -f}; {@code -} is standard input. */
final class InputFiles {

  private InputFiles() {}

  /**
   * The text of {@code name}, or of {@code stdin} when the name is {@code -}.
   *
   * @throws InvalidInputException when the file cannot be read, naming it
   */
  static String read(String name, InputStream stdin) {
    try {
      if (name.equals("-")) {
        return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(name), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(name + ": no such file");
    } catch (IOException e) {
      throw new InvalidInputException(name + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /** How messages name the input: the file name, or {@code <stdin>}. */
  static String source(String name) {
    return name.equals("-") ? "<stdin>" : name;
  }
}
