package io.migctl.input;

import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import io.migctl.core.input.Utf8Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the text files users give migctl (configs, hooks, workloads, checkpoints, environment
 * files, traces, standard input): at most {@link InputLimits#MAX_FILE_BYTES}, strictly UTF-8. A
 * file larger than the bound is refused before it is read; a stream is read to just past the bound,
 * so one without end is refused too. {@link #problem} words what keeps a file from being read, the
 * same for every reader. The byte variants are for readers that decode later, or keep the bytes.
 */
public final class TextFiles {

  private TextFiles() {}

  /**
   * The text of {@code file}.
   *
   * @param source how messages name it, usually its path as the user wrote it
   * @throws InvalidTextException when it is too large or not UTF-8, naming {@code source}
   * @throws IOException when it cannot be read (missing, a folder, no permission): see {@link
   *     #problem}
   */
  public static String read(Path file, String source) throws IOException {
    return Utf8Text.decode(readBytes(file, source), source);
  }

  /**
   * The text of a stream, read to its end or to just past the bound.
   *
   * @throws InvalidTextException when it is too large or not UTF-8, naming {@code source}
   * @throws IOException when it cannot be read
   */
  public static String read(InputStream in, String source) throws IOException {
    return Utf8Text.decode(readBytes(in, source), source);
  }

  /**
   * The bytes of {@code file}, within the bound.
   *
   * @throws InvalidTextException when it is too large, naming {@code source}
   * @throws IOException when it cannot be read: see {@link #problem}
   */
  public static byte[] readBytes(Path file, String source) throws IOException {
    InputLimits.checkSize(source, Files.size(file));
    try (InputStream in = Files.newInputStream(file)) {
      return readBytes(in, source);
    }
  }

  /**
   * The bytes of a stream, read to its end or to just past the bound.
   *
   * @throws InvalidTextException when it is too large, naming {@code source}
   * @throws IOException when it cannot be read
   */
  public static byte[] readBytes(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes(InputLimits.MAX_FILE_BYTES + 1);
    if (bytes.length > InputLimits.MAX_FILE_BYTES) {
      throw new InvalidTextException(
          source
              + ": more than "
              + InputLimits.MAX_FILE_BYTES
              + " bytes, which is more than migctl reads from one file (4 MiB); is it the right"
              + " file?");
    }
    return bytes;
  }

  /**
   * What went wrong reading a file, in words for a message after its name: {@code no such file},
   * {@code permission denied}, {@code is a folder, not a file}, or the system's reason.
   */
  public static String problem(IOException e) {
    return switch (e) {
      case NoSuchFileException n -> "no such file";
      case AccessDeniedException a -> "permission denied";
      case FileSystemException f when f.getReason() != null ->
          f.getReason().equals("Is a directory") ? "is a folder, not a file" : f.getReason();
      default ->
          e.getMessage() != null && e.getMessage().equals("Is a directory")
              ? "is a folder, not a file"
              : "cannot be read ("
                  + (e.getMessage() == null ? "an I/O error" : e.getMessage())
                  + ")";
    };
  }
}
