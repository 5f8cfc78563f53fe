package io.migctl.input;

import java.io.Serial;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A YAML text holds a character YAML does not allow: a control character other than tab and line
 * breaks, or a non-character such as U+FFFE. SnakeYAML says only {@code special characters are not
 * allowed}, with a position in its buffer; this is the same refusal as a syntax error marked at the
 * character's line and column, so that every reader words it as its other syntax errors, with its
 * own way to say where ({@code workload.yml:3:7: …}). Its problem reads {@code the control
 * character U+0007 is not allowed in YAML}.
 */
public final class ForbiddenCharacterException extends MarkedYamlEngineException {

  @Serial private static final long serialVersionUID = 1L;

  private final int codePoint;

  private ForbiddenCharacterException(int codePoint, Mark mark, ReaderException cause) {
    super(
        null,
        Optional.empty(),
        words(codePoint) + " is not allowed in YAML",
        Optional.of(mark),
        cause);
    this.codePoint = codePoint;
  }

  /** The character, as a code point. */
  public int codePoint() {
    return codePoint;
  }

  /** The character in words: {@code the control character U+0007}, {@code the character U+FFFE}. */
  public String character() {
    return words(codePoint);
  }

  private static String words(int codePoint) {
    return String.format(
        "the %scharacter U+%04X", Character.isISOControl(codePoint) ? "control " : "", codePoint);
  }

  /**
   * SnakeYAML's refusal of {@code text}, marked at the first character it does not allow, with the
   * line and column SnakeYAML counts (from 0; a line ends at LF, CRLF or a lone CR; a byte order
   * mark takes no column); none if the text has no such character.
   *
   * @param name the name SnakeYAML gives marks (the settings' label)
   */
  static Optional<ForbiddenCharacterException> in(String text, String name, ReaderException cause) {
    int line = 0;
    int column = 0;
    int lineStart = 0;
    int index = 0;
    for (int i = 0; i < text.length(); index++) {
      int c = text.codePointAt(i);
      if (!StreamReader.isPrintable(c)) {
        // The line around the character, for the snippet SnakeYAML's own message shows.
        int lineEnd = text.indexOf('\n', i);
        int[] lineText =
            text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd).codePoints().toArray();
        int pointer = text.codePointCount(lineStart, i);
        Mark mark = new Mark(name, index, line, column, lineText, pointer);
        return Optional.of(new ForbiddenCharacterException(c, mark, cause));
      }
      i += Character.charCount(c);
      if (c == '\n' || (c == '\r' && i < text.length() && text.charAt(i) != '\n')) {
        line++;
        column = 0;
        lineStart = i;
      } else if (c != '\uFEFF') {
        column++;
      }
    }
    return Optional.empty();
  }
}
