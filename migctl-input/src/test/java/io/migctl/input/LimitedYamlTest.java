package io.migctl.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ScannerException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

class LimitedYamlTest {

  private static final LoadSettings SETTINGS = LimitedYaml.settings().build();

  private static List<Node> compose(String text) {
    return LimitedYaml.composeAll(text, SETTINGS, "t.yaml");
  }

  private static String flow(int levels) {
    return "[".repeat(levels) + "]".repeat(levels);
  }

  /** A block document nested {@code levels} deep: mappings inside mappings. */
  private static String block(int levels) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < levels; i++) {
      b.append("  ".repeat(i)).append("k:\n");
    }
    return b.append("  ".repeat(levels)).append("v\n").toString();
  }

  @Test
  void exactlyTheDeepestAllowedNestingIsRead() {
    assertThat(compose(flow(InputLimits.MAX_DEPTH))).hasSize(1);
    assertThat(compose(block(InputLimits.MAX_DEPTH))).hasSize(1);
    assertThatThrownBy(() -> compose(flow(InputLimits.MAX_DEPTH + 1)))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage(
            "t.yaml: nested more than 64 levels deep (line 1, column 65); migctl reads at most 64"
                + " levels of mappings and lists");
    assertThatThrownBy(() -> compose(block(InputLimits.MAX_DEPTH + 1)))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("t.yaml: nested more than 64 levels deep (line 65, column ");
  }

  @Test
  void theBoundHoldsInEveryDocumentOfAStream() {
    assertThatThrownBy(() -> compose("a: 1\n---\n" + flow(100)))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("t.yaml: nested more than 64 levels deep (line 3, ");
  }

  @Test
  void aRefusalNamesTheTopLevelKeyItIsUnder() {
    // "  - " takes columns 1-4; the root mapping and the list are levels 1 and 2, so the 63rd
    // bracket, at column 4 + 63, is level 65.
    assertThatThrownBy(() -> compose("name: x\ndependencies:\n  - " + flow(100) + "\n"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageContaining("(line 3, column 67, in dependencies);");
    String longValue = "x".repeat(InputLimits.MAX_STRING_CHARS + 1);
    assertThatThrownBy(() -> compose("a: ok\nb:\n  c: " + longValue + "\n"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageEndingWith("(line 3, column 6, in b)");
    StringBuilder aliases = new StringBuilder("a: &x 1\nmany: [");
    for (int i = 0; i <= InputLimits.MAX_YAML_ALIASES; i++) {
      aliases.append(i == 0 ? "" : ", ").append("*x");
    }
    assertThatThrownBy(() -> compose(aliases.append("]\n").toString()))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageContaining(
            "(line 2, column " + (8 + 4 * InputLimits.MAX_YAML_ALIASES) + ", in many)");
  }

  @Test
  void aRefusalOfAKeyItselfOrOutsideAMappingNamesNoKey() {
    String longKey = "k".repeat(InputLimits.MAX_STRING_CHARS + 1);
    // An explicit key (? KEY), since an implicit one is at most 1024 characters.
    assertThatThrownBy(() -> compose("a: 1\n? " + longKey + "\n: 1\n"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageEndingWith("(line 2, column 3)");
    assertThatThrownBy(() -> compose("a: 1\n---\n- " + flow(100) + "\n"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageContaining("(line 3, column 66);");
  }

  @Test
  void anAliasCountsAsDeepAsItsAnchorsTree() {
    String anchored = "a: &deep " + flow(40) + "\n";
    assertThat(compose(anchored + "b: " + "[".repeat(20) + "*deep" + "]".repeat(20))).hasSize(1);
    assertThatThrownBy(() -> compose(anchored + "b: " + "[".repeat(30) + "*deep" + "]".repeat(30)))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage(
            "t.yaml: nested more than 64 levels deep (where the alias at line 2, column 34"
                + " expands, in b); migctl reads at most 64 levels of mappings and lists");
  }

  @Test
  void anAliasInsideItsOwnAnchorIsLeftToTheReader() {
    assertThat(compose("a: &self [1, *self]\n")).hasSize(1);
  }

  @Test
  void aLongStringAndALargeTextAreRefused() {
    String longScalar = "a: " + "x".repeat(InputLimits.MAX_STRING_CHARS + 1) + "\n";
    assertThatThrownBy(() -> compose(longScalar))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage(
            "t.yaml: a string value is longer than 1048576 characters (line 1, column 4, in a)");
    String large = "# " + "x".repeat(InputLimits.MAX_FILE_BYTES) + "\n";
    assertThatThrownBy(() -> compose(large))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("t.yaml: 4194307 bytes is more than migctl reads from one file");
  }

  @Test
  void aTextIsMeasuredInTheBytesOfItsFileNotItsCharacters() {
    // Half as many characters as the bound, each two bytes in UTF-8.
    String large = "# " + "\u00e9".repeat(InputLimits.MAX_FILE_BYTES / 2) + "\n";
    assertThatThrownBy(() -> compose(large))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("t.yaml: 4194307 bytes is more than migctl reads from one file");
  }

  @Test
  void aSingleDocumentIsComposedAloneAndASecondIsRefused() {
    assertThat(LimitedYaml.composeSingle("a: 1\n", SETTINGS, "t.yaml")).isPresent();
    assertThat(LimitedYaml.composeSingle("# nothing\n", SETTINGS, "t.yaml")).isEmpty();
    assertThatThrownBy(() -> LimitedYaml.composeSingle("a: 1\n---\nb: 2\n", SETTINGS, "t.yaml"))
        .isInstanceOf(YamlEngineException.class)
        .hasMessageContaining("expected a single document in the stream");
    assertThatThrownBy(() -> LimitedYaml.composeSingle(flow(100), SETTINGS, "t.yaml"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("t.yaml: nested more than 64 levels deep (line 1, column 65)");
  }

  @Test
  void aCharacterYamlDoesNotAllowIsASyntaxErrorMarkedAtItsLineAndColumn() {
    // Past SnakeYAML's first buffer of 1024 characters, after a CRLF line end, and after a
    // character of two chars (one column): line 3, column 7.
    String text = "a: " + "x".repeat(3000) + "\r\nb: 1\nc: \uD83D\uDE00ab\u0007\n";
    ForbiddenCharacterException e =
        catchThrowableOfType(ForbiddenCharacterException.class, () -> compose(text));
    assertThat(e.codePoint()).isEqualTo(7);
    assertThat(e).hasMessageContaining("line 3, column 7");
    assertThat(e.getProblem()).isEqualTo("the control character U+0007 is not allowed in YAML");
    assertThat(e.getProblemMark())
        .hasValueSatisfying(
            m -> {
              assertThat(m.getLine()).as("line, from 0").isEqualTo(2);
              assertThat(m.getColumn()).as("column, from 0").isEqualTo(6);
            });
    // SnakeYAML Engine 3 refuses DEL in its scanner, in its own words and at its place.
    assertThat(catchThrowableOfType(MarkedYamlEngineException.class, () -> compose("a: \u007f")))
        .returns("DEL character (0x7F) is not allowed in plain scalars", e2 -> e2.getProblem());
    assertThat(catchThrowableOfType(ForbiddenCharacterException.class, () -> compose("# \ufffe")))
        .returns("the character U+FFFE is not allowed in YAML", e2 -> e2.getProblem());
  }

  @Test
  void syntaxErrorsStaySnakeYamlsForTheCallerToWord() {
    assertThatThrownBy(() -> compose("a: [1, 2\n"))
        .isInstanceOf(YamlEngineException.class)
        .isNotInstanceOf(InvalidTextException.class);
  }

  /** Found by HooksFileFuzzTest: SnakeYAML passed on Java's decoder text ("Input length = 1"). */
  @Test
  void aTagWhoseEscapesAreNotUtf8IsRefusedInYamlsWordsNotJavas() {
    assertThatThrownBy(() -> compose("a:\n  - !seh-%cd\n"))
        .isInstanceOf(ScannerException.class)
        .satisfies(
            e ->
                assertThat(((ScannerException) e).getProblem())
                    .isEqualTo("the %-escapes of a tag are not UTF-8"))
        .hasMessageNotContaining("Input length");
  }

  /**
   * Found by HooksFileFuzzTest: SnakeYAML Engine 2.10 read past its buffer when a character outside
   * the BMP (an emoji, a surrogate pair) fell on its 1,024-character edge.
   */
  @Test
  void aCharacterOutsideTheBasicPlaneIsReadWhereverItFalls() {
    for (int pad = 1000; pad < 1050; pad++) {
      String value = "x".repeat(pad) + "\uD83D\uDE00";
      Node root = compose("k: \"" + value + "\"\n").getFirst();
      assertThat(
              ((ScalarNode) ((MappingNode) root).getValue().getFirst().getValueNode()).getValue())
          .as("emoji after %d characters", pad)
          .isEqualTo(value);
    }
  }

  /** Found by WorkloadFileFuzzTest: a tag SnakeYAML refuses is a YAML error with its place. */
  @Test
  void aTagThatIsNotValidIsAnErrorAtItsPlace() {
    assertThatThrownBy(() -> compose("a: 1\nk: !x%1e v\n"))
        .isInstanceOf(MarkedYamlEngineException.class)
        .satisfies(
            e -> {
              MarkedYamlEngineException y = (MarkedYamlEngineException) e;
              assertThat(y.getProblem()).startsWith("the tag !x\\u001e is not valid");
              assertThat(y.getProblemMark().orElseThrow().getLine()).isEqualTo(1);
            });
  }

  /**
   * Found by WorkloadFileFuzzTest: with duplicate keys refused, SnakeYAML's constructor failed with
   * a NullPointerException on a second empty key, instead of saying it is a duplicate.
   */
  @Test
  void aSecondEmptyKeyIsADuplicateAtItsPlace() {
    LoadSettings strict = LimitedYaml.strictSettings("w.yml");
    assertThatThrownBy(() -> LimitedYaml.composeAll("a: 1\n? \n: 1\n? \n: 2\n", strict, "w.yml"))
        .isInstanceOf(MarkedYamlEngineException.class)
        .satisfies(
            e -> {
              MarkedYamlEngineException y = (MarkedYamlEngineException) e;
              assertThat(y.getProblem())
                  .isEqualTo("the empty key (null) is given twice in one mapping");
              assertThat(y.getProblemMark().orElseThrow().getLine()).isEqualTo(3);
            });
    assertThat(LimitedYaml.composeAll("? \n: 1\nb: 2\n", strict, "w.yml")).hasSize(1);
    LoadSettings lenient = LimitedYaml.settings().setAllowDuplicateKeys(true).build();
    assertThat(LimitedYaml.composeAll("? \n: 1\n? \n: 2\n", lenient, "w.yml"))
        .as("where duplicate keys are allowed, the last one wins, as SnakeYAML does")
        .hasSize(1);
  }
}
