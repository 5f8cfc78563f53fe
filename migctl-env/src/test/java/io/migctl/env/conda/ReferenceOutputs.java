package io.migctl.env.conda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The recorded outputs in {@code shared/reference/conda/outputs/}, read as that folder's README
 * says: the header is the leading run of lines starting with {@code # source:}, {@code # command:},
 * {@code # tool version:}, {@code # what it shows:}, {@code # transcription:}, {@code # edit:},
 * {@code # note:}, {@code # relevance:}, {@code # NOTE:} or {@code # }; everything after it is the
 * output. Files cut in the copy of an issue end with a marker line, removed here.
 */
final class ReferenceOutputs {

  static final String CUT_MARKER = "# [... cut here in the copy of the issue that was read]";

  private static final List<String> HEADER_PREFIXES =
      List.of(
          "# source:",
          "# command:",
          "# tool version:",
          "# what it shows:",
          "# transcription:",
          "# edit:",
          "# note:",
          "# relevance:",
          "# NOTE:",
          "#   ");

  /**
   * @param headerLines how many header lines were stripped
   * @param cut whether the file ended with the cut marker
   * @param output the tool's output, byte-exact after the header (marker removed)
   */
  record Sample(String file, int headerLines, boolean cut, String output) {}

  private ReferenceOutputs() {}

  static Path folder() {
    Path dir =
        Path.of(System.getProperty("migctl.shared.dir", "../../shared"), "reference/conda/outputs");
    assertThat(dir)
        .as("conda reference outputs (set -Dmigctl.shared.dir to the shared folder)")
        .isDirectory();
    return dir;
  }

  static List<String> files() {
    try (Stream<Path> list = Files.list(folder())) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Sample read(String file) {
    String text;
    try {
      text = new String(Files.readAllBytes(folder().resolve(file)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int headerLines = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      String line = end < 0 ? text.substring(start) : text.substring(start, end);
      if (HEADER_PREFIXES.stream().noneMatch(line::startsWith)) {
        break;
      }
      headerLines++;
      start = end < 0 ? text.length() : end + 1;
    }
    String output = text.substring(start);
    boolean cut = false;
    String trimmed = output.stripTrailing();
    if (trimmed.endsWith(CUT_MARKER)) {
      cut = true;
      output = trimmed.substring(0, trimmed.length() - CUT_MARKER.length());
    }
    return new Sample(file, headerLines, cut, output);
  }

  /** The output of {@code file} alone. */
  static String output(String file) {
    return read(file).output();
  }
}
