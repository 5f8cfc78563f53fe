package io.migctl.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {

  @TempDir Path dir;

  /** A stream that never ends, as a pipe that keeps writing. */
  private static final class Endless extends InputStream {
    @Override
    public int read() {
      return ' ';
    }
  }

  @Test
  void aFileIsReadWholeAsBytesOrAsText() throws IOException {
    byte[] bytes = "caf\u00e9\n".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("a.yml"), bytes);
    assertThat(TextFiles.readBytes(file, "a.yml")).isEqualTo(bytes);
    assertThat(TextFiles.read(file, "a.yml")).isEqualTo("caf\u00e9\n");
    assertThat(TextFiles.readBytes(new ByteArrayInputStream(bytes), "<stdin>")).isEqualTo(bytes);
  }

  @Test
  void aFileLargerThanTheBoundIsRefusedBeforeItIsRead() throws IOException {
    Path large = dir.resolve("large.yml");
    try (OutputStream out = Files.newOutputStream(large)) {
      out.write(new byte[InputLimits.MAX_FILE_BYTES + 1]);
    }
    assertThatThrownBy(() -> TextFiles.readBytes(large, "large.yml"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("large.yml: 4194305 bytes is more than migctl reads from one file");
  }

  @Test
  void aStreamIsReadOnlyToJustPastTheBound() {
    assertThatThrownBy(() -> TextFiles.readBytes(new Endless(), "<stdin>"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage(
            "<stdin>: more than 4194304 bytes, which is more than migctl reads from one file (4"
                + " MiB); is it the right file?");
  }

  @Test
  void textIsStrictUtf8() {
    byte[] bytes = {'a', ':', ' ', (byte) 0xc3, '\n'};
    assertThatThrownBy(() -> TextFiles.read(new ByteArrayInputStream(bytes), "<stdin>"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("<stdin>: not UTF-8 text at byte 3");
  }

  @Test
  void aMissingFileOrAFolderIsAnIoExceptionInWordsForAMessage() {
    IOException missing =
        catchThrowableOfType(
            IOException.class, () -> TextFiles.readBytes(dir.resolve("none.yml"), "none.yml"));
    assertThat(TextFiles.problem(missing)).isEqualTo("no such file");
    IOException folder =
        catchThrowableOfType(IOException.class, () -> TextFiles.readBytes(dir, dir.toString()));
    assertThat(TextFiles.problem(folder)).isEqualTo("is a folder, not a file");
  }
}
