package io.migctl.core.input;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of user input, with messages that say where the text stops being text. */
public final class Utf8Text {

  private Utf8Text() {}

  /**
   * Decodes {@code bytes} as UTF-8, dropping a leading byte-order mark.
   *
   * @param source how messages name the input
   * @throws InvalidTextException naming the offset (from 0) of the first byte that is not UTF-8, or
   *     when the text is larger than {@link InputLimits#MAX_FILE_BYTES}
   */
  public static String decode(byte[] bytes, String source) {
    InputLimits.checkSize(source, bytes.length);
    // The JDK's own decoding is far quicker; it puts U+FFFD for what is not UTF-8, so only text
    // holding U+FFFD (replaced or genuine) needs the strict decoder to find out which.
    String quick = new String(bytes, StandardCharsets.UTF_8);
    if (quick.indexOf('\uFFFD') < 0) {
      return quick.startsWith("\uFEFF") ? quick.substring(1) : quick;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw notUtf8(source, in.position());
    }
    result = decoder.flush(out);
    if (result.isError()) {
      throw notUtf8(source, in.position());
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static InvalidTextException notUtf8(String source, int offset) {
    return new InvalidTextException(
        source
            + ": not UTF-8 text at byte "
            + offset
            + "; migctl reads UTF-8 text files (is it binary, or saved in another encoding?)");
  }
}
