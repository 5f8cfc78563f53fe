package io.migctl.replay;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.input.Utf8Text;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The lines of a trace's CSV file, streamed, each bounded and strictly UTF-8, with the words to
 * name a line in messages ({@code trace.csv, line 12}).
 *
 * <p>The bounds, far above real traces and far below what would hurt: a file of at most {@link
 * #MAX_FILE_BYTES} (1 GiB; the largest sample here, Alibaba's v2023 pod list, is 0.6 MB and 8,153
 * lines; Alibaba's full v2020 task table is some hundreds of MB), lines of at most {@link
 * #MAX_LINE_BYTES} (64 KiB; the longest sample line is 171 bytes), and at most {@link #MAX_ROWS}
 * rows kept as jobs. Not thread-safe.
 */
final class TraceLines implements Closeable {

  /** The largest trace file read. */
  static final long MAX_FILE_BYTES = 1L << 30;

  /** The longest line read, in bytes. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  /** The most rows a reader keeps. */
  static final int MAX_ROWS = 2_000_000;

  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private final InputStream in;
  private final String file;
  private int number;

  private TraceLines(InputStream in, String file) {
    this.in = in;
    this.file = file;
  }

  /**
   * Opens {@code file}.
   *
   * @throws InvalidTextException when it is larger than {@link #MAX_FILE_BYTES}
   * @throws IOException when it cannot be opened
   */
  static TraceLines open(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new InvalidTextException(
          file
              + ": "
              + size
              + " bytes is more than migctl reads from one trace ("
              + MAX_FILE_BYTES
              + " bytes, 1 GiB); cut it into parts");
    }
    return new TraceLines(new BufferedInputStream(Files.newInputStream(file)), file.toString());
  }

  /**
   * The next line without its line end, or null at the end of the file.
   *
   * @throws InvalidTextException when the line is too long or not UTF-8
   */
  String next() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    number++;
    while (b >= 0 && b != '\n') {
      if (line.size() == MAX_LINE_BYTES) {
        throw new InvalidTextException(
            where()
                + ": longer than "
                + MAX_LINE_BYTES
                + " bytes; a trace line is a few hundred at most (is it the right file?)");
      }
      line.write(b);
      b = in.read();
    }
    String text = Utf8Text.decode(line.toByteArray(), where());
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /** The file and the number of the line {@link #next} returned last. */
  String where() {
    return file + ", line " + number;
  }

  /** The file's name, as messages give it. */
  String file() {
    return file;
  }

  /**
   * A decimal number, as traces write them ({@code 12}, {@code 0.5}, {@code 1e3}); not Java's
   * extras ({@code NaN}, {@code Infinity}, hexadecimal, a trailing {@code d}).
   *
   * @param column what the value is, for the message
   * @throws InvalidTextException naming the line, the column and the value
   */
  double number(String text, String column) {
    String t = text.strip();
    double value = NUMBER.matcher(t).matches() ? Double.parseDouble(t) : Double.NaN;
    if (!Double.isFinite(value)) {
      throw new InvalidTextException(
          where() + ": " + column + " \"" + shown(t) + "\" is not a number");
    }
    return value;
  }

  /** {@link #number}, or NaN for an empty field (a value the trace does not know). */
  double optionalNumber(String text, String column) {
    return text.isBlank() ? Double.NaN : number(text, column);
  }

  /** A field's text as messages show it: at most 40 characters. */
  static String shown(String text) {
    return text.length() > 40 ? text.substring(0, 37) + "..." : text;
  }

  /**
   * The comma-separated fields of {@code line}, at least as many as {@code columns} names.
   *
   * @param columns the columns expected, comma-separated, for the message
   * @throws InvalidTextException naming the line, the columns and how many fields it has
   */
  String[] fields(String line, String columns) {
    String[] f = line.split(",", -1);
    int expected = columns.split(",").length;
    if (f.length < expected) {
      throw new InvalidTextException(
          where()
              + ": expected "
              + columns
              + ", found "
              + f.length
              + (f.length == 1 ? " field" : " fields"));
    }
    return f;
  }

  /** Refuses one row more than {@link #MAX_ROWS}. */
  void checkRows(int rows) {
    if (rows > MAX_ROWS) {
      throw new InvalidTextException(
          where()
              + ": more than "
              + MAX_ROWS
              + " rows; migctl simulates at most that many jobs from one trace");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
