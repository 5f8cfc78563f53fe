package io.migctl.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8TextTest {

  @Test
  void decodesUtf8AndDropsAByteOrderMark() {
    byte[] text = "\uFEFFname: café\n".getBytes(StandardCharsets.UTF_8);

    assertThat(Utf8Text.decode(text, "env.yml")).isEqualTo("name: café\n");
  }

  @Test
  void namesTheSourceAndTheOffsetOfTheFirstByteThatIsNotUtf8() {
    byte[] latin1 = "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> Utf8Text.decode(latin1, "env.yml"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("env.yml: not UTF-8 text at byte 9;");
  }

  @Test
  void keepsAGenuineReplacementCharacterButRefusesEncodedSurrogatesAndOverlongForms() {
    byte[] genuine = "a\uFFFDb".getBytes(StandardCharsets.UTF_8);
    byte[] surrogate = {'x', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
    byte[] overlong = {'x', 'y', (byte) 0xC0, (byte) 0x80};

    assertThat(Utf8Text.decode(genuine, "a.txt")).isEqualTo("a\uFFFDb");
    assertThatThrownBy(() -> Utf8Text.decode(surrogate, "a.txt"))
        .hasMessageStartingWith("a.txt: not UTF-8 text at byte 1;");
    assertThatThrownBy(() -> Utf8Text.decode(overlong, "a.txt"))
        .hasMessageStartingWith("a.txt: not UTF-8 text at byte 2;");
    assertThatThrownBy(() -> Utf8Text.decode(new byte[] {(byte) 0xFF, 'a'}, "a.txt"))
        .hasMessageStartingWith("a.txt: not UTF-8 text at byte 0;");
  }

  @Test
  void refusesATruncatedSequenceAtTheEnd() {
    byte[] cut = {'a', 'b', (byte) 0xE2, (byte) 0x82};

    assertThatThrownBy(() -> Utf8Text.decode(cut, "<stdin>"))
        .hasMessageStartingWith("<stdin>: not UTF-8 text at byte 2;");
  }

  @Test
  void refusesTextLargerThanTheFileLimitBeforeDecodingIt() {
    byte[] big = new byte[InputLimits.MAX_FILE_BYTES + 1];

    assertThatThrownBy(() -> Utf8Text.decode(big, "huge.yaml"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageContaining("huge.yaml: " + big.length + " bytes is more than migctl reads");
  }

  @Test
  void acceptsTextOfExactlyTheLimit() {
    byte[] edge = new byte[InputLimits.MAX_FILE_BYTES];
    java.util.Arrays.fill(edge, (byte) 'a');

    assertThat(Utf8Text.decode(edge, "edge.txt")).hasSize(InputLimits.MAX_FILE_BYTES);
  }
}
