package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.input.InputLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckedSpecTest {

  private static final BuildTarget VENV = new BuildTarget("linux-64", "venv");

  @TempDir Path dir;

  @Test
  void isTheSpecAsBuiltItsIdAndItsWarnings() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("environment.yml"),
            "name: x\nfoo: 1\ndependencies:\n  - python\n  - pip:\n    - -e sub/pkg\n");
    CheckedSpec checked = CheckedSpec.read(file, VENV);
    assertThat(checked.spec().pip()).containsExactly("-e " + dir.resolve("sub/pkg"));
    assertThat(checked.target()).isEqualTo(VENV);
    assertThat(checked.canonical()).isEqualTo(CanonicalSpec.of(checked.spec(), VENV));
    assertThat(checked.id()).isEqualTo(checked.canonical().hash());
    assertThat(checked.text()).isEqualTo(Files.readString(file));
    assertThat(checked.warnings()).singleElement().asString().startsWith(file + ":2: foo: ");
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedSayingWhere() {
    byte[] bytes = {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xff, '\n'};
    assertThat(catchThrowable(() -> CheckedSpec.of(bytes, "env.yml", dir, VENV)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("env.yml: not UTF-8 text at byte 6");
  }

  @Test
  void filesThatCannotBeReadAreRefusedNamingThemInTheWordsOfEveryReader() throws IOException {
    assertThat(catchThrowable(() -> CheckedSpec.read(dir.resolve("none.yml"), VENV)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(dir.resolve("none.yml") + ": no such file");
    assertThat(catchThrowable(() -> CheckedSpec.read(dir, VENV)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(dir + ": is a folder, not a file");
    Path large = dir.resolve("large.yml");
    try (var out = Files.newOutputStream(large)) {
      out.write(new byte[InputLimits.MAX_FILE_BYTES * 2]);
    }
    assertThat(catchThrowable(() -> CheckedSpec.read(large, VENV)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(large + ": " + InputLimits.MAX_FILE_BYTES * 2 + " bytes is more");
  }

  @Test
  void aStreamWithoutEndIsReadOnlyUpToTheLimit() {
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return ' ';
          }
        };
    assertThat(catchThrowable(() -> CheckedSpec.read(endless, "<stdin>", dir, VENV)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("<stdin>: more than " + InputLimits.MAX_FILE_BYTES + " bytes");
    CheckedSpec fromStdin =
        CheckedSpec.read(
            new java.io.ByteArrayInputStream(
                "dependencies: [python]\n".getBytes(StandardCharsets.UTF_8)),
            "<stdin>",
            dir,
            VENV);
    assertThat(fromStdin.spec().dependencies()).hasSize(1);
  }
}
